// Ingestion cost per message for senders who already have a contact and a
// conversation: batches of Cloud API webhooks (one text message each, as
// Meta sends them) through private.receive_webhooks, the database end of
// the webhook function, in the big workspace and in a workspace that holds
// only those senders. Batches alternate between the two.
import { percentile, type Sql } from "./setup.ts";

type Sender = { phone: string };
type Target = { channel: string; pnid: string; senders: Sender[] };

// A Cloud API webhook body with one text message, as Meta sends it.
export function body(
  pnid: string,
  phone: string,
  id: string,
  text = "Olá, meu pedido já foi enviado? Obrigado!",
): string {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{
      id: "WABA-SCALE",
      changes: [{
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550000000", phone_number_id: pnid },
          contacts: [{ profile: { name: "Cliente" }, wa_id: phone }],
          messages: [{
            from: phone,
            id,
            timestamp: String(Math.floor(Date.now() / 1000)),
            type: "text",
            text: { body: text },
          }],
        },
      }],
    }],
  });
}

async function batch(sql: Sql, t: Target, size: number, run: string): Promise<number> {
  const picked = new Set<string>();
  while (picked.size < Math.min(size, t.senders.length)) {
    picked.add(t.senders[Math.floor(Math.random() * t.senders.length)].phone);
  }
  const raws = [...picked].map((p) =>
    body(t.pnid, p, `wamid.scale-ingest.${run}.${crypto.randomUUID()}`)
  );
  const items = `[${
    raws.map((r) => `{"provider":"cloud_api","channel":"${t.channel}","payload":${r}}`).join(",")
  }]`;
  const bytes = raws.map((r) => new TextEncoder().encode(r));
  const bodies = new Uint8Array(bytes.reduce((a, b) => a + b.length, 0));
  bytes.reduce((at, b) => (bodies.set(b, at), at + b.length), 0);
  const t0 = performance.now();
  await sql`select private.receive_webhooks(${items}::text::jsonb, ${bodies}::bytea,
                                            ${`{${
    bytes.map((b) => b.length).join(",")
  }}`}::integer[])`;
  return (performance.now() - t0) / picked.size;
}

async function target(sql: Sql, ws: string, limit: number): Promise<Target> {
  const [c] = await sql<{ id: string; pnid: string }[]>`
    select id, phone_number_id as pnid from public.channels where workspace_id = ${ws} limit 1`;
  const senders = await sql<Sender[]>`
    select chat_id as phone from public.conversations where channel_id = ${c.id} order by random() limit ${limit}`;
  return { channel: c.id, pnid: c.pnid, senders };
}

// ms per message in the big and the empty workspace (p50 of the batches).
export async function timeIngest(
  sql: Sql,
  bigWs: string,
  emptyWs: string,
  rounds: number,
  size: number,
) {
  const senders = 4 * size;
  const big = await target(sql, bigWs, senders), empty = await target(sql, emptyWs, senders);
  const run = Date.now().toString(36);
  for (let i = 0; i < 3; i++) await batch(sql, big, size, run), await batch(sql, empty, size, run);
  const b: number[] = [], e: number[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await batch(sql, big, size, run));
    e.push(await batch(sql, empty, size, run));
  }
  return { big: percentile(b, 50), empty: percentile(e, 50) };
}
