import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { blocks, root, runSteps, section, stackEnvFile } from "../helpers/readme.ts";
import { stack } from "../helpers/stack.ts";

// The README's hooks walkthrough, run verbatim: an API key, a hook at the
// fake provider's receiver registered through the API, a send through the
// API whose events arrive signed, a broken receiver, dead letters, replay.
// verify-hooks.ts resolves standardwebhooks through the repository's
// deno.json and node_modules, linked into a directory of its own.
const dir = mkdtempSync(join(tmpdir(), "readme-hooks-"));

const normal = (s: string) => s.split("\n").map((l) => l.trimEnd()).join("\n").trimEnd();

// What a previous run on the same stack left: the key, the hook (its
// deliveries and dead letters go with it), the two messages, the receiver.
let sql: Sql;
async function forget() {
  await sql`delete from public.hooks
             where workspace_id = '00000000-0000-4000-b000-000000000001' and name = 'Shop server'`;
  await sql`delete from public.api_keys
             where workspace_id = '00000000-0000-4000-b000-000000000001' and name = 'Shop server'`;
  await sql`delete from public.messages
             where workspace_id = '00000000-0000-4000-b000-000000000001'
               and idempotency_key in ('order-1042-ready', 'order-1043-ready')`;
  await fetch(`${stack().fakeProviderUrl}/__hooks/shop`, { method: "DELETE" });
}
// A reader runs the walkthroughs one after another; here earlier files
// may leave sends of the demo number in flight (queued, or waiting for the
// fake provider's status webhooks), whose events would reach this hook
// too. Start when the number has been quiet for a few seconds.
async function quiet() {
  for (let i = 0; i < 120; i++) {
    const [q] = await sql<{ ok: boolean }[]>`
      select not exists (select 1 from private.outbox o where o.channel_id = '00000000-0000-4000-d000-000000000001')
         and not exists (select 1 from public.messages m
                          where m.channel_id = '00000000-0000-4000-d000-000000000001'
                            and greatest(m.created_at, m.sent_at, m.delivered_at, m.read_at) > now() - interval '4 seconds')
         as ok`;
    if (q.ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the demo number never went quiet");
}
beforeAll(async () => {
  sql = adminSql();
  await forget();
  await quiet();
}, 90_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await forget();
  await sql.end();
});

describe("README hooks walkthrough", () => {
  it("runs verbatim, printing what the README shows", async () => {
    stack();
    stackEnvFile(dir);
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
    symlinkSync(join(root, "deno.json"), join(dir, "deno.json"));
    const steps = blocks(section("### A hook, end to end"));
    expect(steps.length).toBe(5);
    const outputs = await runSteps(dir, steps, 170_000);
    steps.forEach((s, i) => {
      if (s.out !== null) expect(normal(outputs[i])).toBe(normal(s.out));
    });
  }, 200_000);
});
