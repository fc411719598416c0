// npm run bench:scale — Threadline at scale, in one run: loads a volume
// (BENCH_MESSAGES, default 1,000,000, across BENCH_WORKSPACES = 100, one
// holding BENCH_BIG_SHARE = 0.4 of everything; conversations a tenth of
// the messages, contacts a fifth), then measures the common reads as a
// member under RLS without and with a workspace filter and as the owner,
// search, ingestion per message for existing senders in the big workspace
// against a workspace holding only them, and the bytes each message costs.
// BENCH_REUSE=1 measures a volume already loaded; BENCH_KEEP=1 leaves it.
// BENCH_RUN_DIR points at another stack's run directory (another revision).
import { connect, percentile, report, setting, stackEnv } from "./setup.ts";
import { load, loaded, unload } from "./scale-load.ts";
import { type Subject, timeReads } from "./scale-reads.ts";
import { body, timeIngest } from "./scale-ingest.ts";
import postgres from "postgres";

const volume = {
  messages: setting("BENCH_MESSAGES", 1_000_000),
  workspaces: setting("BENCH_WORKSPACES", 100),
  bigShare: setting("BENCH_BIG_SHARE", 0.4),
};
const reps = setting("BENCH_REPS", 30);
const env = await stackEnv(Deno.env.get("BENCH_RUN_DIR"));
const su = postgres(env.THREADLINE_SUPERUSER_DB_URL, { max: 1, onnotice: () => {} });
const sql = connect(env, 1);

