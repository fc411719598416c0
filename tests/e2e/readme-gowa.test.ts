import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";

// The README's GOWA walkthrough, run verbatim as a reader runs it: the
// "Trying it" preamble, then each shell block of the walkthrough in one bash
// session, the output compared with what the README shows after each block.
const root = fileURLToPath(new URL("../..", import.meta.url));
const readme = readFileSync(`${root}/README.md`, "utf8");
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "readme-gowa-"));

function section(heading: string): string {
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README has no "${heading}"`);
  const rest = readme.slice(at + heading.length + 2);
  const end = rest.search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

// Each ```sh block with the plain ``` block that follows it, if any.
function blocks(text: string): { sh: string; out: string | null }[] {
  const found: { sh: string; out: string | null }[] = [];
  const re = /```sh\n([\s\S]*?)```\n(?:\n```\n([\s\S]*?)```\n)?/g;
  for (const m of text.matchAll(re)) found.push({ sh: m[1], out: m[2] ?? null });
  return found;
}

// The preamble reads .threadline/run/stack.env from where it runs: give it
// the stack under test, whichever that is.
function stackEnvFile() {
  const env = process.env.THREADLINE_DB_URL
    ? Object.entries(process.env).filter(([k]) => /^(SUPABASE|THREADLINE)_/.test(k))
      .map(([k, v]) => `${k}=${v}`).join("\n") + "\n"
    : readFileSync(`${root}/.threadline/run/stack.env`, "utf8");
  mkdirSync(join(dir, ".threadline/run"), { recursive: true });
  writeFileSync(join(dir, ".threadline/run/stack.env"), env);
}

// What differs from run to run (event ids), and psql's padding at line ends.
const normal = (s: string) =>
  s.replace(/"event_id":\d+/g, '"event_id":N').split("\n").map((l) => l.trimEnd()).join("\n")
    .trimEnd();

// The channel the walkthrough connects, gone before (a second run on the
// same stack) and after (with its conversations and secrets).
const channel = "00000000-0000-4000-d000-000000000002";
let sql: Sql;
beforeAll(async () => {
  sql = adminSql();
  await sql`delete from public.channels where id = ${channel}`;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await sql`delete from public.channels where id = ${channel}`;
  await sql.end();
});

describe("README GOWA walkthrough", () => {
  it("runs verbatim, printing what the README shows", async () => {
    stack(); // fails early, saying why, without a stack
    stackEnvFile();
    const [preamble] = blocks(section("## Trying it"));
    const steps = blocks(section("### A GOWA bridge, end to end"));
    expect(steps.length).toBeGreaterThanOrEqual(3);
    const marker = (i: number) => `@@readme-step-${i}@@`;
    const script = [
      "set -euo pipefail",
      preamble.sh,
      ...steps.flatMap((s, i) => [`echo '${marker(i)}'`, s.sh]),
    ].join("\n");
    const { stdout } = await run("bash", ["-c", script], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8" },
      timeout: 60_000,
    });
    const outputs = stdout.split(/@@readme-step-\d+@@\n/).slice(1);
    if (process.env.README_DUMP) writeFileSync(process.env.README_DUMP, outputs.join("@@@\n"));
    steps.forEach((s, i) => {
      if (s.out !== null) expect(normal(outputs[i])).toBe(normal(s.out));
    });
  }, 90_000);
});
