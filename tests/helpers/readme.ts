import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql, type Tx } from "./db.ts";
import { stack } from "./stack.ts";

// README walkthroughs run verbatim as a reader runs them: the "Trying it"
// preamble, then each shell block of a section in one bash session, each
// block's output next to the output the README shows after it.
export const root = fileURLToPath(new URL("../..", import.meta.url));
const readme = readFileSync(`${root}/README.md`, "utf8");
const run = promisify(execFile);

export function section(heading: string): string {
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README has no "${heading}"`);
  const rest = readme.slice(at + heading.length + 2);
  const end = rest.search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

export type Step = { sh: string; out: string | null };

// Each ```sh block with the plain ``` block that follows it, if any.
export function blocks(text: string): Step[] {
  const found: Step[] = [];
  const re = /```sh\n([\s\S]*?)```\n(?:\n```\n([\s\S]*?)```\n)?/g;
  for (const m of text.matchAll(re)) found.push({ sh: m[1], out: m[2] ?? null });
  return found;
}

// The preamble reads .threadline/run/stack.env from where it runs: give it
// the stack under test, whichever that is.
export function stackEnvFile(dir: string) {
  const env = process.env.THREADLINE_DB_URL
    ? Object.entries(process.env).filter(([k]) => /^(SUPABASE|THREADLINE)_/.test(k))
      .map(([k, v]) => `${k}=${v}`).join("\n") + "\n"
    : readFileSync(`${root}/.threadline/run/stack.env`, "utf8");
  mkdirSync(join(dir, ".threadline/run"), { recursive: true });
  writeFileSync(join(dir, ".threadline/run/stack.env"), env);
}

// Runs the preamble and the steps in `dir`; returns each step's output.
export async function runSteps(dir: string, steps: Step[], timeoutMs = 60_000): Promise<string[]> {
  const [preamble] = blocks(section("## Trying it"));
  const marker = (i: number) => `@@readme-step-${i}@@`;
  const script = [
    "set -euo pipefail",
    preamble.sh,
    ...steps.flatMap((s, i) => [`echo '${marker(i)}'`, s.sh]),
  ].join("\n");
  try {
    const { stdout } = await run("bash", ["-c", script], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8" },
      timeout: timeoutMs,
    });
    return stdout.split(/@@readme-step-\d+@@\n/).slice(1);
  } catch (e) {
    // execFile's message is the script alone: say which step stopped, with
    // what exit status and what it printed, or a flake cannot be told apart.
    const err = e as { code?: number; signal?: string; stdout?: string; stderr?: string };
    const out = err.stdout ?? "";
    const step = [...out.matchAll(/@@readme-step-(\d+)@@/g)].pop()?.[1] ?? "preamble";
    throw new Error(
      `README step ${step} stopped (exit ${err.code ?? err.signal})\n` +
        `stdout (end):\n${out.slice(-2000)}\nstderr:\n${(err.stderr ?? "").slice(-2000)}`,
    );
  }
}

const normal = (s: string) => s.split("\n").map((l) => l.trimEnd()).join("\n").trimEnd();

// A walkthrough's test on the shared stack: what a previous run left is
// undone first (forget, as an operator would) and again after; then the
// section's `count` steps run verbatim (within timeoutMs) and each output
// the README shows is expected.
export function walkthrough(
  title: string,
  heading: string,
  count: number,
  forget: (tx: Tx) => Promise<void>,
  timeoutMs = 90_000,
) {
  const dir = mkdtempSync(join(tmpdir(), "readme-"));
  let sql: Sql;
  beforeAll(async () => {
    sql = adminSql();
    await sql.begin(forget);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sql.begin(forget);
    await sql.end();
  });
  describe(title, () => {
    it("runs verbatim, printing what the README shows", async () => {
      stack();
      stackEnvFile(dir);
      const steps = blocks(section(heading));
      expect(steps.length).toBe(count);
      const outputs = await runSteps(dir, steps, timeoutMs);
      steps.forEach((s, i) => {
        if (s.out !== null) expect(normal(outputs[i])).toBe(normal(s.out));
      });
    }, timeoutMs + 30_000);
  });
}
