import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hubSignature } from "../../shared/signature.ts";
import { adminSql, asUser, createUser, type Sql, type TestUser } from "../helpers/db.ts";
import { fake, until } from "../helpers/e2e.ts";
import { stack } from "../helpers/stack.ts";
import { goMarshal, gowa, type GowaBody, gowaDocs } from "../fixtures/gowa.ts";

// A GOWA (go-whatsapp-web-multidevice) channel end to end: the bodies GOWA
// documents, signed as GOWA signs them, through the gateway into the inbox;
// a reply out through the dispatcher to the fake provider speaking GOWA's
// REST API; its message.ack webhooks back into the message's status.
const s = stack();
const run = Date.now().toString().slice(-6);
const device = `gowa-e2e-${run}`;
const secret = "gowa-e2e-webhook-secret";
let sql: Sql;
let owner: TestUser;
let ws: string;
let channel: string;

const url = () => `${s.apiUrl}/functions/v1/whatsapp-webhook/${channel}`;
async function post(body: GowaBody | string, key = secret) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const res = await fetch(url(), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": await hubSignature(key, text),
    },
    body: text,
  });
  return { status: res.status, body: await res.json() };
}
const message = async (id: string) =>
  (await sql`select m.*, c.chat_id, c.type as conversation_type from public.messages m
               join public.conversations c on c.id = m.conversation_id
              where m.channel_id = ${channel} and m.provider_message_id = ${id}`)[0];

beforeAll(async () => {
  sql = adminSql();
  owner = await createUser(`gowa-${crypto.randomUUID()}@example.com`);
  [{ id: ws }] = await asUser(
    sql,
    owner,
    (tx) => tx`select id from public.create_workspace('GOWA Co')`,
  );
  await asUser(sql, owner, async (tx) => {
    [{ id: channel }] = await tx`
      insert into public.channels (workspace_id, provider, name, device_id, api_base_url)
      values (${ws}, 'whatsmeow', 'GOWA', ${device}, ${s.fakeProviderUrl}) returning id`;
    await tx`select public.set_channel_credentials(${channel}, ${
      tx.json({ api_key: "gowa:e2e-basic-pass", webhook_secret: secret })
    })`;
  });
});
afterAll(async () => {
  await fake(`/__fake/gowa-callbacks?device_id=${device}`, { method: "DELETE" });
  await sql`delete from auth.users where id = ${owner.id}`;
  await sql.end();
});

