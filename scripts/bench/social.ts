// npm run bench:social — BENCH_LIKES (2,000) likes on one post from
// BENCH_CLIENTS (16) concurrent clients, each like one request as PostgREST
// runs it (one transaction, role authenticated, request.jwt.claims, RLS),
// then the same number of likes spread over as many posts, same clients:
// ratio = likes/s on one post / likes/s spread (1.0 means a popular post
// costs nothing extra: reactions never write the post row). Then reads at
// BENCH_POSTS (100,000) posts and BENCH_LIKES_TOTAL (1,000,000) likes,
// seeded in SQL with generate_series: a follower's home timeline (first
// and later keyset pages) and a workspace's profile feed, under RLS; then
// product browsing at BENCH_PRODUCTS (100,000) products (browse.ts).
// like_count_exact: the hot post reads exactly BENCH_LIKES before and after
// the tick folds its deltas, and every spread post exactly 1.
// Needs `npm start`. Ends with {"bench":"social","likes_per_s",
// "like_p99_ms","like_count_exact","timeline_p50_ms","browse_p50_ms",
// "ratio",...}.
import postgres from "postgres";
import { benchBrowse } from "./browse.ts";
import {
  connect,
  createAuthUser,
  createWorkspace,
  percentile,
  report,
  runTag,
  setting,
  stackEnv,
} from "./setup.ts";

const env = await stackEnv();
const likes = setting("BENCH_LIKES", 2_000);
const clients = setting("BENCH_CLIENTS", 16);
const posts = setting("BENCH_POSTS", 100_000);
const likesTotal = setting("BENCH_LIKES_TOTAL", 1_000_000);
const reads = setting("BENCH_READS", 300);
const workspaces = 20;
const sql = connect(env, clients + 1);
const tag = runTag();

// Likers: users made in one statement over GoTrue's connection (as many
// sign-ups would), each with the profile and personal workspace sign-up
// gives them.
const owner = await createAuthUser(env, `social-bench-owner-${tag}@example.com`);
const auth = postgres(env.THREADLINE_AUTH_DB_URL, {
  max: 1,
  onnotice: () => {},
});
const users = (await auth<{ id: string }[]>`
  insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, raw_app_meta_data,
                          email_confirmed_at, created_at, updated_at)
  select gen_random_uuid(), '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
         'social-bench-' || i || '-' || ${tag} || '@example.com', '{}', '{"provider":"email"}', now(), now(), now()
    from generate_series(1, ${likes}) i
  returning id`).map((r) => r.id);
await auth.end();
const claims = users.map((sub) =>
  JSON.stringify({ sub, role: "authenticated", aud: "authenticated" })
);

const wsIds: string[] = [];
for (let w = 0; w < workspaces; w++) {
  const ws = await createWorkspace(sql, `Social bench ${w}`, `social-bench-${w}-${tag}`, owner);
  await sql`insert into public.workspace_members (workspace_id, user_id, role) values (${ws}, ${owner}, 'owner')`;
  await sql`insert into storage.objects (bucket_id, name) values ('media', ${
    ws + "/uploads/bench.jpg"
  })`;
  wsIds.push(ws);
}
let figures: Record<string, unknown> | undefined;

type Run = { seconds: number; ms: number[] };

// Like i (user i likes post target(i)), every client taking the next one.
async function drive(target: (i: number) => string): Promise<Run> {
  const run: Run = { seconds: 0, ms: [] };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < likes) {
      const i = next++;
      const t = performance.now();
      await sql.begin(async (tx) => {
        await tx`select set_config('role', 'authenticated', true),
                        set_config('request.jwt.claims', ${claims[i]}, true)`;
        await tx`insert into public.feed_likes (feed_id) values (${target(i)})`;
      });
      run.ms.push(performance.now() - t);
    }
  }));
  run.seconds = (performance.now() - t0) / 1000;
  return run;
}

