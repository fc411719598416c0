import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Buffer } from "node:buffer";
import { hubSignature } from "../../shared/signature.ts";
import { adminSql, asUser, createUser, type Sql, type TestUser, userJwt } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";
import { cloudText, evolutionUpsert } from "../fixtures/payloads.ts";

// What the webhook keeps of a verified body, through the gateway: the exact
// bytes (privately), a client-safe copy (no secret, no inline media), and a
// replay that admins and the service can run once the code is fixed.
const s = stack();
let sql: Sql;
let owner: TestUser;
let member: TestUser;
let outsider: TestUser;
let ws: string;
let otherWs: string;
const ids = { cloud: "", evo: "" };
const pnid = `PN-STORE-${Date.now()}`;
const EVO_KEY = "e2e-storage-evolution-key";
const url = (channel: string) => `${s.apiUrl}/functions/v1/whatsapp-webhook/${channel}`;

async function signedBytes(channel: string, body: Uint8Array | string) {
  return await fetch(url(channel), {
    method: "POST",
    headers: { "x-hub-signature-256": await hubSignature("e2e-storage-secret", body) },
    body: body as BodyInit,
  });
}

async function rawOf(channel: string, marker: string): Promise<Buffer[]> {
  const rows = await sql<{ body: Buffer }[]>`
    select b.body from private.webhook_bodies b join public.webhook_events w on w.id = b.event_id
     where w.channel_id = ${channel} and position(convert_to(${marker}, 'UTF8') in b.body) > 0`;
  return rows.map((r) => Buffer.from(r.body));
}

