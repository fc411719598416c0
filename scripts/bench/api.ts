// npm run bench:api — what the public REST API costs a sender. The same
// text sends, each with its own idempotency key, made through
// POST /functions/v1/api/v1/messages with an API key, then by
// public.send_message in SQL as the key's user (role authenticated, JWT
// claims, a transaction each). Equal time and concurrency for each; the
// final line has both rates and ratio = API / SQL (goal >= 0.5). Drops what
// it made. Needs `npm start`.
import {
  connect,
  createAuthUser,
  createCloudChannel,
  createWorkspace,
  dropWorkspace,
  report,
  runTag,
  setting,
  stackEnv,
} from "./setup.ts";

const env = await stackEnv();
const seconds = setting("BENCH_SECONDS", 8);
const concurrency = setting("BENCH_CONCURRENCY", 4);
const conversations = setting("BENCH_CONVERSATIONS", 500);
const sql = connect(env, concurrency + 1);
const tag = runTag();
const url = `${env.SUPABASE_URL}/functions/v1/api/v1/messages`;

const userId = await createAuthUser(env, `api-bench-${tag}@example.com`);
const ws = await createWorkspace(sql, "API bench", `api-bench-${tag}`, userId);
await sql`insert into public.workspace_members (workspace_id, user_id, role)
          values (${ws}, ${userId}, 'owner')`;
const channel = await createCloudChannel(sql, ws, `PN-APIB-${tag}`, {
  access_token: "bench",
  app_secret: "bench",
}, 1000);
const convIds = (await sql<{ id: string }[]>`
  with c as (
    insert into public.contacts (workspace_id, name, phone, source)
    select ${ws}, 'Customer ' || i, '4478' || ${tag.slice(-5)} || lpad(i::text, 5, '0'), 'inbound'
      from generate_series(1, ${conversations}::int) i
    returning id, phone
  )
  insert into public.conversations (workspace_id, channel_id, chat_id, contact_id, window_expires_at)
  select ${ws}, ${channel}, c.phone, c.id, now() + interval '1 day' from c
  returning id`).map((r) => r.id);
const claims = JSON.stringify({ sub: userId, role: "authenticated", aud: "authenticated" });

const asUser = <T>(fn: (tx: typeof sql) => Promise<T>) =>
  sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${claims}, true)`;
    return await fn(tx as unknown as typeof sql);
  });

const [{ key, id: keyId }] = await asUser((tx) =>
  tx<
    { key: string; id: string }[]
  >`select key, id from public.create_api_key(${ws}, 'bench', '{messages:send}')`
);
// The benchmark measures throughput, not the per-minute limit.
await sql`update public.api_keys set rate_limit_per_minute = 100000 where id = ${keyId}`;

async function rate(op: (i: number) => Promise<void>): Promise<number> {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      await op(done++);
    }
  }));
  return Math.round(done / seconds);
}

const sendApi = (i: number) =>
  fetch(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      "idempotency-key": `api-${tag}-${i}`,
    },
    body: JSON.stringify({
      conversation_id: convIds[i % convIds.length],
      type: "text",
      text: `API send ${i}`,
    }),
  }).then(async (res) => {
    await res.body?.cancel();
    if (res.status !== 201) throw new Error(`send: ${res.status}`);
  });

const sendSql = (i: number) =>
  asUser((tx) =>
    tx`select public.send_message(conversation_id => ${convIds[i % convIds.length]}::uuid,
         content => ${`SQL send ${i}`}, idempotency_key => ${`sql-${tag}-${i}`})`
  ).then(() => {});

try {
  // Warm both paths (the function's isolate and pool, plan caches).
  await sendApi(1e9);
  await sendSql(1e9);
  const sqlRate = await rate(sendSql);
  const apiRate = await rate(sendApi);
  report("api", {
    concurrency,
    seconds,
    api_per_s: apiRate,
    sql_per_s: sqlRate,
    ratio: Math.round((apiRate / sqlRate) * 1000) / 1000,
  });
} finally {
  await dropWorkspace(sql, ws);
  await sql`delete from auth.users where id = ${userId}`;
  await sql.end();
}