// p50 of fn over BENCH_READS calls as the user, after a warm-up.
async function timeReads(
  user: string,
  fn: (tx: postgres.TransactionSql, i: number) => Promise<unknown>,
) {
  const ms: number[] = [];
  const who = JSON.stringify({ sub: user, role: "authenticated", aud: "authenticated" });
  for (let i = -20; i < reads; i++) {
    const t = performance.now();
    await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${who}, true)`;
      await fn(tx, i);
    });
    if (i >= 0) ms.push(performance.now() - t);
  }
  return percentile(ms, 50);
}

try {
  // One hot post and a post per spread like, all public and published.
  const media = (ws: string) => [ws + "/uploads/bench.jpg"];
  const [{ id: hot }] = await sql<{ id: string }[]>`
    insert into public.feeds (user_id, workspace_id, feed_type, caption, media_paths, status)
    values (${owner}, ${wsIds[0]}, 'image', 'hot', ${media(wsIds[0])}, 'published') returning id`;
  const spread = (await sql<{ id: string }[]>`
    insert into public.feeds (user_id, workspace_id, feed_type, caption, media_paths, status)
    select ${owner}, ${wsIds[0]}, 'image', 'spread ' || i, ${media(wsIds[0])}, 'published'
      from generate_series(1, ${likes}) i returning id`).map((r) => r.id);

  const one = await drive(() => hot);
  const many = await drive((i) => spread[i]);
  const onePerS = likes / one.seconds;
  const manyPerS = likes / many.seconds;
  console.log(
    `one post: ${likes} likes in ${one.seconds.toFixed(2)} s (${onePerS.toFixed(0)}/s, p50 ${
      percentile(one.ms, 50)
    } ms, p99 ${percentile(one.ms, 99)} ms); spread: ${many.seconds.toFixed(2)} s (${
      manyPerS.toFixed(0)
    }/s, p50 ${percentile(many.ms, 50)} ms, p99 ${percentile(many.ms, 99)} ms)`,
  );
  const counted = async () => {
    const [r] = await sql<{ hot: string; spread_ok: boolean }[]>`
      select (select like_count from public.feed_posts where id = ${hot}) as hot,
             (select bool_and(like_count = 1) from public.feed_posts where id = any (${spread}::uuid[])) as spread_ok`;
    return Number(r.hot) === likes && r.spread_ok;
  };
  const exactBefore = await counted();
  await sql`select private.fold_social_counters()`;
  const [{ folded }] = await sql<
    { folded: number }[]
  >`select like_count as folded from public.feeds where id = ${hot}`;
  const exact = exactBefore && await counted() && folded === likes;
  console.log(
    `like counts exact before the fold: ${exactBefore}, after: ${exact} (hot post row: ${folded})`,
  );

  // Reads at scale: BENCH_POSTS posts over the workspaces (80% public,
  // 15% followers-only, 5% private), a minute apart, and BENCH_LIKES_TOTAL
  // likes (user k likes a window of consecutive posts).
  const t0 = performance.now();
  await sql`
    insert into public.feeds (user_id, workspace_id, feed_type, caption, media_paths, tags, visibility, status)
    select ${owner}, w.id, 'image', 'bench post ' || i, array[w.id || '/uploads/bench.jpg'], array['bench', 'tag' || (i % 50)],
           case when i % 20 < 16 then 'public' when i % 20 < 19 then 'followers' else 'private' end::public.feed_visibility,
           'published'
      from generate_series(1, ${posts}) i
      join lateral (select ws.id from unnest(${wsIds}::uuid[]) with ordinality ws(id, n) where ws.n = 1 + i % ${workspaces}) w on true`;
  await sql`
    update public.feeds set published_at = now() - (100000 - substring(caption from 12)::int) * interval '1 minute'
     where workspace_id = any (${wsIds}::uuid[]) and caption like 'bench post %'`;
  const perUser = Math.ceil(likesTotal / users.length);
  await sql`
    with p as (select id, row_number() over (order by published_at, id) - 1 as n
                 from public.feeds where workspace_id = any (${wsIds}::uuid[]) and caption like 'bench post %'),
         u as (select id, row_number() over (order by id) - 1 as k from unnest(${users}::uuid[]) id)
    insert into public.feed_likes (feed_id, user_id)
    select p.id, u.id from u join p on p.n >= (u.k * ${Math.floor(posts / users.length)}) % ${posts}
                                   and p.n < (u.k * ${
    Math.floor(posts / users.length)
  }) % ${posts} + ${perUser}`;
  await sql`select private.fold_social_counters()`;
  await sql`analyze public.feeds, public.feed_likes, public.follows`;
  const [{ n_posts, n_likes }] = await sql<{ n_posts: number; n_likes: number }[]>`
    select (select count(*)::int from public.feeds where workspace_id = any (${wsIds}::uuid[])) as n_posts,
           (select count(*)::int from public.feed_likes) as n_likes`;
  console.log(
    `seeded ${n_posts} posts and ${n_likes} likes in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s`,
  );

  // A reader following five of the workspaces.
  const reader = users[0];
  await sql`insert into public.follows (follower_id, followed_workspace_id)
            select ${reader}, unnest(${wsIds.slice(0, 5)}::uuid[])`;
  const pages: { at: string; id: string }[] = [];
  const timeline = await timeReads(reader, async (tx, i) => {
    const from = i > 0 && i % 4 !== 0 ? pages[(i - 1) % pages.length] : null;
    const rows = await tx<{ published_at: string; id: string }[]>`
      select published_at, id from public.home_timeline(${from?.at ?? null}::timestamptz, ${
      from?.id ?? null
    }::uuid, 20)`;
    if (rows.length) {
      pages.push({ at: rows[rows.length - 1].published_at, id: rows[rows.length - 1].id });
    }
  });
  const following = await timeReads(
    reader,
    (tx) => tx`select id from public.home_timeline(null, null, 20, true)`,
  );
  const profile = await timeReads(
    reader,
    (tx, i) =>
      tx`select id from public.profile_feed(${
        wsIds[Math.abs(i) % workspaces]
      }::uuid, null, null, null, 20)`,
  );
  const discover = await timeReads(
    reader,
    (tx, i) =>
      tx`select id from public.discover_feed(${"tag" + (Math.abs(i) % 50)}, null, null, 20)`,
  );
  console.log(
    `reads p50: home ${timeline} ms, following only ${following} ms, profile ${profile} ms, discover by tag ${discover} ms`,
  );
  // Product browsing at BENCH_PRODUCTS (100,000) products, seeded while the
  // posts and likes above are still there (scripts/bench/browse.ts).
  const browse = await benchBrowse(sql, env);
  console.log(`browse p50 ${browse.browse_p50_ms} ms, p99 ${browse.browse_p99_ms} ms`);

  figures = {
    likes_per_s: Math.round(onePerS),
    like_p99_ms: percentile(one.ms, 99),
    like_count_exact: exact,
    timeline_p50_ms: timeline,
    browse_p50_ms: browse.browse_p50_ms,
    browse_p99_ms: browse.browse_p99_ms,
    ratio: Number((onePerS / manyPerS).toFixed(2)),
    spread_likes_per_s: Math.round(manyPerS),
    following_p50_ms: following,
    profile_p50_ms: profile,
    discover_p50_ms: discover,
    posts: n_posts,
    likes: n_likes,
  };
} finally {
  const t = performance.now();
  await sql`delete from public.workspaces where id = any (${wsIds}::uuid[])`;
  await sql`delete from public.workspaces where created_by = any (${[owner, ...users]}::uuid[])`;
  await sql`delete from auth.users where id = any (${[owner, ...users]}::uuid[])`;
  await sql`select private.fold_social_counters()`;
  console.error(`cleanup: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await sql.end();
}
if (figures) report("social", figures);
