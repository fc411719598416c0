import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { blocks, root, runSteps, section, stackEnvFile } from "../helpers/readme.ts";
import { stack } from "../helpers/stack.ts";

// The README's media walkthrough, run verbatim: a photo in through a signed
// webhook, downloaded by a member with supabase-js through a signed URL,
// sent back through Meta's media upload. The reader runs it in the
// repository; here a directory of its own gets the repository's deno.json
// and node_modules, so try-media.ts resolves supabase-js the same way.
const dir = mkdtempSync(join(tmpdir(), "readme-media-"));

const normal = (s: string) =>
  s.replace(/"event_id":\d+/g, '"event_id":N').split("\n").map((l) => l.trimEnd()).join("\n")
    .trimEnd();

// Duda's conversation and the photo, gone before (a second run on the same
// stack) and after.
let sql: Sql;
async function forget() {
  await sql`delete from public.messages
             where channel_id = '00000000-0000-4000-d000-000000000001' and provider_message_id = 'wamid.DEMO-PHOTO-1'`;
  await sql`delete from public.conversations
             where channel_id = '00000000-0000-4000-d000-000000000001' and chat_id = '5511976543210'`;
  await sql`delete from public.contacts
             where workspace_id = '00000000-0000-4000-b000-000000000001' and phone = '5511976543210'`;
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

describe("README media walkthrough", () => {
  it("runs verbatim, printing what the README shows", async () => {
    stack();
    stackEnvFile(dir);
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
    symlinkSync(join(root, "deno.json"), join(dir, "deno.json"));
    const steps = blocks(section("### A photo in, downloaded, sent back"));
    expect(steps.length).toBe(3);
    const outputs = await runSteps(dir, steps);
    steps.forEach((s, i) => {
      if (s.out !== null) expect(normal(outputs[i])).toBe(normal(s.out));
    });
  }, 90_000);
});
