import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hubSignature } from "../../shared/signature.ts";
import { adminSql, type Sql } from "../helpers/db.ts";
import { anonClient, type Client, ok, type Person, signUp } from "../helpers/client.ts";
import { fake, until } from "../helpers/e2e.ts";
import { stack } from "../helpers/stack.ts";
import { cloudEnvelope } from "../fixtures/payloads.ts";

// Received media from each provider, through the webhook, the media
// function and the fake provider's media endpoints, into Storage; then read
// by members (signed URLs) and refused to everyone else, sent again, and
// removed when nothing uses it.
const s = stack();
const run = Date.now().toString().slice(-6);
let sql: Sql;
let anon: Client;
let member: Person;
let outsider: Person;
let ws: string;
const ch = { cloud: "", evo: "", gowa: "" };
const PNID = `PN-MEDIA-IN-${run}`;
const TOKEN = `media-in-token-${run}`;
const SECRET = `media-in-secret-${run}`;
const INSTANCE = `media-in-${run}`;
const EVO_KEY = `media-in-evo-key-${run}`;
const DEVICE = `media-in-dev-${run}`;
const GOWA_SECRET = `media-in-gowa-${run}`;
const CUSTOMER = `5511${run}77`;

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function fakeJson(path: string, body: unknown) {
  const res = await fake(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return await res.json();
}
type Registered = {
  media_id: string;
  sha256: { hex: string; base64: string };
  message_id?: string;
  path?: string;
};
const register = (spec: Record<string, unknown>): Promise<Registered> =>
  fakeJson("/__fake/media", spec);

async function postCloud(message: Record<string, unknown>) {
  const body = JSON.stringify(cloudEnvelope(PNID, {
    contacts: [{ profile: { name: "Ana" }, wa_id: CUSTOMER }],
    messages: [{ from: CUSTOMER, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
  }));
  const res = await fetch(`${s.apiUrl}/functions/v1/whatsapp-webhook/${ch.cloud}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": await hubSignature(SECRET, body),
    },
    body,
  });
  expect(res.status).toBe(200);
}

async function postEvolution(data: Record<string, unknown> | unknown[], event = "messages.upsert") {
  const res = await fetch(`${s.apiUrl}/functions/v1/whatsapp-webhook/${ch.evo}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      event,
      instance: INSTANCE,
      data,
      date_time: new Date().toISOString(),
      sender: "5511955550000@s.whatsapp.net",
      server_url: s.fakeProviderUrl,
      apikey: EVO_KEY,
    }),
  });
  expect(res.status).toBe(200);
}

async function postGowa(payload: Record<string, unknown>) {
  const body = JSON.stringify({ event: "message", device_id: DEVICE, payload });
  const res = await fetch(`${s.apiUrl}/functions/v1/whatsapp-webhook/${ch.gowa}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": await hubSignature(GOWA_SECRET, body),
    },
    body,
  });
  expect(res.status).toBe(200);
}

type MediaRow = {
  status: string;
  storage_path: string | null;
  error: string | null;
  sha256: string | null;
  id: string;
};
async function settled(providerMessageId: string, ms = 20_000): Promise<MediaRow> {
  return await until(`media of ${providerMessageId} to settle`, async () => {
    const [row] = await sql<MediaRow[]>`
      select f.id, f.status::text as status, f.storage_path, f.error, f.sha256
        from public.media_files f join public.messages m on m.id = f.message_id
       where m.provider_message_id = ${providerMessageId}`;
    return row && (row.status === "stored" || row.status === "expired" ||
        (row.status === "failed" && row.error))
      ? row
      : null;
  }, ms);
}

async function downloadAs(c: Client, path: string) {
  const signed = await c.storage.from("media").createSignedUrl(path, 60);
  if (signed.error) return { error: signed.error };
  const res = await fetch(signed.data.signedUrl);
  return { bytes: new Uint8Array(await res.arrayBuffer()) };
}

beforeAll(async () => {
  sql = adminSql();
  anon = anonClient();
  member = await signUp("media-member");
  outsider = await signUp("media-outsider");
  ws = ok(await member.client.rpc("create_workspace", { name: `Media In ${run}` })).id;
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`;
  await fakeJson("/__fake/phone_numbers", {
    phone_number_id: PNID,
    access_token: TOKEN,
    display_phone_number: "+1 555-000-7777",
    verified_name: "Media In",
  });
  const channels = [
    {
      key: "cloud",
      row: { provider: "cloud_api", name: "Cloud", phone_number_id: PNID },
      creds: { access_token: TOKEN, app_secret: SECRET },
    },
    {
      key: "evo",
      row: {
        provider: "evolution",
        name: "Evo",
        instance_name: INSTANCE,
        api_base_url: s.fakeProviderUrl,
      },
      creds: { api_key: EVO_KEY },
    },
    {
      key: "gowa",
      row: {
        provider: "whatsmeow",
        name: "GOWA",
        device_id: DEVICE,
        api_base_url: s.fakeProviderUrl,
      },
      creds: { api_key: "gowa:media-pass", webhook_secret: GOWA_SECRET },
    },
  ] as const;
  for (const c of channels) {
    ch[c.key] = ok(
      await member.client.from("channels").insert({ workspace_id: ws, ...c.row } as never).select(
        "id",
      ).single(),
    ).id;
    ok(
      await member.client.rpc("set_channel_credentials", {
        channel_id: ch[c.key],
        credentials: c.creds,
      }),
    );
  }
});

