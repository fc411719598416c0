// npm run bench:reminders — BENCH_REMINDERS (20,000) event reminders due in
// the same minute, half of them WhatsApp reminders to clients: BENCH_EVENTS
// = half as many appointments, each with one attendee (one of BENCH_MEMBERS
// members) reminded in the app and its own client reminded on WhatsApp, on
// one Cloud API channel limited to BENCH_LIMIT (1,000) messages/s. The
// reminders fall due at the next minute but one, and the stack's own
// pg_cron tick sends them; the run waits until every reminder is handled
// and every message recorded sent, then counts what arrived: notifications
// per reminder, what the fake provider accepted per client. late_p99_s is
// the 99th percentile of arrival (notification written, message accepted
// by the provider) after remind_at; ratio is WhatsApp reminders sent per
// second over the channel's limit, timed as bench:dispatch times from its
// poke: from the commit of the tick that queued them (when the dispatcher is
// poked and can see them) to the provider's last acceptance; tick_s is how
// long that tick took and ratio_from_due times from the minute they fell
// due instead. Needs `npm start`.
import {
  connect,
  createAuthUser,
  dropWorkspace,
  fakeProvider,
  percentile,
  perRecipient,
  report,
  sendingWorkspace,
  setting,
  sleep,
  stackEnv,
} from "./setup.ts";

const env = await stackEnv();
const due = setting("BENCH_REMINDERS", 20_000);
const events = Math.floor(due / 2);
const memberCount = setting("BENCH_MEMBERS", 20);
const limit = setting("BENCH_LIMIT", 1000);
const sql = connect(env, 2);
const fake = fakeProvider(env);

const { tag, phoneNumberId: PNID, ws, channel } = await sendingWorkspace(
  sql,
  "reminders",
  limit,
  6,
);
const members: string[] = [];
for (let i = 0; i < memberCount; i++) {
  members.push(await createAuthUser(env, `reminders-${tag}-${i}@bench.threadline.dev`));
}
await sql`
  insert into public.workspace_members (workspace_id, user_id, role)
  select ${ws}, u, 'member' from unnest(${members}::uuid[]) u`;
const [{ id: template }] = await sql<{ id: string }[]>`
  insert into public.message_templates (workspace_id, channel_id, name, language, category, status, components)
  values (${ws}, ${channel}, 'bench_reminder', 'en_US', 'UTILITY', 'APPROVED',
          '[{"type":"BODY","text":"Hi {{1}}, see you at {{2}}."}]') returning id`;
// Many appointments at one time: the bench is about reminders, not rooms.
await sql`
  insert into public.calendar_settings (workspace_id, allow_double_booking, reminder_template_id, reminder_parameters)
  values (${ws}, true, ${template}, '["{first_name}", "{time}"]')`;
await sql`
  insert into public.contacts (workspace_id, name, phone, opted_in, source)
  select ${ws}, 'Client ' || i, '6' || ${tag} || lpad(i::text, 7, '0'), true, 'import'
    from generate_series(1, ${events}::int) i`;

// Due at a minute boundary at least 20 s ahead: the tick of that minute
// finds them all due at once.
const [{ dueAt }] = await sql<{ dueAt: Date }[]>`
  select date_trunc('minute', now() + interval '80 seconds') as "dueAt"`;
const planned = performance.now();
await sql`
  insert into public.events (workspace_id, user_id, title, event_type, start_time, end_time, contact_id, reminder_minutes)
  select ${ws}, m.u, 'Appointment ' || c.n, 'appointment', ${dueAt}::timestamptz + interval '60 minutes',
         ${dueAt}::timestamptz + interval '90 minutes', c.id, '{60}'
    from (select id, row_number() over (order by phone) as n from public.contacts where workspace_id = ${ws}) c
    join (select u, row_number() over () - 1 as k from unnest(${members}::uuid[]) u) m
      on m.k = c.n % ${memberCount}`;
const [{ n: planned_n }] = await sql<{ n: number }[]>`
  select count(*)::int as n from public.event_reminders where workspace_id = ${ws} and status = 'pending'`;
console.log(
  `planned ${planned_n} reminders for ${events} appointments in ${
    Math.round(performance.now() - planned)
  } ms; due ${dueAt.toISOString()}`,
);
await sql`vacuum (analyze) public.event_reminders, public.events, public.contacts`;
await fake.clearLog();

