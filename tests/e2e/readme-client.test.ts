import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { stack } from "../helpers/stack.ts";

// The README's supabase-js walkthrough, run verbatim as a reader runs it:
// saved as a file in the repository root, run with Deno and the stack's
// variables. It is also type-checked against the generated types.
const root = fileURLToPath(new URL("../..", import.meta.url));
const readme = readFileSync(`${root}/README.md`, "utf8");
const run = promisify(execFile);
const file = `${root}/try-client.readme-test.ts`;

function walkthrough(): string {
  const at = readme.indexOf("### supabase-js walkthrough");
  if (at < 0) throw new Error("README has no supabase-js walkthrough");
  const m = readme.slice(at).match(/```ts\n([\s\S]*?)```/);
  if (!m) throw new Error("the walkthrough has no ts block");
  return m[1];
}

function expectedOutput(): string[] {
  const at = readme.indexOf("npx deno run -A try-client.ts");
  // The fence that closes the command, then the output's own block.
  const m = readme.slice(at).match(/```\n\n```\n([\s\S]*?)```/);
  if (!m) throw new Error("the walkthrough shows no output");
  return m[1].trim().split("\n");
}

afterAll(() => rmSync(file, { force: true }));

describe("README supabase-js walkthrough", () => {
  it("type-checks and runs verbatim, printing what the README shows", async () => {
    writeFileSync(file, walkthrough());
    const deno = `${root}/node_modules/.bin/deno`;
    await run(deno, ["check", "--quiet", `--config=${root}/deno.json`, file], { cwd: root });
    const s = stack();
    const { stdout } = await run(deno, ["run", "-A", `--config=${root}/deno.json`, file], {
      cwd: root,
      env: {
        ...process.env,
        SUPABASE_URL: s.apiUrl,
        SUPABASE_ANON_KEY: s.anonKey,
        NO_COLOR: "1",
      },
      timeout: 30_000,
    });
    const lines = stdout.trim().split("\n");
    // Other tests may have added conversations to the demo workspace; the
    // README's lines must all be there, in order.
    const expected = expectedOutput();
    let i = 0;
    for (const line of lines) if (line === expected[i]) i++;
    expect({ missing: expected.slice(i), got: lines }).toMatchObject({ missing: [] });
  }, 60_000);
});
