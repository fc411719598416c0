// npm run bench:campaign — a template campaign over 100,000 opted-in contacts
// on one Cloud API channel limited to 1,000/s: the time start_campaign takes
// to expand the recipients, then the run to completion through the dispatch
// function and the fake provider, counting what the provider accepted per
// recipient. Needs `npm start`.
import postgres from "postgres";
import { stackEnv } from "./stack-env.ts";

const env = await stackEnv();
const total = Number(Deno.env.get("BENCH_RECIPIENTS") ?? "100000");
const limit = Number(Deno.env.get("BENCH_LIMIT") ?? "1000");
const sql = postgres(env.THREADLINE_DB_URL, { max: 2, onnotice: () => {} });
const fake = (path: string, init?: RequestInit) =>
  fetch(`${env.THREADLINE_FAKE_PROVIDER_URL}${path}`, init);

const tag = Date.now().toString().slice(-6);
const PNID = `PN-CAMPAIGN-${tag}`;
const [{ id: ws }] = await sql`
  insert into public.workspaces (name, slug, plan) values ('Campaign bench', ${
  "campaign-bench-" + tag
}, 'enterprise') returning id`;
const [{ id: channel }] = await sql`
  insert into public.channels (workspace_id, provider, name, phone_number_id, settings)
  values (${ws}, 'cloud_api', 'Bench', ${PNID}, ${sql.json({ rate_limit_per_second: limit })})
  returning id`;
await sql`select vault.create_secret('bench-access-token', ${
  "channel:" + channel + ":access_token"
})`;
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
await (await fake("/__fake/requests", { method: "DELETE" })).body?.cancel();

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
  await new Promise((r) => setTimeout(r, 250));
  [{ status }] = await sql<
    { status: string }[]
  >`select status from public.campaigns where id = ${campaign}`;
  if (status !== "running" || performance.now() - sendStart > 600_000) break;
}
const seconds = (performance.now() - sendStart) / 1000;
[{ status }] = await sql`select private.fold_campaign(${campaign}) as status`;

const accepted =
  (await (await fake(`/__fake/requests?path=${PNID}/messages&status=200`)).json()) as {
    at: string;
    body: { to: string };
  }[];
const per = new Map<string, number>();
for (const r of accepted) per.set(r.body.to, (per.get(r.body.to) ?? 0) + 1);
const duplicates = [...per.values()].reduce((a, n) => a + (n - 1), 0);
const lost = total - per.size;
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
await sql`delete from public.workspaces where id = ${ws}`;
await sql.end();
console.log(JSON.stringify({
  bench: "campaign",
  recipients: total,
  expand_ms: Math.round(expandMs),
  duplicates,
  lost,
  msgs_per_s: Math.round(rate),
  ratio: Number((rate / limit).toFixed(3)),
}));
