import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { functionsFromConfig } from "../../scripts/services/functions-config.ts";

describe("functionsFromConfig", () => {
  it("reads entrypoint and verify_jwt, defaulting verify_jwt to true as hosted does", () => {
    const specs = functionsFromConfig(
      `[functions.a]\nverify_jwt = false\nentrypoint = "../functions/a/index.ts"\n[functions.b]\n`,
      "/repo/supabase",
    );
    expect(specs).toEqual([
      { name: "a", entrypoint: "/repo/functions/a/index.ts", verifyJwt: false },
      { name: "b", entrypoint: "/repo/supabase/functions/b/index.ts", verifyJwt: true },
    ]);
  });

  it("refuses a function name that is not a URL path segment", () => {
    expect(() => functionsFromConfig(`[functions."../x"]\n`, "/r/supabase")).toThrow(
      /bad function name/,
    );
  });

  it("matches the project's config: every function has a folder with index.ts", () => {
    const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
    const specs = functionsFromConfig(
      readFileSync(`${root}/supabase/config.toml`, "utf8"),
      `${root}/supabase`,
    );
    expect(specs.map((s) => s.name)).toEqual(expect.arrayContaining(["health", "whoami"]));
    for (const s of specs) {
      expect(readFileSync(s.entrypoint, "utf8")).toMatch(
        /Deno\.serve\(createHandler\(defaultDeps\(\)\)\)/,
      );
    }
    expect(specs.find((s) => s.name === "health")?.verifyJwt).toBe(false);
    expect(specs.find((s) => s.name === "whoami")?.verifyJwt).toBe(true);
  });
});
