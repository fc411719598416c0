// npm run bench:rest — what the HTTP layer costs a client. A member signed in
// through /auth/v1 reads the inbox (latest 50 conversations with their
// contact) and posts replies through /rest/v1 over HTTP; then PostgREST's
// own statements run directly in SQL as the same user (role authenticated,
// JWT claims, a transaction each), and the inbox once more written by hand
// with the contact as a subquery. Equal time and concurrency for each; the
// final line has the rates and the ratios HTTP / SQL. BENCH_DIRECT=1 skips
// the gateway and talks to PostgREST's own port, to tell the gateway's share
// from PostgREST's. Drops what it made. Needs `npm start`.
import {
  connect,
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
const conversations = setting("BENCH_CONVERSATIONS", 2000);
const sql = connect(env, concurrency + 1);
const tag = runTag();
const api = env.SUPABASE_URL;
const anonKey = env.SUPABASE_ANON_KEY;
const direct = Deno.env.get("BENCH_DIRECT") === "1";
const restUrl = direct ? `http://127.0.0.1:${env.THREADLINE_REST_PORT}` : `${api}/rest/v1`;

async function auth(path: string, body: unknown) {
  const res = await fetch(`${api}/auth/v1${path}`, {
    method: "POST",
    headers: { apikey: anonKey, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${JSON.stringify(json)}`);
  return json;
}

const email = `rest-bench-${tag}@example.com`;
const { access_token: token, user } = await auth("/signup", {
  email,
  password: `bench-${tag}-password`,
});
const ws = await createWorkspace(sql, "REST bench", `rest-bench-${tag}`, user.id);
await sql`insert into public.workspace_members (workspace_id, user_id, role)
          values (${ws}, ${user.id}, 'member')`;
const channel = await createCloudChannel(sql, ws, `PN-REST-${tag}`, {
  access_token: "bench",
  app_secret: "bench",
}, 1000);
const convIds = (await sql<{ id: string }[]>`
  with c as (
    insert into public.contacts (workspace_id, name, phone, source)
    select ${ws}, 'Customer ' || i, '4479' || ${tag.slice(-5)} || lpad(i::text, 5, '0'), 'inbound'
      from generate_series(1, ${conversations}::int) i
    returning id, phone
  )
  insert into public.conversations (workspace_id, channel_id, chat_id, contact_id,
                                    window_expires_at, last_message_at, last_message_preview)
  select ${ws}, ${channel}, c.phone, c.id, now() + interval '1 day',
         now() - random() * interval '30 days', 'hello'
    from c
  returning id`).map((r) => r.id);
await sql`analyze public.conversations`;
await sql`analyze public.contacts`;
const claims = JSON.stringify({ sub: user.id, role: "authenticated", aud: "authenticated" });

const INBOX_SELECT =
  "id,display_id,status,unread_count,last_message_preview,contact:contacts(name,phone)";

// Runs `op` from `concurrency` loops for `seconds`; operations per second.
async function rate(op: (i: number) => Promise<void>): Promise<number> {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      await op(done);
      done++;
    }
  }));
  return Math.round(done / seconds);
}

const httpHeaders = {
  apikey: anonKey,
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
};

const inboxHttp = () =>
  rate(async () => {
    const res = await fetch(
      `${restUrl}/conversations?select=${INBOX_SELECT}&order=last_message_at.desc&limit=50`,
      { headers: httpHeaders },
    );
    const rows = await res.json();
    if (!res.ok || rows.length !== 50) throw new Error(`inbox: ${res.status}`);
  });

const asUser = <T>(fn: (tx: typeof sql) => Promise<T>) =>
  sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${claims}, true)`;
    return await fn(tx as unknown as typeof sql);
  });

// The statement PostgREST 12.0.2 runs for the inbox request (from its log),
// so the comparison is of the HTTP layer alone.
const inboxSql = () =>
  rate(async () => {
    const [{ body }] = await asUser((tx) =>
      tx`with pgrst_source as (
           select c.id, c.display_id, c.status, c.unread_count, c.last_message_preview,
                  row_to_json(ct.*)::jsonb as contact
             from public.conversations c
             left join lateral (
               select ct.name, ct.phone from public.contacts ct where ct.id = c.contact_id
               limit all offset 0) ct on true
            order by c.last_message_at desc
            limit 50 offset 0)
         select coalesce(json_agg(t), '[]') as body from (select * from pgrst_source) t`
    );
    if ((body as unknown[]).length !== 50) throw new Error("inbox: wrong row count");
  });

// The same rows asked another way: the contact as a subquery evaluated for
// the 50 rows kept, not a lateral join over every visible conversation.
const inboxSqlSubquery = () =>
  rate(async () => {
    const [{ body }] = await asUser((tx) =>
      tx`select coalesce(json_agg(t), '[]') as body from (
           select c.id, c.display_id, c.status, c.unread_count, c.last_message_preview,
                  (select json_build_object('name', ct.name, 'phone', ct.phone)
                     from public.contacts ct where ct.id = c.contact_id) as contact
             from public.conversations c
            order by c.last_message_at desc
            limit 50) t`
    );
    if ((body as unknown[]).length !== 50) throw new Error("inbox: wrong row count");
  });

const replyHttp = () =>
  rate(async (i) => {
    const res = await fetch(`${restUrl}/messages`, {
      method: "POST",
      headers: { ...httpHeaders, prefer: "return=minimal" },
      body: JSON.stringify({
        conversation_id: convIds[i % convIds.length],
        content: `HTTP reply ${i}`,
      }),
    });
    await res.body?.cancel();
    if (res.status !== 201) throw new Error(`reply: ${res.status}`);
  });

const replySql = () =>
  rate(async (i) => {
    await asUser((tx) =>
      tx`insert into public.messages (conversation_id, content)
         values (${convIds[i % convIds.length]}, ${`SQL reply ${i}`})`
    );
  });

try {
  // Warm both paths (PostgREST's schema cache and pools, plan caches).
  await fetch(`${restUrl}/conversations?select=id&limit=1`, { headers: httpHeaders })
    .then((r) => r.body?.cancel());
  const inboxSqlRate = await inboxSql();
  const inboxSubqueryRate = await inboxSqlSubquery();
  const inboxHttpRate = await inboxHttp();
  const replySqlRate = await replySql();
  const replyHttpRate = await replyHttp();
  const r = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  report("rest", {
    via: direct ? "postgrest" : "gateway",
    concurrency,
    seconds,
    inbox_http_per_s: inboxHttpRate,
    inbox_sql_per_s: inboxSqlRate,
    inbox_ratio: r(inboxHttpRate, inboxSqlRate),
    inbox_sql_subquery_per_s: inboxSubqueryRate,
    reply_http_per_s: replyHttpRate,
    reply_sql_per_s: replySqlRate,
    reply_ratio: r(replyHttpRate, replySqlRate),
    ratio: r(inboxHttpRate + replyHttpRate, inboxSqlRate + replySqlRate),
  });
} finally {
  await dropWorkspace(sql, ws);
  await sql`delete from auth.users where id = ${user.id}`;
  await sql.end();
}