afterAll(async () => {
  if (!sql) return;
  if (ws) await sql`delete from public.workspaces where id = ${ws}`;
  await sql`delete from auth.users where id in ${sql([member?.id, outsider?.id].filter(Boolean))}`;
  await sql.end();
});

describe("an inbound image from each provider ends stored, for members only", () => {
  it("Cloud API: fetched by media id with the channel's token", async () => {
    const m = await register({
      provider: "cloud_api",
      phone_number_id: PNID,
      mime_type: "image/jpeg",
      size: 30_000,
    });
    await postCloud({
      id: `wamid.IN-CLOUD-${run}`,
      type: "image",
      image: { id: m.media_id, mime_type: "image/jpeg", sha256: m.sha256.base64 },
    });
    const row = await settled(`wamid.IN-CLOUD-${run}`);
    expect(row).toMatchObject({
      status: "stored",
      sha256: m.sha256.hex,
      storage_path: `${ws}/sha256/${m.sha256.hex}.jpg`,
    });
    const got = await downloadAs(member.client, row.storage_path!);
    expect(sha256(got.bytes!)).toBe(m.sha256.hex);
    expect((await downloadAs(outsider.client, row.storage_path!)).error).toBeDefined();
    expect((await downloadAs(anon, row.storage_path!)).error).toBeDefined();
    const view = await outsider.client.from("media_files").select("id").eq("id", row.id);
    expect(view.data).toEqual([]);
  });

  it("Evolution: asked for by message key (getBase64FromMediaMessage)", async () => {
    const m = await register({
      provider: "evolution",
      instance: INSTANCE,
      message_id: `3EB0EVO${run}`,
      mime_type: "image/jpeg",
      size: 20_000,
    });
    await postEvolution({
      key: { remoteJid: `${CUSTOMER}@s.whatsapp.net`, fromMe: false, id: m.message_id },
      pushName: "Ana",
      message: {
        imageMessage: {
          url: "https://mmg.whatsapp.net/o1/x.enc",
          mimetype: "image/jpeg",
          fileSha256: m.sha256.base64,
          fileLength: "20000",
        },
      },
      messageType: "imageMessage",
      messageTimestamp: Math.floor(Date.now() / 1000),
    });
    const row = await settled(m.message_id!);
    expect(row).toMatchObject({ status: "stored", sha256: m.sha256.hex });
    expect(sha256((await downloadAs(member.client, row.storage_path!)).bytes!)).toBe(m.sha256.hex);
  });

  it("Evolution inline base64: stored by the webhook, never in a table, never fetched again", async () => {
    const bytes = new Uint8Array(Array.from({ length: 9_000 }, (_, i) => (i * 31 + 7) % 256));
    const id = `3EB0INLINE${run}`;
    await postEvolution({
      key: { remoteJid: `${CUSTOMER}@s.whatsapp.net`, fromMe: false, id },
      pushName: "Ana",
      message: {
        imageMessage: { url: "https://mmg.whatsapp.net/o1/y.enc", mimetype: "image/png" },
        base64: Buffer.from(bytes).toString("base64"),
      },
      messageType: "imageMessage",
      messageTimestamp: Math.floor(Date.now() / 1000),
    });
    const row = await settled(id);
    expect(row).toMatchObject({
      status: "stored",
      sha256: sha256(bytes),
      storage_path: `${ws}/sha256/${sha256(bytes)}.png`,
    });
    expect(sha256((await downloadAs(member.client, row.storage_path!)).bytes!)).toBe(sha256(bytes));
    const b64 = Buffer.from(bytes).toString("base64").slice(0, 64);
    const [leak] = await sql`
      select (select count(*) from public.webhook_events e where e.channel_id = ${ch.evo} and e.payload::text like ${`%${b64}%`})::int
           + (select count(*) from private.webhook_bodies b join public.webhook_events e on e.id = b.event_id
               where e.channel_id = ${ch.evo} and position(convert_to(${b64}, 'UTF8') in b.body) > 0)::int
           + (select count(*) from public.messages m where m.channel_id = ${ch.evo} and m.payload::text like ${`%${b64}%`})::int as n`;
    expect(leak.n).toBe(0);
    const asked =
      await (await fake(`/__fake/requests?path=/chat/getBase64FromMediaMessage/${INSTANCE}`))
        .json();
    expect(
      asked.filter((e: { body: { message?: { key?: { id?: string } } } }) =>
        e.body?.message?.key?.id === id
      ),
    ).toEqual([]);
  });

  it("GOWA: the path the bridge gave", async () => {
    const m = await register({
      provider: "whatsmeow",
      device_id: DEVICE,
      path: `statics/media/${run}-dress.jpeg`,
      mime_type: "image/jpeg",
      size: 15_000,
    });
    await postGowa({
      id: `3EB0GOWA${run}`,
      chat_id: `${CUSTOMER}@s.whatsapp.net`,
      from: `${CUSTOMER}@s.whatsapp.net`,
      from_name: "Ana",
      timestamp: new Date().toISOString(),
      image: m.path,
    });
    const row = await settled(`3EB0GOWA${run}`);
    expect(row).toMatchObject({ status: "stored", sha256: m.sha256.hex });
  });
});

