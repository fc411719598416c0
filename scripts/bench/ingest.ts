// npm run bench:ingest — signed Cloud API webhooks (one text message each,
// distinct senders) against the full ingestion path and a bare-insert
// baseline served by the same HTTP server, in one run. Needs `npm start`.
// BENCH_BODY_MESSAGES=1000,4000,8000 measures large single bodies instead
// (scripts/bench/ingest-large-body.ts).
import { hubSignature } from "../../shared/signature.ts";
import { cloudText } from "../../tests/fixtures/payloads.ts";
import {
  connect,
  createCloudChannel,
  createWorkspace,
  dropWorkspace,
  report,
  runTag,
  setting,
  sleep,
  stackEnv,
} from "./setup.ts";
import { benchLargeBodies } from "./ingest-large-body.ts";

const env = await stackEnv();
const bodySizes = Deno.env.get("BENCH_BODY_MESSAGES");
if (bodySizes) {
  await benchLargeBodies(env, bodySizes.split(",").map(Number));
  Deno.exit(0);
}
const seconds = setting("BENCH_SECONDS", 8);
const concurrency = setting("BENCH_CONCURRENCY", 32);
const port = 54340 + Math.floor(Math.random() * 50);
const sql = connect(env, 2);

const SECRET = "bench-app-secret";
const tag = runTag();
const PNID = `PN-BENCH-${tag}`;
const ws = await createWorkspace(sql, "Bench", `bench-${tag}`);
const channel = await createCloudChannel(sql, ws, PNID, { app_secret: SECRET });
// Start from clean tables: a previous run's cleanup leaves dead rows that
// autovacuum would otherwise clear in the middle of this run.
const TOUCHED =
  "public.messages, public.contacts, public.contact_identities, public.conversations, public.webhook_events, public.media_files";
await sql.unsafe(`vacuum (analyze) ${TOUCHED}`);
await sql`create schema if not exists bench`;
await sql`create table if not exists bench.baseline (id bigserial primary key, body jsonb not null, created_at timestamptz not null default now())`;

const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    `--config=${new URL("../../deno.json", import.meta.url).pathname}`,
    new URL("./ingest-server.ts", import.meta.url).pathname,
  ],
  env: { SUPABASE_DB_URL: env.THREADLINE_DB_URL, BENCH_PORT: String(port) },
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
for (let i = 0; i < 100; i++) {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    break;
  } catch {
    await sleep(100);
  }
}

let seq = 0;
async function nextRequest(): Promise<{ body: string; sig: string }> {
  const n = seq++;
  const body = JSON.stringify(cloudText(PNID, {
    from: String(5511000000000 + n),
    id: `wamid.BENCH.${Date.now()}.${n}`,
    body: `Benchmark message ${n}`,
    name: `Sender ${n}`,
  }));
  return { body, sig: await hubSignature(SECRET, body) };
}

type Result = { ok: number; failed: number; perSecond: number; p50: number; p99: number };

async function run(url: string, secs: number): Promise<Result> {
  const latencies: number[] = [];
  let failed = 0;
  const deadline = performance.now() + secs * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const { body, sig } = await nextRequest();
      const t0 = performance.now();
      const res = await fetch(url, {
        method: "POST",
        body,
        headers: { "x-hub-signature-256": sig, "content-type": "application/json" },
      });
      const text = await res.text();
      // A webhook counts only when it was processed, not merely answered.
      if (
        res.status !== 200 || url.includes("/whatsapp-webhook/") && !text.includes('"processed"')
      ) {
        failed++;
      } else latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    ok: latencies.length,
    failed,
    perSecond: latencies.length / elapsed,
    p50: q(0.5),
    p99: q(0.99),
  };
}

const base = `http://127.0.0.1:${port}`;
const ingestUrl = `${base}/whatsapp-webhook/${channel}`;
try {
  await run(`${base}/baseline`, 2); // warm-up: JIT, pool, caches
  await run(ingestUrl, 4); // every pooled connection compiles the ingest functions once
  // Measure with statistics as autovacuum keeps them in a running system.
  // The start-of-run analyze saw these tables nearly empty and without the
  // bench's channel; plans made from those numbers pick indexes by a coin
  // flip, and autovacuum (one-minute naptime) would not revisit them before
  // this run is over.
  await sql.unsafe(`analyze ${TOUCHED}`);
  // Alternate so that drift on a shared machine hits both sides alike.
  const rounds: { baseline: Result; ingest: Result }[] = [];
  for (let r = 0; r < 2; r++) {
    rounds.push({
      baseline: await run(`${base}/baseline`, seconds / 2),
      ingest: await run(ingestUrl, seconds / 2),
    });
    const last = rounds[rounds.length - 1];
    console.log(
      `round ${r + 1}: baseline ${last.baseline.perSecond.toFixed(0)}/s, ` +
        `ingest ${last.ingest.perSecond.toFixed(0)}/s (p99 ${last.ingest.p99.toFixed(1)} ms)`,
    );
  }
  const gateway = await run(
    `${env.SUPABASE_URL}/functions/v1/whatsapp-webhook/${channel}`,
    Math.max(2, seconds / 4),
  );

  const sum = (k: "baseline" | "ingest") =>
    rounds.reduce((a, r) => a + r[k].perSecond, 0) / rounds.length;
  const maxP99 = (k: "baseline" | "ingest") => Math.max(...rounds.map((r) => r[k].p99));
  const failures = rounds.reduce((a, r) => a + r.ingest.failed + r.baseline.failed, 0) +
    gateway.failed;
  const [{ messages }] =
    await sql`select count(*)::int as messages from public.messages where channel_id = ${channel}`;
  const msgsPerS = sum("ingest");
  const baselinePerS = sum("baseline");

  console.log(
    `concurrency ${concurrency}, ${seconds}s per side in ${rounds.length} alternating rounds`,
  );
  console.log(
    `baseline (bare insert): ${baselinePerS.toFixed(0)} req/s, p99 ${
      maxP99("baseline").toFixed(1)
    } ms`,
  );
  console.log(
    `full ingestion:         ${msgsPerS.toFixed(0)} msg/s, p99 ${maxP99("ingest").toFixed(1)} ms`,
  );
  console.log(
    `via the local gateway:  ${gateway.perSecond.toFixed(0)} msg/s, p99 ${
      gateway.p99.toFixed(1)
    } ms`,
  );
  console.log(`messages stored: ${messages}, failed requests: ${failures}`);
  report("ingest", {
    msgs_per_s: Math.round(msgsPerS),
    p99_ms: Number(maxP99("ingest").toFixed(1)),
    baseline_per_s: Math.round(baselinePerS),
    ratio: Number((msgsPerS / baselinePerS).toFixed(2)),
    via_gateway_per_s: Math.round(gateway.perSecond),
    failed: failures,
  });
} finally {
  try {
    server.kill("SIGTERM");
  } catch {
    // already gone
  }
  await server.status;
  await dropWorkspace(sql, ws);
  await sql`drop schema bench cascade`;
  await sql.unsafe(`vacuum ${TOUCHED}`);
  await sql.end();
}
