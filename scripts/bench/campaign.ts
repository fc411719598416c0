// npm run bench:campaign — a template campaign over 100,000 opted-in contacts
// on one Cloud API channel limited to 1,000/s: the time start_campaign takes
// to expand the recipients, then the run to completion through the dispatch
// function and the fake provider, counting what the provider accepted per
// recipient. Needs `npm start`.
import {
  connect,
  dropWorkspace,
  fakeProvider,
  perRecipient,
  report,
  sendingWorkspace,
  setting,
  sleep,
  stackEnv,
} from "./setup.ts";

const env = await stackEnv();
const total = setting("BENCH_RECIPIENTS", 100000);
const limit = setting("BENCH_LIMIT", 1000);
const sql = connect(env, 2);
const fake = fakeProvider(env);

// Six digits: phones are '7' || tag || seven digits, within E.164's fifteen.
const { tag, phoneNumberId: PNID, ws, channel } = await sendingWorkspace(sql, "campaign", limit, 6);
const [{ id: template }] = await sql`
  insert into public.message_templates (workspace_id, channel_id, name, language, category, status, components)
  values (${ws}, ${channel}, 'bench_offer', 'en_US', 'MARKETING', 'APPROVED',
          '[{"type":"BODY","text":"Hi {{1}}, this week only: 20% off."}]') returning id`;
await sql`
  insert into public.contacts (workspace_id, name, phone, opted_in, source)
  select ${ws}, 'Customer ' || i, '7' || ${tag} || lpad(i::text, 7, '0'), true, 'import'
    from generate_series(1, ${total}::int) i`;
await sql`vacuum (analyze) public.contacts, public.campaign_messages, public.messages, public.conversations`;
const [{ id: campaign }] = await sql`
  insert into public.campaigns (workspace_id, channel_id, name, template_id, template_params)
  values (${ws}, ${channel}, 'Bench', ${template}, '["{{contact.first_name}}"]') returning id`;
await fake.clearLog();

const t0 = performance.now();
const [started] = await sql<{ status: string; total_recipients: number }[]>`
  select status, total_recipients from private.start_campaign(${campaign})`;
const expandMs = performance.now() - t0;
console.log(`start_campaign: ${started.total_recipients} recipients in ${Math.round(expandMs)} ms`);

// Sending is timed from the end of the expansion to the campaign's
// completion (the dispatcher completes it within half a second of the last
// answer); the poll reads one row, so it costs the run nothing.
const sendStart = performance.now();
let status = started.status;
for (;;) {
  await sleep(250);
  [{ status }] = await sql<
    { status: string }[]
  >`select status from public.campaigns where id = ${campaign}`;
  if (status !== "running" || performance.now() - sendStart > 600_000) break;
}
const seconds = (performance.now() - sendStart) / 1000;
[{ status }] = await sql`select private.fold_campaign(${campaign}) as status`;

const accepted = await fake.accepted<{ at: string; body: { to: string } }>(PNID);
const { duplicates, lost } = perRecipient(accepted, total);
const [c] = await sql<{ sent_count: number; failed_count: number }[]>`
  select sent_count, failed_count from public.campaigns where id = ${campaign}`;
const rate = c.sent_count / seconds;
console.log(
  `campaign ${status}: sent ${c.sent_count}, failed ${c.failed_count} in ${seconds.toFixed(1)} s`,
);

if (Deno.env.get("BENCH_TIMELINE")) {
  const perSec = new Map<number, number>();
  for (const r of accepted) {
    const s = Math.floor(Date.parse(r.at) / 1000);
    perSec.set(s, (perSec.get(s) ?? 0) + 1);
  }
  // Every second from the first send to the last, so a stall shows as 0.
  const first = Math.min(...perSec.keys());
  const last = Math.max(...perSec.keys());
  console.log(
    Array.from({ length: last - first + 1 }, (_, i) => perSec.get(first + i) ?? 0).join(" "),
  );
  const ats = accepted.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
  const [t] =
    await sql`select started_at, completed_at from public.campaigns where id = ${campaign}`;
  const s0 = (t.started_at as Date).getTime();
  console.log(JSON.stringify({
    first_send_s: (ats[0] - s0) / 1000,
    last_send_s: (ats[ats.length - 1] - s0) / 1000,
    completed_s: ((t.completed_at as Date).getTime() - s0) / 1000,
  }));
}
await dropWorkspace(sql, ws);
await sql.end();
report("campaign", {
  recipients: total,
  expand_ms: Math.round(expandMs),
  duplicates,
  lost,
  msgs_per_s: Math.round(rate),
  ratio: Number((rate / limit).toFixed(3)),
});
