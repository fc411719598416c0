// npm run bench:dispatch — 20,000 queued messages on one Cloud API channel
// limited to 1,000/s, sent by the running dispatch function to the fake
// provider. Counts what the provider accepted per recipient (duplicates,
// lost) and the rate from the poke to the last message recorded sent.
// Needs `npm start`.
import postgres from "postgres";
import { stackEnv } from "./stack-env.ts";

const env = await stackEnv();
const total = Number(Deno.env.get("BENCH_MESSAGES") ?? "20000");
const limit = Number(Deno.env.get("BENCH_LIMIT") ?? "1000");
const sql = postgres(env.THREADLINE_DB_URL, { max: 2, onnotice: () => {} });
const fake = (path: string, init?: RequestInit) =>
  fetch(`${env.THREADLINE_FAKE_PROVIDER_URL}${path}`, init);

const tag = Date.now().toString().slice(-7);
const PNID = `PN-DISPATCH-${tag}`;
const [{ id: ws }] = await sql`
  insert into public.workspaces (name, slug, plan) values ('Dispatch bench', ${
  "dispatch-bench-" + tag
}, 'enterprise') returning id`;
const [{ id: channel }] = await sql`
  insert into public.channels (workspace_id, provider, name, phone_number_id, settings)
  values (${ws}, 'cloud_api', 'Bench', ${PNID}, ${sql.json({ rate_limit_per_second: limit })})
  returning id`;
await sql`select vault.create_secret('bench-access-token', ${
  "channel:" + channel + ":access_token"
})`;
await (await fake("/__fake/requests", { method: "DELETE" })).body?.cancel();

// Queue everything in one transaction without poking: the run starts at the poke.
const queuedAt = performance.now();
await sql.begin(async (tx) => {
  await tx`select set_config('threadline.dispatch_poked', txid_current()::text, true)`;
  await tx`
    with c as (
      insert into public.contacts (workspace_id, phone, source)
      select ${ws}, '4' || ${tag} || lpad(i::text, 6, '0'), 'import' from generate_series(1, ${total}::int) i
      returning id, phone
    ), conv as (
      insert into public.conversations (workspace_id, channel_id, chat_id, contact_id, window_expires_at)
      select ${ws}, ${channel}, c.phone, c.id, now() + interval '1 day' from c
      returning id
    )
    insert into public.messages (conversation_id, content) select id, 'Bench message' from conv`;
});
console.log(`queued ${total} messages in ${Math.round(performance.now() - queuedAt)} ms`);

const started = performance.now();
const poke = await fetch(`${env.SUPABASE_URL}/functions/v1/dispatch`, {
  method: "POST",
  headers: {
    authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}`,
    "content-type": "application/json",
  },
  body: "{}",
});
await poke.body?.cancel();
if (poke.status !== 202) throw new Error(`dispatch answered ${poke.status}`);

let done = 0;
let last = -1;
let stalledSince = performance.now();
for (;;) {
  await new Promise((r) => setTimeout(r, 250));
  const [{ n }] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.messages where channel_id = ${channel} and status <> 'pending'`;
  done = n;
  if (n !== last) stalledSince = performance.now();
  last = n;
  if (n >= total || performance.now() - stalledSince > 30_000) break;
}
const seconds = (performance.now() - started) / 1000;

const accepted =
  (await (await fake(`/__fake/requests?path=${PNID}/messages&status=200`)).json()) as {
    body: { to: string };
  }[];
const perRecipient = new Map<string, number>();
for (const r of accepted) perRecipient.set(r.body.to, (perRecipient.get(r.body.to) ?? 0) + 1);
const duplicates = [...perRecipient.values()].reduce((a, n) => a + (n - 1), 0);
const [{ sent, failed }] = await sql<{ sent: number; failed: number }[]>`
  select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status = 'failed')::int as failed
    from public.messages where channel_id = ${channel}`;
const lost = total - perRecipient.size;
const rate = sent / seconds;

console.log(
  `sent ${sent} (failed ${failed}) in ${
    seconds.toFixed(2)
  } s; provider accepted ${accepted.length}`,
);
console.log(`rate ${rate.toFixed(0)} msg/s against a limit of ${limit}/s`);

// Leave the database as it was.
await sql`delete from public.workspaces where id = ${ws}`;
await sql.end();
console.log(JSON.stringify({
  bench: "dispatch",
  sent,
  duplicates,
  lost,
  msgs_per_s: Math.round(rate),
  limit_per_s: limit,
  ratio: Number((rate / limit).toFixed(3)),
}));
if (done < total) Deno.exit(1);
