import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { blocks, runSteps, section, stackEnvFile } from "../helpers/readme.ts";
import { stack } from "../helpers/stack.ts";

// The README's GOWA walkthrough, run verbatim as a reader runs it: the
// "Trying it" preamble, then each shell block of the walkthrough in one bash
// session, the output compared with what the README shows after each block.
const dir = mkdtempSync(join(tmpdir(), "readme-gowa-"));

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
    stackEnvFile(dir);
    const steps = blocks(section("### A GOWA bridge, end to end"));
    expect(steps.length).toBeGreaterThanOrEqual(3);
    const outputs = await runSteps(dir, steps);
    if (process.env.README_DUMP) writeFileSync(process.env.README_DUMP, outputs.join("@@@\n"));
    steps.forEach((s, i) => {
      if (s.out !== null) expect(normal(outputs[i])).toBe(normal(s.out));
    });
  }, 90_000);
});