// Until every reminder is handled and every message has its answer.
let last = -1;
let stalledSince = performance.now();
for (;;) {
  await sleep(500);
  const [{ pending, unsent }] = await sql<{ pending: number; unsent: number }[]>`
    select (select count(*)::int from public.event_reminders where workspace_id = ${ws} and status = 'pending') as pending,
           (select count(*)::int from public.messages where workspace_id = ${ws} and status = 'pending') as unsent`;
  const left = pending + unsent;
  // A stall counts from the due minute on: before it nothing moves.
  if (left !== last || Date.now() < dueAt.getTime()) stalledSince = performance.now();
  last = left;
  if (left === 0 && Date.now() > dueAt.getTime()) break;
  if (Date.now() > dueAt.getTime() + 5_000 && performance.now() - stalledSince > 60_000) break;
}

const [r] = await sql<
  {
    handled: number;
    in_app: number;
    notifications: number;
    notified: number;
    failed: number;
    tick_start: Date;
    tick_end: Date;
    notif_late_max: number | null;
  }[]
>`
  select count(*) filter (where r.status <> 'pending')::int as handled,
         count(*) filter (where r.channel = 'in_app' and r.status = 'sent')::int as in_app,
         (select count(*)::int from public.notifications n where n.workspace_id = ${ws}) as notifications,
         (select count(distinct n.id)::int from public.notifications n join public.event_reminders x on x.notification_id = n.id
           where x.workspace_id = ${ws}) as notified,
         count(*) filter (where r.status = 'failed')::int as failed,
         min(r.sent_at) as tick_start,
         (select j.end_time from cron.job_run_details j where j.start_time <= min(r.sent_at) + interval '1 second'
           order by j.start_time desc limit 1) as tick_end,
         (select extract(epoch from max(n.created_at) - ${dueAt}::timestamptz)::float8 from public.notifications n
           where n.workspace_id = ${ws}) as notif_late_max
    from public.event_reminders r where r.workspace_id = ${ws}`;
// None written (every in-app reminder lost) reads as not a number.
const notifLate = r.notif_late_max ?? NaN;
const accepted = await fake.accepted<{ at: string; body: { to: string } }>(PNID);
const wa = perRecipient(accepted, events);
const lateness = [
  ...Array(r.notifications).fill(Math.max(0, notifLate)),
  ...accepted.map((a) => (Date.parse(a.at) - dueAt.getTime()) / 1000),
];
const lastAccept = Math.max(...accepted.map((a) => Date.parse(a.at)));
const tickStart = (r.tick_start ?? dueAt).getTime();
const tickEnd = (r.tick_end ?? r.tick_start ?? dueAt).getTime();
const waSent = accepted.length - wa.duplicates;
// As bench:dispatch times from its poke: from the tick's commit, when the
// messages become the dispatcher's; and from the minute they fell due.
const waRate = waSent / ((lastAccept - tickEnd) / 1000);
const waRateFromDue = waSent / ((lastAccept - dueAt.getTime()) / 1000);
const sent = r.in_app + waSent;
console.log(
  `handled ${r.handled}, failed ${r.failed}; notifications ${r.notifications} (last ${
    notifLate.toFixed(2)
  } s after due); WhatsApp accepted ${accepted.length}, ${
    waRate.toFixed(0)
  }/s from the tick's commit (${
    waRateFromDue.toFixed(0)
  }/s from the due minute) against ${limit}/s; the tick took ${
    ((tickEnd - tickStart) / 1000).toFixed(2)
  } s`,
);

if (Deno.env.get("BENCH_TIMELINE")) {
  // Acceptances per second from the tick's start, so a stall shows as 0.
  const perSec = new Map<number, number>();
  for (const a of accepted) {
    const s = Math.floor((Date.parse(a.at) - tickStart) / 1000);
    perSec.set(s, (perSec.get(s) ?? 0) + 1);
  }
  const end = Math.max(...perSec.keys());
  console.log(Array.from({ length: end + 1 }, (_, i) => perSec.get(i) ?? 0).join(" "));
}
await dropWorkspace(sql, ws);
await sql`delete from auth.users where id = any(${members}::uuid[])`;
await sql.end();
report("reminders", {
  due: planned_n,
  sent,
  duplicates: wa.duplicates + (r.notifications - r.notified),
  late_p99_s: percentile(lateness, 99),
  ratio: Number((waRate / limit).toFixed(3)),
  notif_late_max_s: Number(notifLate.toFixed(2)),
  tick_s: Number(((tickEnd - tickStart) / 1000).toFixed(2)),
  ratio_from_due: Number((waRateFromDue / limit).toFixed(3)),
  failed: r.failed,
  lost: wa.lost,
  limit_per_s: limit,
});
if (sent < planned_n) Deno.exit(1);
