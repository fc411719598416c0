import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hubSignature } from "../../shared/signature.ts";
import { adminSql, asUser, createUser, type Sql, type TestUser } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";
import {
  evoDocs,
  evolution,
  evoMessage,
  metaAccountFields,
  metaDocs,
  metaEcho,
  type MetaIds,
  metaMessage,
  metaStatus,
  metaStatusExtras,
} from "../fixtures/documented-payloads.ts";

// The providers' documented payloads, through the webhook function into the
// tables: accepted, stored field by field, and harmless when sent again.
const s = stack();
let sql: Sql;
let owner: TestUser;
let ws: string;
const ids = { cloud: "", evo: "" };
const run = Date.now().toString().slice(-7);
const pnid = `PN-DOC-${run}`;
const business = `1555${run}`;
const evoKey = "doc-evolution-key";
const appSecret = "doc-app-secret";
let n = 0;
const wa = () => `1650${run}${String(++n).padStart(3, "0")}`;
const wamid = () => `wamid.DOC${run}${String(++n).padStart(4, "0")}`;

async function post(channel: string, body: unknown) {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (channel === ids.cloud) headers["x-hub-signature-256"] = await hubSignature(appSecret, text);
  const r = await fetch(`${s.apiUrl}/functions/v1/whatsapp-webhook/${channel}`, {
    method: "POST",
    headers,
    body: text,
  });
  return { status: r.status, body: await r.json() as Record<string, unknown> };
}

// Posted twice: the second delivery changes nothing.
async function deliver(channel: string, body: unknown) {
  const first = await post(channel, body);
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  const again = await post(channel, body);
  expect(again.status, JSON.stringify(again.body)).toBe(200);
  return first.body;
}

const message = async (provider_id: string) => {
  const rows = await sql`
    select m.*, c.name as contact_name, c.phone as contact_phone
      from public.messages m left join public.contacts c on c.id = m.contact_id
     where m.workspace_id = ${ws} and m.provider_message_id = ${provider_id}`;
  expect(rows.length, `one message ${provider_id}`).toBe(1);
  return rows[0];
};

const meta = (): MetaIds => ({ pnid, wa: wa(), id: wamid() });

