// BENCH_BODY_MESSAGES=1000,4000,8000 npm run bench:ingest — one Cloud API
// body holding N text messages from N senders (Meta batches up to a few
// thousand under backlog), ingested as the webhook function does
// (private.ingest_webhooks over the body's text). Reports the time per
// message and the temporary files written for each N: both should stay flat
// as N grows (a cost that grows with N², as sorting rows that each carry the
// whole change did, shows as a rising ms/msg and gigabytes of temp files).
import { cloudEnvelope } from "../../tests/fixtures/payloads.ts";
import {
  connect,
  createCloudChannel,
  createWorkspace,
  dropWorkspace,
  report,
  runTag,
  sleep,
  type StackEnv,
} from "./setup.ts";

export function largeBody(pnid: string, n: number, tag: string) {
  const from = (i: number) => String(5511300000000 + i);
  return cloudEnvelope(pnid, {
    contacts: Array.from(
      { length: n },
      (_, i) => ({ profile: { name: `Sender ${i}` }, wa_id: from(i) }),
    ),
    messages: Array.from({ length: n }, (_, i) => ({
      from: from(i),
      id: `wamid.LARGE.${tag}.${n}.${i}`,
      timestamp: String(1_790_000_000 + i),
      type: "text",
      text: { body: `Message ${i} of a large body` },
    })),
  });
}

export async function benchLargeBodies(env: StackEnv, sizes: number[]): Promise<void> {
  const sql = connect(env, 1);
  const tag = runTag();
  const pnid = `PN-LARGE-${tag}`;
  const ws = await createWorkspace(sql, "Bench large bodies", `bench-large-${tag}`);
  const channel = await createCloudChannel(sql, ws, pnid, { app_secret: "bench" });
  const tempBytes = async () => {
    await sleep(1200); // backends flush their statistics at most once a second
    const [{ b }] = await sql<{ b: string }[]>`
      select temp_bytes::text as b from pg_stat_database where datname = current_database()`;
    return Number(b);
  };
  const results: Record<string, unknown>[] = [];
  try {
    for (const n of sizes) {
      const body = JSON.stringify(largeBody(pnid, n, tag));
      const batch = `[{"provider":"cloud_api","channel":"${channel}","payload":${body}}]`;
      const temp0 = await tempBytes();
      const t0 = performance.now();
      const [{ r }] = await sql<{ r: { status: string; messages: number }[] }[]>`
        select private.ingest_webhooks(${batch}::text::jsonb) as r`;
      const ms = performance.now() - t0;
      const temp = (await tempBytes()) - temp0;
      if (r[0].status !== "processed" || r[0].messages !== n) {
        throw new Error(`body of ${n}: ${JSON.stringify(r[0]).slice(0, 300)}`);
      }
      const line = {
        messages: n,
        body_mb: Number((body.length / 1e6).toFixed(2)),
        seconds: Number((ms / 1000).toFixed(2)),
        ms_per_msg: Number((ms / n).toFixed(3)),
        temp_mb: Math.round(temp / 1e6),
      };
      console.log(JSON.stringify(line));
      results.push(line);
    }
    report("ingest_large_body", { runs: results });
  } finally {
    await dropWorkspace(sql, ws);
    await sql.end();
  }
}