describe("GOWA webhooks", () => {
  it("turns GOWA's documented text message into contact, conversation and message", async () => {
    const res = await post(gowaDocs.text);
    expect(res).toMatchObject({ status: 200, body: { status: "processed", messages: 1 } });
    const m = await message("3EB0C127D7BACC83D6A1");
    expect(m).toMatchObject({
      content: "Hello, how are you?",
      direction: "inbound",
      push_name: "John Doe",
      chat_id: "628987654321@s.whatsapp.net",
    });
    const [ch] = await sql`select status, phone_number from public.channels where id = ${channel}`;
    expect(ch).toMatchObject({ status: "connected", phone_number: "628987654321" });
  });

  it("verifies the bytes as GOWA signs them: Go's key order and escapes", async () => {
    const text = goMarshal(gowa(gowaDocs.text, { id: "GO-BYTES", body: "Fish & chips <today>" }));
    expect(text).toContain("Fish \\u0026 chips \\u003ctoday\\u003e");
    expect(await post(text)).toMatchObject({ status: 200, body: { messages: 1 } });
    expect((await message("GO-BYTES")).content).toBe("Fish & chips <today>");
  });

  it("refuses a wrong or missing signature and stores nothing", async () => {
    const body = gowa(gowaDocs.text, { id: "FORGED" });
    expect((await post(body, "secret")).status).toBe(401); // GOWA's default secret is not ours
    const unsigned = await fetch(url(), { method: "POST", body: JSON.stringify(body) });
    expect(unsigned.status).toBe(401);
    await unsigned.body?.cancel();
    expect(await message("FORGED")).toBeUndefined();
  });

  it("acknowledges every documented event, each mapped or ignored with a reason", async () => {
    const answers: Record<string, { status: number; body: Record<string, unknown> }> = {};
    for (const [name, body] of Object.entries(gowaDocs)) {
      if (name !== "text") answers[name] = await post(body);
    }
    for (const [name, a] of Object.entries(answers)) {
      expect([name, a.status, a.body.status]).toEqual([name, 200, "processed"]);
    }
    expect(answers.reply.body).toMatchObject({ messages: 1 });
    expect(answers.reaction.body).toMatchObject({ messages: 1 });
    expect(answers.revoked.body).toMatchObject({ statuses: 1 });
    expect(answers.callOffer.body).toMatchObject({ ignored: "event call.offer is not used" });
    expect(answers.deleted.body.ignored).toMatch(/deleted for the bridge's user only/);
    expect((await message("3EB0C127D7BACC83D6A1")).reactions).toEqual({
      "628987654321@s.whatsapp.net": "👍",
    });
    expect(await message("3EB0C127D7BACC83D6A4")).toMatchObject({
      type: "video",
      content: "Watch this!",
    });
    expect((await message("94D13237B4D7F33EE4A63228BBD79EC0")).status).toBe("deleted");
    expect(answers.newsletterMessage.body).toMatchObject({ messages: 0 });
    const ad = await message("3EB0C127D7BACC83D6B4");
    expect(ad).toMatchObject({
      type: "text",
      content: "Hello! I would like more information about the property.",
    });
    expect(ad.payload.referral.ctwa_clid).toBe("FAKE_CLID_abc123xyz");
    const [events] = await sql`select count(*)::int as n from public.webhook_events
                                where channel_id = ${channel} and processed
                                  and payload #>> '{payload,id}' is distinct from 'GO-BYTES'`;
    expect(events.n).toBe(Object.keys(gowaDocs).length);
  });
});

describe("GOWA replies and receipts", () => {
  it("sends a reply through GOWA's REST API and takes its acks back", async () => {
    const reg = await fake("/__fake/gowa-callbacks", {
      method: "POST",
      body: JSON.stringify({
        device_id: device,
        url: url(),
        webhook_secret: secret,
        device_jid: "628987654321@s.whatsapp.net",
        delay_ms: 100,
      }),
    });
    expect(reg.status).toBe(201);
    const [conv] = await sql`select id from public.conversations
                              where channel_id = ${channel} and chat_id = '628987654321@s.whatsapp.net'`;
    const [{ id }] = await asUser(
      sql,
      owner,
      (tx) =>
        tx`insert into public.messages (conversation_id, content, quoted_message_id)
           select ${conv.id}, 'Fine, thanks! How can we help?', m.id from public.messages m
            where m.channel_id = ${channel} and m.provider_message_id = '3EB0C127D7BACC83D6A2'
           returning id`,
    );
    const sent = await until("GOWA's /send/message request", async () => {
      const log = await (await fake(`/__fake/requests?path=/send/message`)).json();
      return log.find((r: { headers: Record<string, string> }) =>
        r.headers["x-device-id"] === device
      );
    });
    expect(sent.status).toBe(200);
    expect(sent.headers.authorization).toBe(`Basic ${btoa("gowa:e2e-basic-pass")}`);
    expect(sent.body).toEqual({
      phone: "628987654321@s.whatsapp.net",
      message: "Fine, thanks! How can we help?",
      reply_message_id: "3EB0C127D7BACC83D6A2",
    });
    const read = await until("the read ack", async () => {
      const [m] = await sql`select * from public.messages where id = ${id}`;
      return m.status === "read" ? m : null;
    });
    expect(read.provider_message_id).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(read.delivered_at).not.toBeNull();
  }, 20_000);
});
