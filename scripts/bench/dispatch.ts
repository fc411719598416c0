// npm run bench:dispatch — 20,000 queued messages on one Cloud API channel
// limited to 1,000/s, sent by the running dispatch function to the fake
// provider. Counts what the provider accepted per recipient (duplicates,
// lost) and the rate from the poke to the last message recorded sent.
// Needs `npm start`.
import {
  connect,
  dropWorkspace,
  fakeProvider,
  perRecipient,
  pokeDispatch,
  report,
  sendingWorkspace,
  setting,
  sleep,
  stackEnv,
} from "./setup.ts";

const env = await stackEnv();
const total = setting("BENCH_MESSAGES", 20000);
const limit = setting("BENCH_LIMIT", 1000);
const sql = connect(env, 2);
const fake = fakeProvider(env);

const { tag, phoneNumberId: PNID, ws, channel } = await sendingWorkspace(sql, "dispatch", limit);
await fake.clearLog();

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
await pokeDispatch(env);

let done = 0;
let last = -1;
let stalledSince = performance.now();
for (;;) {
  await sleep(250);
  const [{ n }] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.messages where channel_id = ${channel} and status <> 'pending'`;
  done = n;
  if (n !== last) stalledSince = performance.now();
  last = n;
  if (n >= total || performance.now() - stalledSince > 30_000) break;
}
const seconds = (performance.now() - started) / 1000;

const accepted = await fake.accepted(PNID);
const { duplicates, lost } = perRecipient(accepted, total);
const [{ sent, failed }] = await sql<{ sent: number; failed: number }[]>`
  select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status = 'failed')::int as failed
    from public.messages where channel_id = ${channel}`;
const rate = sent / seconds;

console.log(
  `sent ${sent} (failed ${failed}) in ${
    seconds.toFixed(2)
  } s; provider accepted ${accepted.length}`,
);
console.log(`rate ${rate.toFixed(0)} msg/s against a limit of ${limit}/s`);

await dropWorkspace(sql, ws);
await sql.end();
report("dispatch", {
  sent,
  duplicates,
  lost,
  msgs_per_s: Math.round(rate),
  limit_per_s: limit,
  ratio: Number((rate / limit).toFixed(3)),
});
if (done < total) Deno.exit(1);
