// npm run bench:hooks — BENCH_MESSAGES (10,000) inbound text messages, one
// signed Cloud API webhook each through the gateway (as bench:ingest's
// gateway leg), while three hooks subscribe to message.received at the
// fake provider's hook receiver: one healthy (answers in 20 ms), one
// failing 30% of deliveries with 500, one letting 5% run past its 1 s
// timeout. Waits until every job is delivered or dead-lettered. Needs `npm start`.
// Ends with {"bench":"hooks","events","delivered","lost","dead_letters",
// "lag_p50_ms","lag_p99_ms","ingest_per_s","deliveries_per_s","ratio",...}:
// delivered and dead_letters count (hook, event) pairs, lost the pairs that
// ended as neither; lag is the healthy hook's, from the event's created_at
// to its receipt; deliveries_per_s is the healthy hook's events over the
// span from its first to its last receipt, against ingest_per_s over the
// span of the webhooks, so ratio ~1 means delivery kept pace.
import { withClaims } from "../../shared/db.ts";
import { cloudText } from "../../tests/fixtures/payloads.ts";
import type { Received } from "../services/fake-provider-hooks.ts";
import {
  connect,
  createAuthUser,
  createCloudChannel,
  createWorkspace,
  dropWorkspace,
  percentile,
  postSignedWebhook,
  report,
  runTag,
  setting,
  sleep,
  stackEnv,
} from "./setup.ts";

const env = await stackEnv();
const messages = setting("BENCH_MESSAGES", 10_000);
const concurrency = setting("BENCH_CONCURRENCY", 32);
const sql = connect(env, 2);
const fakeUrl = env.THREADLINE_FAKE_PROVIDER_URL;

const tag = runTag();
const PNID = `PN-HOOKS-BENCH-${tag}`;
const SECRET = "bench-hooks-app-secret";
const admin = await createAuthUser(env, `hooks-bench-${tag}@example.com`);
const ws = await createWorkspace(sql, "Hooks bench", `hooks-bench-${tag}`, admin);
await sql`insert into public.workspace_members (workspace_id, user_id, role)
          values (${ws}, ${admin}, 'owner') on conflict do nothing`;
const channel = await createCloudChannel(sql, ws, PNID, { app_secret: SECRET });

const RECEIVERS = {
  healthy: { delay_ms: 20 },
  failing: { fail_fraction: 0.3, fail_status: 500 },
  slow: { slow_fraction: 0.05, slow_ms: 2000 },
} as const;
type Name = keyof typeof RECEIVERS;
const rx = (name: Name) => `bench-${name}-${tag}`;

async function fakeCall(path: string, init?: RequestInit) {
  const res = await fetch(`${fakeUrl}${path}`, init);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return await res.json();
}

