import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { blocks, runSteps, section, stackEnvFile } from "../helpers/readme.ts";
import { stack } from "../helpers/stack.ts";

// The README's calendar walkthrough, run verbatim: an appointment with Ana
// reminded an hour before, whose reminder the next pg_cron tick sends to
// Maya in the app and to Ana on WhatsApp (the fake provider).
const dir = mkdtempSync(join(tmpdir(), "readme-calendar-"));
const normal = (s: string) => s.split("\n").map((l) => l.trimEnd()).join("\n").trimEnd();
const demo = "00000000-0000-4000-b000-000000000001";

// What a previous run on the same stack left: its reminder message (and
// its queue row), its notification, the event (its reminders go with it).
let sql: Sql;
async function forget() {
  await sql.begin(async (tx) => {
    const events = await tx<{ id: string }[]>`
      select id from public.events where workspace_id = ${demo} and title = 'Fitting: Ana''s linen shirts'`;
    const ids = events.map((e) => e.id);
    if (ids.length === 0) return;
    await tx`delete from private.outbox where message_id in (select id from public.messages where event_id = any(${ids}))`;
    await tx`delete from public.messages where event_id = any(${ids})`;
    await tx`delete from public.notifications where reference_id = any(${ids})`;
    await tx`delete from public.events where id = any(${ids})`;
  });
}
beforeAll(async () => {
  sql = adminSql();
  await forget();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await forget();
  await sql.end();
});

describe("README calendar walkthrough", () => {
  it("runs verbatim, printing what the README shows", async () => {
    stack();
    stackEnvFile(dir);
    const steps = blocks(section("### An appointment, reminded"));
    expect(steps.length).toBe(2);
    const outputs = await runSteps(dir, steps, 120_000);
    steps.forEach((s, i) => {
      if (s.out !== null) expect(normal(outputs[i])).toBe(normal(s.out));
    });
  }, 130_000);
});