async function rpcReplay(user: TestUser | null, args: Record<string, unknown>) {
  const headers: Record<string, string> = {
    apikey: s.anonKey,
    "content-type": "application/json",
  };
  headers.authorization = `Bearer ${user ? await userJwt(user) : s.anonKey}`;
  const res = await fetch(`${s.apiUrl}/rest/v1/rpc/replay_webhook_events`, {
    method: "POST",
    headers,
    body: JSON.stringify(args),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  sql = adminSql();
  owner = await createUser(`store-${crypto.randomUUID()}@example.com`);
  member = await createUser(`store-m-${crypto.randomUUID()}@example.com`);
  outsider = await createUser(`store-o-${crypto.randomUUID()}@example.com`);
  [{ id: ws }] = await asUser(
    sql,
    owner,
    (tx) => tx`select id from public.create_workspace('Store Co')`,
  );
  [{ id: otherWs }] = await asUser(
    sql,
    outsider,
    (tx) => tx`select id from public.create_workspace('Other Co')`,
  );
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`;
  await sql`insert into public.workspace_members (workspace_id, user_id, role) values (${ws}, ${member.id}, 'member')`;
  await asUser(sql, owner, async (tx) => {
    [{ id: ids.cloud }] =
      await tx`insert into public.channels (workspace_id, provider, name, phone_number_id)
      values (${ws}, 'cloud_api', 'Cloud', ${pnid}) returning id`;
    [{ id: ids.evo }] =
      await tx`insert into public.channels (workspace_id, provider, name, instance_name)
      values (${ws}, 'evolution', 'Evo', 'store-instance') returning id`;
    await tx`select public.set_channel_credentials(${ids.cloud}, ${
      tx.json({ app_secret: "e2e-storage-secret" })
    })`;
    await tx`select public.set_channel_credentials(${ids.evo}, ${tx.json({ api_key: EVO_KEY })})`;
  });
});
afterAll(async () => {
  await sql`delete from auth.users where id in (${member.id}, ${outsider.id})`;
  await sql`delete from auth.users where id = ${owner.id}`;
  await sql.end();
});

describe("raw bytes, exactly", () => {
  it("keeps a body with a raw NUL byte as received and answers 400 stored for replay", async () => {
    const text = JSON.stringify(
      cloudText(pnid, { from: "5511987600001", id: "wamid.RAW-NUL", body: "x" }),
    ).replace('"x"', '"nul\u0000byte"');
    const body = new TextEncoder().encode(text);
    const res = await signedBytes(ids.cloud, body);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/stored for replay/);
    const raws = await rawOf(ids.cloud, "wamid.RAW-NUL");
    expect(raws).toHaveLength(1);
    expect(raws[0].equals(Buffer.from(body))).toBe(true);
    // What admins read is text without the NUL.
    const [ev] = await sql`select raw_body, payload, event_type from public.webhook_events w
      where w.channel_id = ${ids.cloud} and w.raw_body like '%wamid.RAW-NUL%'`;
    expect(ev.payload).toBeNull();
    expect(ev.raw_body).not.toContain("\u0000");
    expect(ev.event_type).toBe("unparseable");
  });

  it("keeps invalid UTF-8 and random binary byte for byte", async () => {
    const prefix = new TextEncoder().encode('{"object":"whatsapp_business_account","id":"RAW-BIN"');
    const bin = new Uint8Array([...prefix, 0xff, 0xc3, 0x28, 0x00, 0xed, 0xa0, 0x80, 0x9f]);
    const res = await signedBytes(ids.cloud, bin);
    expect(res.status).toBe(400);
    await res.body?.cancel();
    const raws = await rawOf(ids.cloud, "RAW-BIN");
    expect(raws).toHaveLength(1);
    expect(raws[0].equals(Buffer.from(bin))).toBe(true);
  });

  it("stores what the parser quotes or jsonb refuses: a leading NUL, escapes in an invalid body", async () => {
    const leading = new Uint8Array([0, ...new TextEncoder().encode('{"id":"RAW-LEAD"}')]);
    // Not the Cloud API schema, and JSON jsonb cannot hold.
    const escaped =
      '{"object":"whatsapp_business_account","entry":[],"x":"RAW-ESC \\u0000 \\ud800"}';
    for (const body of [leading, new TextEncoder().encode(escaped)]) {
      const res = await signedBytes(ids.cloud, body);
      expect(res.status).toBe(400);
      await res.body?.cancel();
    }
    expect(await rawOf(ids.cloud, "RAW-LEAD")).toHaveLength(1);
    expect(await rawOf(ids.cloud, "RAW-ESC")).toHaveLength(1);
  });

  it("keeps the bytes of a processed body too, once per body however often it is sent", async () => {
    const text = JSON.stringify(
      cloudText(pnid, {
        from: "5511987600002",
        id: "wamid.RAW-OK",
        body: "fine",
        timestamp: 1767225600,
      }),
    );
    for (let i = 0; i < 2; i++) {
      const res = await signedBytes(ids.cloud, text);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    const raws = await rawOf(ids.cloud, "wamid.RAW-OK");
    expect(raws).toHaveLength(1);
    expect(raws[0].toString("utf8")).toBe(text);
  });
});

describe("no secret, no file where clients read", () => {
  const b64 = Buffer.from("JPEG bytes that Evolution inlined").toString("base64");
  const imageBody = (id: string, fromMe?: boolean) => ({
    ...evolutionUpsert({
      instance: "store-instance",
      apikey: EVO_KEY,
      jid: "5511987600003@s.whatsapp.net",
      id,
      text: "",
    }),
    data: {
      key: {
        remoteJid: "5511987600003@s.whatsapp.net",
        id,
        ...(fromMe === undefined ? {} : { fromMe }),
      },
      pushName: "Bia",
      messageType: "imageMessage",
      messageTimestamp: 1767225600,
      message: {
        imageMessage: {
          url: "https://mmg.whatsapp.net/img",
          mimetype: "image/jpeg",
          caption: "photo",
        },
        base64: b64,
      },
      source: { apikey: EVO_KEY },
    },
  });

  it("stores an inline-media Evolution message without its key or bytes, and says it came inline", async () => {
    const res = await fetch(url(ids.evo), {
      method: "POST",
      body: JSON.stringify(imageBody("3EB0STOREIMG", false)),
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    const leaks = await sql`select 1 from public.webhook_events where channel_id = ${ids.evo}
      and (payload::text like ${"%" + EVO_KEY + "%"} or payload::text like ${"%" + b64 + "%"})`;
    expect(leaks).toHaveLength(0);
    const [m] = await sql`select m.payload, f.came_inline from public.messages m
      join public.media_files f on f.message_id = m.id where m.provider_message_id = '3EB0STOREIMG'`;
    expect(JSON.stringify(m.payload)).not.toContain(b64);
    expect(m.payload.message.base64).toMatchObject({
      stripped: "inline media",
      mimetype: "image/jpeg",
    });
    expect(m.came_inline).toBe(true);
    const raws = await rawOf(ids.evo, "3EB0STOREIMG");
    expect(raws[0].toString("utf8")).not.toContain(EVO_KEY);
  });

  it("keeps the key out of a body that fails validation, in every copy", async () => {
    const res = await fetch(url(ids.evo), {
      method: "POST",
      body: JSON.stringify(imageBody("3EB0STOREBAD")), // no fromMe: not the schema
    });
    expect(res.status).toBe(400);
    await res.body?.cancel();
    const [ev] =
      await sql`select w.payload::text as payload, coalesce(w.raw_body, '') as raw, w.event_type
      from public.webhook_events w where w.channel_id = ${ids.evo} and w.payload::text like '%3EB0STOREBAD%'`;
    expect(ev.event_type).toBe("invalid");
    expect(ev.payload + ev.raw).not.toContain(EVO_KEY);
    expect(ev.payload).not.toContain(b64);
    const raws = await rawOf(ids.evo, "3EB0STOREBAD");
    expect(raws).toHaveLength(1);
    expect(raws[0].toString("utf8")).not.toContain(EVO_KEY);
  });
});

describe("replay", () => {
  it("lets admins replay their failed events by id or filter, recording the outcome; nobody else", async () => {
    // Failed validation (no fromMe), but what the database can process.
    const body = {
      ...evolutionUpsert({
        instance: "store-instance",
        apikey: EVO_KEY,
        jid: "5511987600004@s.whatsapp.net",
        id: "3EB0REPLAY",
        text: "replay me",
      }),
    };
    delete (body.data.key as { fromMe?: boolean }).fromMe;
    const res = await fetch(url(ids.evo), { method: "POST", body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    await res.body?.cancel();
    const [{ id }] = await sql`select id from public.webhook_events
      where channel_id = ${ids.evo} and payload::text like '%3EB0REPLAY%'`;

    for (const who of [null, member, outsider]) {
      const r = await rpcReplay(who, { workspace_id: ws, event_ids: [id] });
      expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
    }
    // An outsider learns nothing from a workspace that does not exist either.
    const ghost = await rpcReplay(outsider, { workspace_id: crypto.randomUUID() });
    const real = await rpcReplay(outsider, { workspace_id: ws });
    expect(ghost).toEqual(real);
    // Nor can an admin reach another workspace's events through their own.
    const mine = await rpcReplay(outsider, { workspace_id: otherWs, event_ids: [id] });
    expect(mine).toEqual({ status: 200, body: [] });

    const r = await rpcReplay(owner, { workspace_id: ws, event_ids: [id] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([{ event_id: Number(id), status: "processed", error: null }]);
    const [ev] = await sql`select processed, processed_at, retry_count, last_attempt_at, error
      from public.webhook_events where id = ${id}`;
    expect(ev).toMatchObject({ processed: true, error: null, retry_count: 1 });
    expect(ev.last_attempt_at).not.toBeNull();
    expect(
      (await sql`select content from public.messages where provider_message_id = '3EB0REPLAY'`)[0]
        ?.content,
    ).toBe("replay me");
  });

  it("replays by filter and records a failure's attempt and error", async () => {
    const text = '{"object":"whatsapp_business_account","entry":[{"id":"REPLAY-BROKEN"';
    const res = await signedBytes(ids.cloud, text);
    expect(res.status).toBe(400);
    await res.body?.cancel();
    const r = await rpcReplay(owner, {
      workspace_id: ws,
      provider: "cloud_api",
      channel_id: ids.cloud,
      since: new Date(Date.now() - 60_000).toISOString(),
      error_contains: "invalid json",
    });
    expect(r.status).toBe(200);
    const mine = r.body.filter((x: { status: string }) => x.status === "failed");
    expect(mine.length).toBeGreaterThanOrEqual(1);
    const [ev] = await sql`select retry_count, error, last_attempt_at from public.webhook_events
      where channel_id = ${ids.cloud} and raw_body like '%REPLAY-BROKEN%'`;
    expect(ev.retry_count).toBe(1);
    expect(ev.error).toMatch(/json/i);
    expect(ev.last_attempt_at).not.toBeNull();
  });
});