beforeAll(async () => {
  sql = adminSql();
  owner = await createUser(`docs-${crypto.randomUUID()}@example.com`);
  [{ id: ws }] = await asUser(
    sql,
    owner,
    (tx) => tx`select id from public.create_workspace('Documented Payloads')`,
  );
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`;
  await asUser(sql, owner, async (tx) => {
    [{ id: ids.cloud }] =
      await tx`insert into public.channels (workspace_id, provider, name, phone_number_id)
      values (${ws}, 'cloud_api', 'Cloud', ${pnid}) returning id`;
    [{ id: ids.evo }] =
      await tx`insert into public.channels (workspace_id, provider, name, instance_name)
      values (${ws}, 'evolution', 'Evo', ${`doc-${run}`}) returning id`;
    await tx`select public.set_channel_credentials(${ids.cloud}, ${
      tx.json({ app_secret: appSecret, verify_token: "doc-verify" })
    })`;
    await tx`select public.set_channel_credentials(${ids.evo}, ${tx.json({ api_key: evoKey })})`;
  });
});
afterAll(async () => {
  await sql`delete from auth.users where id = ${owner.id}`;
  await sql.end();
});

describe("Meta Cloud API, as its webhook reference shows it", () => {
  it("stores text with the sender's profile name and number", async () => {
    const i = meta();
    await deliver(ids.cloud, metaDocs.text(i));
    const m = await message(i.id);
    expect(m).toMatchObject({
      type: "text",
      direction: "inbound",
      content: "Does it come in another color?",
      push_name: "Sheena Nelson",
      contact_phone: i.wa,
      remote_jid: i.wa,
    });
  });

  it("keeps a click-to-WhatsApp ad's referral with the message", async () => {
    const i = meta();
    await deliver(ids.cloud, metaDocs.textFromAd(i));
    const m = await message(i.id);
    expect(m.content).toBe("Can I get more info about this?");
    expect(m.payload.referral.source_id).toBe("120226305854810726");
  });

  it("stores each media type's id, mime type, sha256, caption and file name", async () => {
    const cases = [
      ["image", metaDocs.image, "image/jpeg", "Black jacket", null],
      ["audio", metaDocs.voice, "audio/ogg; codecs=opus", null, null],
      ["video", metaDocs.video, "video/mp4", "Unboxing", null],
      ["document", metaDocs.document, "application/pdf", "Invoice", "invoice-4121.pdf"],
      ["sticker", metaDocs.sticker, "image/webp", null, null],
    ] as const;
    for (const [type, build, mime, caption, filename] of cases) {
      const i = meta();
      const body = build(i);
      await deliver(ids.cloud, body);
      const value = body.entry[0].changes[0].value as unknown as {
        messages: Record<string, { id: string; sha256: string }>[];
      };
      const sent = value.messages[0][type];
      const m = await message(i.id);
      expect(m, type).toMatchObject({
        type,
        media_id: sent.id,
        media_mime_type: mime,
        media_sha256: sent.sha256,
        content: caption,
        media_filename: filename,
      });
      const files =
        await sql`select provider_media_id from public.media_files where message_id = ${m.id}`;
      expect(files.map((f) => f.provider_media_id)).toEqual([sent.id]);
    }
  });

  it("stores a location and a shared contact card", async () => {
    const loc = meta();
    await deliver(ids.cloud, metaDocs.location(loc));
    expect(await message(loc.id)).toMatchObject({
      type: "location",
      content: "Meta Headquarters",
      location_latitude: "37.483872",
      location_longitude: "-122.148358",
      location_name: "Meta Headquarters",
      location_address: "1 Hacker Way, Menlo Park, CA 94025",
    });
    const card = meta();
    await deliver(ids.cloud, metaDocs.contacts(card));
    expect(await message(card.id)).toMatchObject({ type: "contacts", content: "Kerry Fitzgerald" });
  });

  it("stores replies to interactive messages and template buttons with what they answer", async () => {
    const asked = wamid();
    const cases = [
      [metaDocs.buttonReply, "interactive", "interactive.button_reply", "Cancel order"],
      [metaDocs.listReply, "interactive", "interactive.list_reply", "Express Shipping"],
      [metaDocs.flowReply, "interactive", "interactive.nfm_reply", "Sent"],
      [metaDocs.templateButton, "button", "button", "Unsubscribe"],
    ] as const;
    for (const [build, type, provider_type, content] of cases) {
      const i = meta();
      await deliver(ids.cloud, build(i, asked));
      expect(await message(i.id), provider_type).toMatchObject({
        type,
        provider_type,
        content,
        quoted_provider_message_id: asked,
      });
    }
  });

  it("puts a reaction on its target and takes it off when the emoji is removed", async () => {
    const target = meta();
    await deliver(ids.cloud, metaDocs.text(target));
    const reactor = { ...meta(), wa: target.wa };
    await deliver(ids.cloud, metaDocs.reaction(reactor, target.id));
    expect(await message(reactor.id)).toMatchObject({
      type: "reaction",
      reaction_target_id: target.id,
      reaction_emoji: "\u{1F600}",
    });
    expect((await message(target.id)).reactions).toEqual({ [target.wa]: "\u{1F600}" });
    const removal = { ...meta(), wa: target.wa };
    await deliver(ids.cloud, metaDocs.reactionRemoved(removal, target.id));
    expect((await message(removal.id)).reaction_emoji).toBeNull();
    expect((await message(target.id)).reactions).toEqual({});
  });

  it("stores an order, a number change and an unsupported message with its errors", async () => {
    const order = meta();
    await deliver(ids.cloud, metaDocs.order(order));
    expect(await message(order.id)).toMatchObject({
      type: "order",
      content: "Please deliver by Friday",
    });
    const sys = meta();
    await deliver(ids.cloud, metaDocs.changedNumber(sys));
    expect((await message(sys.id)).type).toBe("system");
    const odd = meta();
    await deliver(ids.cloud, metaDocs.unsupported(odd));
    const m = await message(odd.id);
    expect(m.type).toBe("unsupported");
    expect(m.errors[0].code).toBe(131051);
  });

  it("marks forwarded messages and keeps a product enquiry's context", async () => {
    const fwd = meta();
    await deliver(ids.cloud, metaDocs.forwarded(fwd));
    expect(await message(fwd.id)).toMatchObject({ is_forwarded: true, forward_score: 0 });
    const often = meta();
    await deliver(ids.cloud, metaDocs.frequentlyForwarded(often));
    expect((await message(often.id)).is_forwarded).toBe(true);
    expect((await message(often.id)).forward_score).toBeGreaterThan(0);
    const enquiry = meta();
    await deliver(ids.cloud, metaDocs.productEnquiry(enquiry));
    const m = await message(enquiry.id);
    expect(m.quoted_provider_message_id).toBe("wamid.catalog-message");
    expect(m.payload.context.referred_product.product_retailer_id).toBe("di9ozbzfi4");
  });

  it("accepts a message from a username user known only by business-scoped user id", async () => {
    const i = { pnid, wa: `US.13491208655302741${run}`, id: wamid() };
    const r = await deliver(ids.cloud, metaDocs.usernameOnly(i));
    expect(r).toMatchObject({ status: "processed", messages: 1 });
    expect(await message(i.id)).toMatchObject({
      type: "text",
      content: "Hi, I found you through your ad",
      push_name: "Pablo Morales",
      remote_jid: i.wa,
      contact_phone: null,
    });
  });

  it("moves an outbound message through sent, delivered, read and played", async () => {
    const to = wa();
    const id = wamid();
    for (const status of ["sent", "delivered", "read", "played"]) {
      const extra = status === "sent" ? metaStatusExtras.sent : {};
      const r = await deliver(ids.cloud, metaStatus(pnid, id, status, to, extra));
      expect(r.status, status).toBe("processed");
    }
    // The statuses came before the message was known: parked, then applied.
    const parked = await sql`
      select status::text from private.pending_message_statuses
       where provider_message_id = ${id} order by status`;
    expect(parked.map((p) => p.status)).toContain("played");
  });

  it("records a failed status's error on the message", async () => {
    const to = wa();
    const sent = meta();
    sent.wa = to;
    // An echo of our own send makes the message exist first.
    await deliver(ids.cloud, metaEcho(pnid, business, to, sent.id));
    await deliver(ids.cloud, metaStatus(pnid, sent.id, "failed", to, metaStatusExtras.failed));
    const m = await message(sent.id);
    expect(m).toMatchObject({ status: "failed", error_code: 131049 });
  });

  it("stores a message the business sent from the WhatsApp Business app as outbound", async () => {
    const to = wa();
    const id = wamid();
    const r = await deliver(ids.cloud, metaEcho(pnid, business, to, id));
    expect(r).toMatchObject({ status: "processed", messages: 1 });
    expect(await message(id)).toMatchObject({
      type: "text",
      direction: "outbound",
      status: "sent",
      remote_jid: to,
      contact_phone: to,
      content: "Here's the info you requested! https://www.meta.com/quest/quest-3/",
    });
  });

  it("takes several entries, changes and messages in one POST", async () => {
    const a = meta();
    const b = meta();
    const c = meta();
    const one = metaMessage(a, { type: "text", text: { body: "first" } });
    const two = metaMessage(b, { type: "text", text: { body: "second" } });
    const three = metaMessage(c, { type: "text", text: { body: "third" } });
    one.entry[0].changes.push(two.entry[0].changes[0]);
    one.entry.push(three.entry[0]);
    const r = await deliver(ids.cloud, one);
    expect(r).toMatchObject({ status: "processed", messages: 3 });
    for (const [i, body] of [[a, "first"], [b, "second"], [c, "third"]] as const) {
      expect((await message(i.id)).content).toBe(body);
    }
  });

  it("acknowledges account-level fields and keeps them", async () => {
    const r = await deliver(ids.cloud, metaAccountFields(pnid));
    expect(r).toMatchObject({ status: "processed", messages: 0, ignored_changes: 4 });
  });
});

describe("Evolution API v2, as Baileys hands messages over", () => {
  const evo = (jid: string) => ({
    instance: `doc-${run}`,
    apikey: evoKey,
    jid,
    id: `3EB0${run}${++n}`,
  });

  it("unwraps disappearing and view-once messages", async () => {
    const e = evo(`55119${run}01@s.whatsapp.net`);
    await deliver(ids.evo, evolution(e, "messages.upsert", evoDocs.ephemeralText(e)));
    expect(await message(e.id)).toMatchObject({
      type: "text",
      content: "This chat has disappearing messages",
      push_name: "Maria Souza",
    });
    const v = evo(`55119${run}02@s.whatsapp.net`);
    // With webhook_by_events, Evolution posts each event under its own path.
    await deliver(
      `${ids.evo}/messages-upsert`,
      evolution(v, "MESSAGES_UPSERT", evoDocs.viewOnceImage(v)),
    );
    expect(await message(v.id)).toMatchObject({
      type: "image",
      content: "See once",
      media_mime_type: "image/jpeg",
      media_size: "56023",
    });
  });

  it("stores a round video note as a video", async () => {
    const e = evo(`55119${run}07@s.whatsapp.net`);
    await deliver(ids.evo, evolution(e, "messages.upsert", evoDocs.videoNote(e)));
    expect(await message(e.id)).toMatchObject({
      type: "video",
      provider_type: "ptvMessage",
      media_mime_type: "video/mp4",
      media_duration: 12,
    });
  });

  it("files a LID-addressed chat under the phone number it comes with", async () => {
    const phone = `55119${run}03`;
    const e = evo(`2725169${run}@s.whatsapp.net`);
    await deliver(
      ids.evo,
      evolution(e, "messages.upsert", evoDocs.lidText(e, `${phone}@s.whatsapp.net`)),
    );
    expect(await message(e.id)).toMatchObject({
      content: "Oi, vi o anúncio",
      contact_phone: phone,
      remote_jid: `${phone}@s.whatsapp.net`,
    });
    const g = evo(`1203630${run}@g.us`);
    const member = `55119${run}04`;
    await deliver(
      ids.evo,
      evolution(
        g,
        "messages.upsert",
        evoDocs.lidGroup(g, `9988${run}@lid`, `${member}@s.whatsapp.net`),
      ),
    );
    expect(await message(g.id)).toMatchObject({
      participant_jid: `${member}@s.whatsapp.net`,
      contact_phone: member,
    });
  });

  it("applies edits and revokes sent as messages.edited, and takes no DELETED fallback as a deletion", async () => {
    const e = evo(`55119${run}06@s.whatsapp.net`);
    await deliver(
      ids.evo,
      evolution(
        e,
        "messages.upsert",
        evoMessage(e, "conversation", { conversation: "Quero 2 camisas" }),
      ),
    );
    const key = { remoteJid: e.jid, fromMe: false, id: e.id };
    const edit = {
      key,
      type: "MESSAGE_EDIT",
      editedMessage: { conversation: "Quero 3 camisas" },
      timestampMs: String(Date.now()),
    };
    const r = await deliver(ids.evo, evolution(e, "MESSAGES_EDITED", edit));
    expect(r).toMatchObject({ event: "messages.edited", statuses: 1 });
    // The edit also comes as an update without a receipt, which Evolution
    // labels DELETED.
    await deliver(
      ids.evo,
      evolution(e, "messages.update", {
        messageId: "cm0x3m1jx0004p8x2c3l2h0z2",
        keyId: e.id,
        remoteJid: e.jid,
        fromMe: false,
        status: "DELETED",
        instanceId: "f2c1d5a0-5d5e-4f57-9d1c-1c1f3d2a8b11",
      }),
    );
    let m = await message(e.id);
    expect(m.content).toBe("Quero 3 camisas");
    expect(m.edited_at).not.toBeNull();
    expect(m.deleted_at).toBeNull();
    await deliver(ids.evo, evolution(e, "messages.edited", { key, type: "REVOKE" }));
    m = await message(e.id);
    expect(m.deleted_at).not.toBeNull();
  });

  it("applies delivery acks from messages.update", async () => {
    const e = evo(`55119${run}05@s.whatsapp.net`);
    await deliver(
      ids.evo,
      evolution(e, "send.message", {
        ...evoMessage(e, "conversation", { conversation: "Seu pedido saiu" }, { fromMe: true }),
        status: "PENDING",
      }),
    );
    await deliver(
      ids.evo,
      evolution(e, "messages.update", {
        messageId: "cm0x3m1jx0003p8x2c3l2h0z1",
        keyId: e.id,
        remoteJid: e.jid,
        fromMe: true,
        participant: e.jid,
        status: "READ",
        instanceId: "f2c1d5a0-5d5e-4f57-9d1c-1c1f3d2a8b11",
      }),
    );
    expect(await message(e.id)).toMatchObject({ direction: "outbound", status: "read" });
  });
});
