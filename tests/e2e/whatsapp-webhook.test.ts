import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hubSignature } from "../../shared/signature.ts";
import { adminSql, asUser, createUser, type Sql, type TestUser } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";
import { cloudEnvelope, cloudStatus, cloudText, evolutionUpsert } from "../fixtures/payloads.ts";

// Through the gateway, as Meta, Evolution and a whatsmeow bridge would call.
const s = stack();
let sql: Sql;
let owner: TestUser;
let ws: string;
const ids = { cloud: "", evo: "", bridge: "" };
const pnid = `PN-E2E-${Date.now()}`;
const url = (channel: string, query = "") =>
  `${s.apiUrl}/functions/v1/whatsapp-webhook/${channel}${query}`;

async function signedPost(channel: string, body: unknown, secret: string) {
  const text = JSON.stringify(body);
  return await fetch(url(channel), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": await hubSignature(secret, text),
    },
    body: text,
  });
}

beforeAll(async () => {
  sql = adminSql();
  owner = await createUser(`hook-${crypto.randomUUID()}@example.com`);
  [{ id: ws }] = await asUser(
    sql,
    owner,
    (tx) => tx`select id from public.create_workspace('Webhook Co')`,
  );
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`; // billing's call, not the user's
  await asUser(sql, owner, async (tx) => {
    [{ id: ids.cloud }] =
      await tx`insert into public.channels (workspace_id, provider, name, phone_number_id)
      values (${ws}, 'cloud_api', 'Cloud', ${pnid}) returning id`;
    [{ id: ids.evo }] =
      await tx`insert into public.channels (workspace_id, provider, name, instance_name)
      values (${ws}, 'evolution', 'Evo', 'e2e-instance') returning id`;
    [{ id: ids.bridge }] =
      await tx`insert into public.channels (workspace_id, provider, name, device_id)
      values (${ws}, 'whatsmeow', 'Bridge', 'e2e-device') returning id`;
    await tx`select public.set_channel_credentials(${ids.cloud}, ${
      tx.json({ app_secret: "e2e-app-secret", verify_token: "e2e-verify" })
    })`;
    await tx`select public.set_channel_credentials(${ids.evo}, ${
      tx.json({ api_key: "e2e-evolution-key" })
    })`;
    await tx`select public.set_channel_credentials(${ids.bridge}, ${
      tx.json({ webhook_secret: "e2e-bridge-secret" })
    })`;
  });
});
afterAll(async () => {
  await sql`delete from auth.users where id = ${owner.id}`;
  await sql.end();
});

const eventCount = async () =>
  Number(
    (await sql`select count(*) from public.webhook_events where workspace_id = ${ws}`)[0].count,
  );

describe("Meta Cloud API", () => {
  it("answers the subscription handshake with the right token only", async () => {
    const ok = await fetch(
      url(ids.cloud, "?hub.mode=subscribe&hub.verify_token=e2e-verify&hub.challenge=1158201444"),
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    const bad = await fetch(
      url(ids.cloud, "?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"),
    );
    expect(bad.status).toBe(403);
    await bad.body?.cancel();
  });

  it("turns a signed text message into contact, conversation and message rows", async () => {
    const res = await signedPost(
      ids.cloud,
      cloudText(pnid, {
        from: "5511987650001",
        id: "wamid.E2E1",
        body: "Is my order ready?",
        name: "Lia",
      }),
      "e2e-app-secret",
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "processed", messages: 1 });
    const [row] = await sql`
      select ct.name, ct.phone, c.display_id, c.unread_count, m.content, m.direction
        from public.messages m join public.conversations c on c.id = m.conversation_id
        join public.contacts ct on ct.id = m.contact_id
       where m.provider_message_id = 'wamid.E2E1'`;
    expect(row).toMatchObject({
      name: "Lia",
      phone: "5511987650001",
      unread_count: 1,
      content: "Is my order ready?",
      direction: "inbound",
    });
  });

  it("acknowledges Meta's retries without a second message", async () => {
    const body = cloudText(pnid, {
      from: "5511987650001",
      id: "wamid.E2E2",
      body: "again",
      timestamp: 1767225600,
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await signedPost(ids.cloud, body, "e2e-app-secret");
      statuses.push((await res.json()).status);
    }
    expect(statuses).toEqual(["processed", "duplicate", "duplicate"]);
    expect(
      (await sql`select 1 from public.messages where provider_message_id = 'wamid.E2E2'`).length,
    ).toBe(1);
  });

  it("applies delivered and read statuses to our outbound message", async () => {
    await sql`insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, content, status, provider_message_id)
      select workspace_id, channel_id, id, 'outbound', 'text', 'Yes, ready', 'sent', 'wamid.E2E-OUT'
        from public.conversations where channel_id = ${ids.cloud} and chat_id = '5511987650001'`;
    for (const status of ["delivered", "read"] as const) {
      const res = await signedPost(
        ids.cloud,
        cloudStatus(pnid, { id: "wamid.E2E-OUT", status, to: "5511987650001" }),
        "e2e-app-secret",
      );
      expect(res.status).toBe(200);
    }
    const [m] =
      await sql`select status, delivered_at, read_at from public.messages where provider_message_id = 'wamid.E2E-OUT'`;
    expect(m.status).toBe("read");
    expect(m.delivered_at).not.toBeNull();
    expect(m.read_at).not.toBeNull();
  });

  it("answers 401 to a wrong or missing signature and stores nothing", async () => {
    const before = await eventCount();
    const body = cloudText(pnid, { from: "5511987650009", id: "wamid.FORGED", body: "forged" });
    expect((await signedPost(ids.cloud, body, "not-the-secret")).status).toBe(401);
    const unsigned = await fetch(url(ids.cloud), { method: "POST", body: JSON.stringify(body) });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ error: "invalid signature" });
    expect(await eventCount()).toBe(before);
  });

  it("stores a signed but malformed body raw and answers 400", async () => {
    const text = '{"object":"whatsapp_business_account","entry":[{"id":';
    const res = await fetch(url(ids.cloud), {
      method: "POST",
      headers: { "x-hub-signature-256": await hubSignature("e2e-app-secret", text) },
      body: text,
    });
    expect(res.status).toBe(400);
    const [ev] =
      await sql`select raw_body, error, processed from public.webhook_events where channel_id = ${ids.cloud} and raw_body is not null`;
    expect(ev).toMatchObject({ raw_body: text, processed: false });
    expect(ev.error).toMatch(/invalid JSON/);
  });

  it("stores messages with fields Postgres's jsonb cannot hold (\\u0000, a lone surrogate, a number beyond numeric), cleaned, with their neighbours", async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const text = JSON.stringify(cloudEnvelope(pnid, {
      contacts: [{ profile: { name: "Nul" }, wa_id: "5511987650007" }],
      messages: [
        {
          from: "5511987650007",
          id: "wamid.E2E-NUL",
          timestamp: ts,
          type: "text",
          text: { body: "nul \u0000 inside" },
        },
        {
          from: "5511987650007",
          id: "wamid.E2E-HALF",
          timestamp: ts,
          type: "text",
          text: { body: "half \ud83d emoji" },
        },
        {
          from: "5511987650007",
          id: "wamid.E2E-FAR",
          timestamp: ts,
          type: "location",
          location: { latitude: "HUGE", longitude: -46.63, name: "Far away" },
        },
        {
          from: "5511987650008",
          id: "wamid.E2E-NEIGHBOUR",
          timestamp: ts,
          type: "text",
          text: { body: "fine" },
        },
      ],
    })).replace('"HUGE"', "1e1000000");
    expect(text).toContain("\\u0000");
    expect(text).toContain("\\ud83d emoji");
    const res = await fetch(url(ids.cloud), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": await hubSignature("e2e-app-secret", text),
      },
      body: text,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "processed", messages: 4 });
    const rows =
      await sql`select provider_message_id, content, location_latitude from public.messages
      where provider_message_id like 'wamid.E2E-%' and provider_message_id in
        ('wamid.E2E-NUL', 'wamid.E2E-HALF', 'wamid.E2E-FAR', 'wamid.E2E-NEIGHBOUR')
      order by provider_message_id`;
    expect(rows.map((r) => [r.provider_message_id, r.content, r.location_latitude])).toEqual([
      ["wamid.E2E-FAR", "Far away", null],
      ["wamid.E2E-HALF", "half \uFFFD emoji", null],
      ["wamid.E2E-NEIGHBOUR", "fine", null],
      ["wamid.E2E-NUL", "nul  inside", null],
    ]);
  });

  it("accepts the new app secret right after it is rotated", async () => {
    await asUser(
      sql,
      owner,
      (tx) =>
        tx`select public.set_channel_credentials(${ids.cloud}, ${
          tx.json({ app_secret: "rotated-app-secret" })
        })`,
    );
    const res = await signedPost(
      ids.cloud,
      cloudText(pnid, { from: "5511987650002", id: "wamid.E2E-ROT", body: "after rotation" }),
      "rotated-app-secret",
    );
    expect(res.status).toBe(200);
  });

  it("answers 404 for an unknown channel", async () => {
    const res = await signedPost(
      crypto.randomUUID(),
      cloudText(pnid, { from: "1", id: "x", body: "x" }),
      "e2e-app-secret",
    );
    expect(res.status).toBe(404);
    await res.body?.cancel();
  });
});

describe("Evolution API", () => {
  it("accepts the instance key and never stores it", async () => {
    const body = evolutionUpsert({
      instance: "e2e-instance",
      apikey: "e2e-evolution-key",
      jid: "5511987650003@s.whatsapp.net",
      id: "3EB0E2E",
      text: "Olá",
    });
    const res = await fetch(url(ids.evo), {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    expect((await res.json()).messages).toBe(1);
    const leaked =
      await sql`select 1 from public.webhook_events where channel_id = ${ids.evo} and payload::text like '%e2e-evolution-key%'`;
    expect(leaked).toHaveLength(0);
  });

  it("refuses a wrong key", async () => {
    const body = evolutionUpsert({
      instance: "e2e-instance",
      apikey: "wrong-key",
      jid: "5511987650003@s.whatsapp.net",
      id: "3EB0BAD",
      text: "x",
    });
    const res = await fetch(url(ids.evo), { method: "POST", body: JSON.stringify(body) });
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });
});
