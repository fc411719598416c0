import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/e2e/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // e2e files share one stack; running them one file at a time keeps
    // fault injection on the fake provider from leaking between files.
    fileParallelism: false,
  },
});