const hooks = {} as Record<Name, string>;
try {
  for (const name of Object.keys(RECEIVERS) as Name[]) {
    const [h] = await withClaims(
      sql,
      { role: "authenticated", sub: admin },
      (tx) =>
        tx<{ id: string; secret: string }[]>`
        select * from public.create_hook(${ws}, ${name}, ${`${fakeUrl}/__hooks/${rx(name)}`},
          array['message.received'], allow_insecure => true, timeout_seconds => 1)`,
    );
    hooks[name] = h.id;
    await fakeCall(`/__hooks/${rx(name)}/setup`, {
      method: "POST",
      body: JSON.stringify({ secrets: [h.secret], ...RECEIVERS[name] }),
    });
  }

  const url = `${env.SUPABASE_URL}/functions/v1/whatsapp-webhook/${channel}`;
  let refused = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < messages) {
      const i = next++;
      const body = JSON.stringify(cloudText(PNID, {
        from: String(5511400000000 + i),
        id: `wamid.HOOKS-BENCH.${tag}.${i}`,
        body: `Hooks benchmark message ${i}`,
        name: `Sender ${i}`,
      }));
      if (!await postSignedWebhook(url, SECRET, body)) refused++;
    }
  }));
  const ingestSeconds = (performance.now() - started) / 1000;
  console.log(`webhooks: ${messages} in ${ingestSeconds.toFixed(1)} s (${refused} refused)`);

  // Until no job of these hooks is left, or nothing has moved for 90 s.
  const ids = Object.values(hooks);
  let left = -1;
  let still = performance.now();
  for (;;) {
    const [{ n }] = await sql<{ n: number }[]>`
      select count(*)::int as n from private.hook_jobs where hook_id = any (${ids}::uuid[])`;
    if (n === 0) break;
    if (n !== left) {
      left = n;
      still = performance.now();
    } else if (performance.now() - still > 90_000) break;
    await sleep(500);
  }
  const drained = (performance.now() - started) / 1000;

  const [events] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.messages
     where channel_id = ${channel} and direction = 'inbound'`;
  const perHook = await sql<
    { hook_id: string; delivered: number; dead: number; attempts: number; failed: number }[]
  >`
    select h.id as hook_id,
           (select count(distinct d.event_id)::int from public.hook_deliveries d
             where d.hook_id = h.id and d.outcome = 'delivered') as delivered,
           (select count(*)::int from public.message_cache c where c.hook_id = h.id) as dead,
           (select count(*)::int from public.hook_deliveries d where d.hook_id = h.id) as attempts,
           (select count(*)::int from public.hook_deliveries d
             where d.hook_id = h.id and d.outcome <> 'delivered') as failed
      from public.hooks h where h.id = any (${ids}::uuid[])`;
  const byId = new Map(perHook.map((r) => [r.hook_id, r]));
  const delivered = perHook.reduce((a, r) => a + r.delivered, 0);
  const dead = perHook.reduce((a, r) => a + r.dead, 0);
  for (const name of Object.keys(hooks) as Name[]) {
    const r = byId.get(hooks[name])!;
    console.log(
      `${name}: ${r.delivered} delivered, ${r.dead} dead letters, ${r.attempts} attempts (${r.failed} failed)`,
    );
  }

  // The healthy hook as its receiver saw it.
  const got: Received[] = await fakeCall(`/__hooks/${rx("healthy")}/received`);
  const ok = got.filter((g) => g.status === 200 && g.verified);
  const lags = ok.map((g) => g.at_ms - Date.parse((g.event as { created_at: string }).created_at));
  const firstAt = Math.min(...ok.map((g) => g.at_ms));
  const lastAt = Math.max(...ok.map((g) => g.at_ms));
  const uniqueEvents = new Set(ok.map((g) => (g.event as { id: string }).id)).size;
  const deliveriesPerS = uniqueEvents / Math.max(0.001, (lastAt - firstAt) / 1000);
  const ingestPerS = messages / ingestSeconds;
  console.log(
    `healthy receiver: ${ok.length} verified 200s for ${uniqueEvents} events, ` +
      `${got.length - ok.length} others; all drained after ${drained.toFixed(1)} s`,
  );
  report("hooks", {
    events: events.n,
    delivered,
    lost: events.n * ids.length - delivered - dead,
    dead_letters: dead,
    lag_p50_ms: percentile(lags, 50),
    lag_p99_ms: percentile(lags, 99),
    ingest_per_s: Math.round(ingestPerS),
    deliveries_per_s: Math.round(deliveriesPerS),
    ratio: Math.round((deliveriesPerS / ingestPerS) * 100) / 100,
    refused_webhooks: refused,
    drained_s: Math.round(drained),
  });
} finally {
  for (const name of Object.keys(RECEIVERS) as Name[]) {
    await fetch(`${fakeUrl}/__hooks/${rx(name)}`, { method: "DELETE" }).then((r) =>
      r.body?.cancel()
    );
  }
  await dropWorkspace(sql, ws);
  await sql`delete from auth.users where id = ${admin}`;
  await sql.end();
}