try {
  if (Deno.env.get("BENCH_REUSE") === "1" && await loaded(su)) {
    console.log("reusing the loaded volume");
  } else {
    if (await loaded(su)) await unload(su);
    const t0 = performance.now();
    await load(su, volume, Date.now().toString(36));
    console.log(
      `loaded ${volume.messages} messages in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
  const [{ messages }] = await su<{ messages: number }[]>`
    select count(*)::int as messages from public.messages m
      join public.workspaces w on w.id = m.workspace_id where w.slug like 'scale-%'`;

  // The big workspace and a small one; each read's subject is a conversation in the middle of the inbox.
  const subjects = await su<Subject[]>`
    select case when w.slug like 'scale-0-%' then 'big' else 'small' end as label, w.id as ws, w.created_by as member,
           (select c.id from public.conversations c where c.workspace_id = w.id
             order by c.last_message_at desc limit 1 offset 20) as conversation,
           (select ct.phone from public.contacts ct where ct.workspace_id = w.id and ct.phone is not null limit 1) as phone
      from public.workspaces w where w.slug like 'scale-0-%' or w.slug like 'scale-1-%' order by 1`;
  const timings = await timeReads(sql, subjects, reps);
  console.log("\nread                 who    mode                 p50 ms   p95 ms");
  for (const t of timings) {
    console.log(
      `${t.read.padEnd(20)} ${t.who.padEnd(6)} ${t.mode.padEnd(18)} ${
        t.p50.toFixed(2).padStart(8)
      } ${t.p95.toFixed(2).padStart(8)}`,
    );
  }

  // Ingestion: the big workspace against one holding only its senders.
  const [{ id: emptyWs }] = await su<{ id: string }[]>`
    select id from public.workspaces where slug like 'scale-ingest-empty-%'`.then(async (r) =>
    r.length ? r : await makeEmpty()
  );
  const ingest = await timeIngest(
    sql,
    subjects.find((s) => s.label === "big")!.ws,
    emptyWs,
    setting("BENCH_ROUNDS", 40),
    32,
  );
  console.log(
    `\ningest, existing senders: big ${ingest.big.toFixed(3)} ms/msg, empty ${
      ingest.empty.toFixed(3)
    } ms/msg`,
  );

  const sizes = await su<{ relation: string; bytes: string }[]>`
    select c.oid::regclass::text as relation, pg_relation_size(c.oid)::text as bytes
      from pg_class c
     where c.oid in ('public.messages'::regclass, 'public.webhook_events'::regclass, 'private.webhook_bodies'::regclass)
        or c.oid in (select indexrelid from pg_index where indrelid in ('public.messages'::regclass,
                     'public.webhook_events'::regclass, 'private.webhook_bodies'::regclass))
        or c.oid in (select reltoastrelid from pg_class where oid in ('public.messages'::regclass,
                     'public.webhook_events'::regclass, 'private.webhook_bodies'::regclass))
     order by pg_relation_size(c.oid) desc`;
  const [{ all }] = await su<{ all: number }[]>`select count(*)::int as all from public.messages`;
  const total = sizes.reduce((a, s) => a + Number(s.bytes), 0);
  console.log(`\nbytes per message (${all} messages in the database):`);
  for (const s of sizes) {
    console.log(`  ${s.relation.padEnd(48)} ${(Number(s.bytes) / all).toFixed(0).padStart(6)}`);
  }

  const p = (read: string, who: string, mode: string, k: "p50" | "p95") =>
    timings.find((t) => t.read === read && t.who === who && t.mode === mode)?.[k] ?? NaN;
  const ratio = (a: number, b: number) => Number((a / b).toFixed(1));
  const memberReads = timings.filter((t) => t.mode === "member, no filter" || t.mode === "member");
  report("scale", {
    messages,
    inbox_rls_vs_owner: ratio(
      p("inbox", "big", "member, no filter", "p50"),
      p("inbox", "big", "owner, filter", "p50"),
    ),
    thread_rls_vs_owner: ratio(
      p("thread", "big", "member, no filter", "p50"),
      p("thread", "big", "owner, filter", "p50"),
    ),
    search_p95_ms: Math.max(
      ...timings.filter((t) => t.read.startsWith("search")).map((t) => t.p95),
    ),
    worst_read_p95_ms: Math.max(...memberReads.map((t) => t.p95)),
    ingest_big_vs_empty: Number((ingest.big / ingest.empty).toFixed(2)),
    bytes_per_message: Math.round(total / all),
    inbox_rpc_vs_owner: ratio(
      p("inbox rpc", "big", "member", "p50"),
      p("inbox", "big", "owner, filter", "p50"),
    ),
    worst_read: memberReads.sort((a, b) => b.p95 - a.p95)[0]?.read,
    median_member_read_p50_ms: percentile(memberReads.map((t) => t.p50), 50),
  });
  if (Deno.env.get("BENCH_KEEP") !== "1") await unload(su);
} finally {
  await sql.end();
  await su.end();
}

// A workspace holding only the senders the ingestion batches come from.
async function makeEmpty() {
  const [big] = await su<{ channel: string }[]>`
    select c.id as channel from public.channels c join public.workspaces w on w.id = c.workspace_id
     where w.slug like 'scale-0-%'`;
  const tag = Date.now().toString(36);
  const [w] = await su<{ id: string }[]>`
    insert into public.workspaces (name, slug, plan) values ('Scale empty', ${
    "scale-ingest-empty-" + tag
  }, 'enterprise')
    returning id`;
  const [c] = await su<{ id: string }[]>`
    insert into public.channels (workspace_id, provider, name, phone_number_id, status)
    values (${w.id}, 'cloud_api', 'Empty', ${"PN-SCALE-EMPTY-" + tag}, 'connected') returning id`;
  // Their first messages through ingestion itself, so they exist as it makes them.
  const phones = await su<{ phone: string }[]>`
    select chat_id as phone from public.conversations where channel_id = ${big.channel} limit 128`;
  const pnid = "PN-SCALE-EMPTY-" + tag;
  const items = `[${
    phones.map((p, i) =>
      `{"provider":"cloud_api","channel":"${c.id}","payload":${
        body(pnid, p.phone, `wamid.scale-empty.${tag}.${i}`, "Oi!")
      }}`
    ).join(",")
  }]`;
  await su`select private.ingest_webhooks(${items}::text::jsonb)`;
  return [w];
}
