import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { anonClient, type Client, ok, type Person, signUp } from "../helpers/client.ts";
import { fake, until } from "../helpers/e2e.ts";
import { stack } from "../helpers/stack.ts";
import { evolutionUpsert } from "../fixtures/payloads.ts";

// Media in Storage as client apps and providers meet it: members upload and
// download through supabase-js (signed URLs), outsiders and anon are
// refused, and a member's file goes out through the dispatcher to the
// provider, which downloads it from the signed URL it was given.
const s = stack();
const run = Date.now().toString().slice(-6);
let sql: Sql;
let anon: Client;
const people: Record<"owner" | "member" | "outsider", Person> = {} as never;
let ws: string;
let evoChannel: string;
let evoConversation: string;
const instance = `media-e2e-${run}`;
const evoKey = `evo-media-key-${run}`;

export const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const photo = new Uint8Array(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251));

beforeAll(async () => {
  sql = adminSql();
  anon = anonClient();
  for (const role of ["owner", "member", "outsider"] as const) people[role] = await signUp(role);
  ws = ok(await people.owner.client.rpc("create_workspace", { name: `Media Co ${run}` })).id;
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`;
  const [inv] = ok(
    await people.owner.client.rpc("invite_member", {
      workspace_id: ws,
      email: people.member.email,
      role: "member",
    }),
  );
  ok(await people.member.client.rpc("accept_invitation", { token: inv.token }));
  evoChannel = ok(
    await people.owner.client.from("channels").insert({
      workspace_id: ws,
      provider: "evolution",
      name: "Evo",
      instance_name: instance,
      api_base_url: s.fakeProviderUrl,
    }).select("id").single(),
  ).id;
  ok(
    await people.owner.client.rpc("set_channel_credentials", {
      channel_id: evoChannel,
      credentials: { api_key: evoKey },
    }),
  );
  const body = evolutionUpsert({
    instance,
    apikey: evoKey,
    jid: `55119${run}01@s.whatsapp.net`,
    id: `3EB0MEDIA${run}`,
    text: "can you send the catalogue?",
  });
  await sql`select private.ingest_webhook('evolution', ${evoChannel}::uuid, ${
    JSON.stringify(body)
  }::text::jsonb)`;
  [{ id: evoConversation }] = await sql`
    select id from public.conversations where channel_id = ${evoChannel}`;
});

afterAll(async () => {
  if (!sql) return;
  if (ws) await sql`delete from public.workspaces where id = ${ws}`;
  const ids = Object.values(people).map((p) => p.id);
  if (ids.length) await sql`delete from auth.users where id in ${sql(ids)}`;
  await sql.end();
});

describe("members' files in the media bucket", () => {
  it("a member uploads into the workspace's uploads folder; nobody else can", async () => {
    const path = `${ws}/uploads/catalogue-${run}.jpg`;
    ok(
      await people.member.client.storage.from("media").upload(path, photo, {
        contentType: "image/jpeg",
      }),
    );
    const outsider = await people.outsider.client.storage.from("media").upload(
      `${ws}/uploads/intruder.jpg`,
      photo,
      { contentType: "image/jpeg" },
    );
    expect(outsider.error?.message).toMatch(/row-level security/);
    const nobody = await anon.storage.from("media").upload(`${ws}/uploads/anon.jpg`, photo, {
      contentType: "image/jpeg",
    });
    expect(nobody.error).not.toBeNull();
  });

  it("members download through a signed URL; outsiders and anon cannot sign, list or download", async () => {
    const path = `${ws}/uploads/catalogue-${run}.jpg`;
    const signed = ok(await people.owner.client.storage.from("media").createSignedUrl(path, 60));
    const res = await fetch(signed.signedUrl);
    expect(res.status).toBe(200);
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(photo));

    for (const c of [people.outsider.client, anon]) {
      const sign = await c.storage.from("media").createSignedUrl(path, 60);
      expect(sign.error).not.toBeNull();
      const down = await c.storage.from("media").download(path);
      expect(down.error).not.toBeNull();
      const list = await c.storage.from("media").list(`${ws}/uploads`);
      expect(list.data ?? []).toEqual([]);
    }
  });

  it("an expired or altered signed URL is refused", async () => {
    const path = `${ws}/uploads/catalogue-${run}.jpg`;
    const signed = ok(await people.member.client.storage.from("media").createSignedUrl(path, 1));
    const altered = signed.signedUrl.replace(`catalogue-${run}`, `other-${run}`);
    expect((await fetch(altered)).status).toBeGreaterThanOrEqual(400);
    await new Promise((r) => setTimeout(r, 2100));
    const res = await fetch(signed.signedUrl);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "InvalidJWT" });
  });
});

describe("outbound media from Storage", () => {
  it("a member's upload reaches Evolution as a signed URL the provider downloads", async () => {
    const path = `${ws}/uploads/catalogue-${run}.jpg`;
    const since = Number((await (await fake("/__fake/requests?last=1")).json())[0]?.seq ?? 0);
    const sent = ok(
      await people.member.client.rpc("send_message", {
        conversation_id: evoConversation,
        content: "our catalogue",
        media_path: path,
      }),
    );
    expect(sent).toMatchObject({ type: "image", media_path: path, media_mime_type: "image/jpeg" });
    const entry = await until("the send at the fake provider", async () => {
      const log = await (await fake(`/__fake/requests?since=${since}&path=/message/sendMedia`))
        .json();
      return log.find((e: { status: number }) => e.status === 200 || e.status === 201);
    }, 20_000);
    const url = entry.body.media as string;
    expect(url).toMatch(/\/storage\/v1\/object\/sign\/media\//);
    const res = await fetch(url);
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(photo));
    const [row] = await sql`select status::text, storage_path from public.media_files
                             where message_id = ${sent.id}`;
    expect(row).toEqual({ status: "stored", storage_path: path });
  });
});