describe("files that cannot be kept", () => {
  it("a media id the provider no longer has ends expired", async () => {
    const m = await register({
      provider: "cloud_api",
      phone_number_id: PNID,
      mime_type: "image/jpeg",
      size: 1000,
      expired: true,
    });
    await postCloud({
      id: `wamid.IN-GONE-${run}`,
      type: "image",
      image: { id: m.media_id, mime_type: "image/jpeg" },
    });
    const row = await settled(`wamid.IN-GONE-${run}`);
    expect(row.status).toBe("expired");
    expect(row.error).toMatch(/no longer has media/);
  });

  it("a file the bridge no longer has (HTTP 404) ends expired", async () => {
    await postGowa({
      id: `3EB0GONE${run}`,
      chat_id: `${CUSTOMER}@s.whatsapp.net`,
      from: `${CUSTOMER}@s.whatsapp.net`,
      from_name: "Ana",
      timestamp: new Date().toISOString(),
      image: `statics/media/${run}-never-there.jpeg`,
    });
    const row = await settled(`3EB0GONE${run}`);
    expect(row.status).toBe("expired");
    expect(row.error).toMatch(/HTTP 404/);
  });

  it("a file over the workspace's limit is refused with the reason", async () => {
    await sql`update public.workspaces set media_max_bytes = 10000 where id = ${ws}`;
    try {
      const m = await register({
        provider: "cloud_api",
        phone_number_id: PNID,
        mime_type: "video/mp4",
        size: 25_000,
      });
      await postCloud({
        id: `wamid.IN-BIG-${run}`,
        type: "video",
        video: { id: m.media_id, mime_type: "video/mp4" },
      });
      const row = await settled(`wamid.IN-BIG-${run}`);
      expect(row).toMatchObject({
        status: "failed",
        error: "the file is 25000 bytes, over the workspace's limit of 10000 bytes",
      });
      const [r] = await sql`select next_attempt_at from public.media_files where id = ${row.id}`;
      expect(r.next_attempt_at).toBeNull();
    } finally {
      await sql`update public.workspaces set media_max_bytes = 104857600 where id = ${ws}`;
    }
  });

  it("a file whose bytes do not match the announced sha256 is refused", async () => {
    const m = await register({
      provider: "cloud_api",
      phone_number_id: PNID,
      mime_type: "image/jpeg",
      size: 2000,
      sha256_override: "ab".repeat(32),
    });
    await postCloud({
      id: `wamid.IN-HASH-${run}`,
      type: "image",
      image: { id: m.media_id, mime_type: "image/jpeg" },
    });
    const row = await settled(`wamid.IN-HASH-${run}`);
    expect(row.status).toBe("failed");
    expect(row.error).toBe(
      `the file's sha256 ${m.sha256.hex} does not match the ${
        "ab".repeat(32)
      } the provider announced`,
    );
  });
});

