// npm run bench:media — BENCH_FILES (2,000) inbound image messages of
// BENCH_FILE_KB (200) KB each, one signed Cloud API webhook per message, from
// the webhook to `stored` in Storage through the media function; against a
// plain copy of the same files from the fake provider to disk (fetch the
// media URL, download, write) in the same run. Needs `npm start`.
// Ends with {"bench":"media","files","stored","lost","mb_per_s","p99_fetch_ms","ratio",...}.
import { cloudEnvelope } from "../../tests/fixtures/payloads.ts";
import {
  connect,
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
const files = setting("BENCH_FILES", 2000);
const size = setting("BENCH_FILE_KB", 200) * 1024;
const concurrency = setting("BENCH_CONCURRENCY", 16);
const sql = connect(env, 2);
const fakeUrl = env.THREADLINE_FAKE_PROVIDER_URL;
const graph = `${fakeUrl}/v23.0`;

const tag = runTag();
const PNID = `PN-MEDIA-BENCH-${tag}`;
const SECRET = "bench-media-secret";
const TOKEN = `bench-media-token-${tag}`;
const ws = await createWorkspace(sql, "Media bench", `media-bench-${tag}`);
const channel = await createCloudChannel(sql, ws, PNID, {
  app_secret: SECRET,
  access_token: TOKEN,
});
const dir = await Deno.makeTempDir({ prefix: "bench-media-" });

async function fakeJson(path: string, body: unknown) {
  const res = await fetch(`${fakeUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return await res.json();
}

// Runs fn for 0..n-1, `lanes` at a time.
async function lanes(n: number, width: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await fn(next++);
  }));
}

type Registered = { media_id: string; sha256: { hex: string; base64: string } };

try {
  await fakeJson("/__fake/phone_numbers", {
    phone_number_id: PNID,
    access_token: TOKEN,
    display_phone_number: "+1 555-000-9999",
    verified_name: "Media bench",
  });
  const media: Registered[] = [];
  await lanes(files, 8, async (i) => {
    media[i] = await fakeJson("/__fake/media", {
      provider: "cloud_api",
      phone_number_id: PNID,
      media_id: `${tag}${String(i).padStart(6, "0")}`,
      mime_type: "image/jpeg",
      size,
    });
  });

  // Baseline: a plain loop copying each file from the provider to disk.
  const auth = { authorization: `Bearer ${TOKEN}` };
  const copyStarted = performance.now();
  let copied = 0;
  for (const m of media) {
    const info = await (await fetch(`${graph}/${m.media_id}`, { headers: auth })).json();
    const bytes = new Uint8Array(await (await fetch(info.url, { headers: auth })).arrayBuffer());
    await Deno.writeFile(`${dir}/${m.media_id}.jpg`, bytes);
    copied += bytes.length;
  }
  const copySeconds = (performance.now() - copyStarted) / 1000;
  const copyMbPerS = copied / 1e6 / copySeconds;
  console.log(
    `plain copy: ${files} files, ${(copied / 1e6).toFixed(0)} MB in ${copySeconds.toFixed(1)} s`,
  );

  // Through Threadline: a signed webhook per message, then the media function.
  const url = `${env.SUPABASE_URL}/functions/v1/whatsapp-webhook/${channel}`;
  const started = performance.now();
  let refused = 0;
  await lanes(files, concurrency, async (i) => {
    const m = media[i];
    const body = JSON.stringify(cloudEnvelope(PNID, {
      contacts: [{ profile: { name: `Sender ${i}` }, wa_id: String(5511300000000 + i) }],
      messages: [{
        from: String(5511300000000 + i),
        id: `wamid.MEDIA-BENCH.${tag}.${i}`,
        timestamp: String(Math.floor(Date.now() / 1000)),
        type: "image",
        image: { id: m.media_id, mime_type: "image/jpeg", sha256: m.sha256.base64 },
      }],
    }));
    if (!await postSignedWebhook(url, SECRET, body)) refused++;
  });
  const posted = (performance.now() - started) / 1000;
  console.log(`webhooks: ${files} in ${posted.toFixed(1)} s (${refused} refused)`);

  // Until every file is stored, or nothing has moved for 60 s.
  let last = -1;
  let still = performance.now();
  let counts = { stored: 0, failed: 0, pending: 0 };
  for (;;) {
    const [c] = await sql<{ stored: number; failed: number; pending: number }[]>`
      select count(*) filter (where status = 'stored')::int as stored,
             count(*) filter (where status in ('failed', 'expired'))::int as failed,
             count(*) filter (where status = 'pending')::int as pending
        from public.media_files where channel_id = ${channel}`;
    counts = c;
    if (c.stored + c.failed >= files) break;
    if (c.stored !== last) {
      last = c.stored;
      still = performance.now();
    } else if (performance.now() - still > 60_000) break;
    await sleep(100);
  }
  const [span] = await sql<{ seconds: number; bytes: string }[]>`
    select extract(epoch from max(stored_at) - min(created_at))::float8 as seconds,
           coalesce(sum(size_bytes), 0)::text as bytes
      from public.media_files where channel_id = ${channel} and status = 'stored'`;
  const times = await sql<{ fetch: number; total: number }[]>`
    select extract(epoch from stored_at - claimed_at)::float8 * 1000 as fetch,
           extract(epoch from stored_at - created_at)::float8 * 1000 as total
      from public.media_files where channel_id = ${channel} and status = 'stored'`;
  const [objects] = await sql<{ n: number }[]>`
    select count(*)::int as n from storage.objects
     where bucket_id = 'media' and name like ${`${ws}/%`}`;
  const mbPerS = Number(span.bytes) / 1e6 / span.seconds;
  report("media", {
    files,
    stored: counts.stored,
    lost: files - counts.stored,
    failed: counts.failed,
    objects: objects.n,
    mb_per_s: Math.round(mbPerS * 100) / 100,
    // from the media function taking the file to its being stored
    p99_fetch_ms: percentile(times.map((t) => t.fetch), 99),
    p50_fetch_ms: percentile(times.map((t) => t.fetch), 50),
    // from the webhook to stored, queueing behind the burst included
    p99_received_to_stored_ms: percentile(times.map((t) => t.total), 99),
    copy_mb_per_s: Math.round(copyMbPerS * 100) / 100,
    ratio: Math.round((mbPerS / copyMbPerS) * 100) / 100,
  });
} finally {
  // The workspace's objects go with it, through the removal queue.
  await dropWorkspace(sql, ws);
  await Deno.remove(dir, { recursive: true });
  await sql.end();
}