describe("one object per content, used and removed", () => {
  it("the same photo received twice is stored once", async () => {
    const b64 = Buffer.from(Array.from({ length: 4000 }, (_, i) => i % 253)).toString("base64");
    const a = await register({
      provider: "cloud_api",
      phone_number_id: PNID,
      mime_type: "image/jpeg",
      base64: b64,
    });
    const b = await register({
      provider: "cloud_api",
      phone_number_id: PNID,
      mime_type: "image/jpeg",
      base64: b64,
    });
    await postCloud({
      id: `wamid.IN-DUP1-${run}`,
      type: "image",
      image: { id: a.media_id, mime_type: "image/jpeg" },
    });
    const first = await settled(`wamid.IN-DUP1-${run}`);
    await postCloud({
      id: `wamid.IN-DUP2-${run}`,
      type: "image",
      image: { id: b.media_id, mime_type: "image/jpeg" },
    });
    const second = await settled(`wamid.IN-DUP2-${run}`);
    expect(second.storage_path).toBe(first.storage_path);
    const [o] =
      await sql`select count(*)::int as n from storage.objects where bucket_id = 'media' and name = ${first.storage_path}`;
    expect(o.n).toBe(1);
  });

  it("a received photo is sent back to the customer through Meta's media upload", async () => {
    const [row] =
      await sql`select f.storage_path, f.sha256, m.conversation_id from public.media_files f
                              join public.messages m on m.id = f.message_id where m.provider_message_id = ${`wamid.IN-CLOUD-${run}`}`;
    const since = Number((await (await fake("/__fake/requests?last=1")).json())[0]?.seq ?? 0);
    ok(
      await member.client.rpc("send_message", {
        conversation_id: row.conversation_id,
        content: "this one?",
        media_path: row.storage_path,
      }),
    );
    const sent = await until("the send by media id", async () => {
      const log = await (await fake(`/__fake/requests?since=${since}&path=${PNID}/messages`))
        .json();
      return log.find((e: { status: number }) => e.status === 200);
    }, 20_000);
    expect(sent.body.image.id).toMatch(/\S/);
    expect(sent.media).toMatchObject({ sha256: row.sha256 });
  });

  it("deleting the conversation removes its objects from Storage when nothing else uses them", async () => {
    const [row] = await sql`select f.storage_path, m.conversation_id from public.media_files f
                              join public.messages m on m.id = f.message_id where m.provider_message_id = ${`3EB0GOWA${run}`}`;
    ok(await member.client.from("conversations").delete().eq("id", row.conversation_id));
    // The worker deletes the object through Storage's API, then marks its removal done in a
    // second call: both must end, so wait for both rather than reading the queue in between.
    const left = await until("the object and its removal to be done", async () => {
      const [o] = await sql`select
          (select count(*)::int from storage.objects where name = ${row.storage_path}) as objects,
          (select count(*)::int from private.storage_removals where name = ${row.storage_path}) as queued`;
      return o.objects === 0 && o.queued === 0 ? o : undefined;
    }, 20_000);
    expect(left).toEqual({ objects: 0, queued: 0 });
  });
});

describe("profile pictures", () => {
  it("a customer who wrote through GOWA or Evolution gets their picture stored once, not per channel", async () => {
    const [c] = await until("Ana's avatar", async () => {
      const rows = await sql`select id, avatar_path, avatar_fetched_at from public.contacts
                              where workspace_id = ${ws} and phone = ${CUSTOMER} and avatar_path is not null`;
      return rows.length ? rows : null;
    }, 20_000);
    expect(c.avatar_path).toBe(`${ws}/contacts/${c.id}`);
    const [o] =
      await sql`select count(*)::int as n, max(metadata ->> 'mimetype') as type from storage.objects
                           where bucket_id = 'avatars' and name = ${c.avatar_path}`;
    expect(o).toEqual({ n: 1, type: "image/jpeg" });
    const [j] =
      await sql`select count(*)::int as n from private.avatar_jobs where contact_id = ${c.id}`;
    expect(j.n).toBe(0);
  });

  it("an Evolution contact's picture is stored in the avatars bucket and readable by members", async () => {
    await postEvolution([{
      remoteJid: `${CUSTOMER.slice(0, -2)}88@s.whatsapp.net`,
      pushName: "Bia",
    }], "contacts.upsert");
    const [c] = await until("the avatar", async () => {
      const rows = await sql`select avatar_path, avatar_url from public.contacts
                              where workspace_id = ${ws} and phone = ${`${
        CUSTOMER.slice(0, -2)
      }88`} and avatar_path is not null`;
      return rows.length ? rows : null;
    }, 20_000);
    expect(c.avatar_path).toMatch(new RegExp(`^${ws}/contacts/`));
    expect(c.avatar_url).toBe(
      `${s.apiUrl}/storage/v1/object/authenticated/avatars/${c.avatar_path}`,
    );
    const mine = await member.client.storage.from("avatars").download(c.avatar_path);
    expect(mine.error).toBeNull();
    expect(mine.data!.type).toBe("image/jpeg");
    const theirs = await outsider.client.storage.from("avatars").download(c.avatar_path);
    expect(theirs.error).not.toBeNull();
  });
});
