// npm run bench:browse — BENCH_PRODUCTS (100,000) published products across
// BENCH_SHOPS (500) workspaces, seeded in SQL (generate_series), then
// BENCH_SAMPLES (300) rounds of typical browse_products calls, each as
// PostgREST runs a request (one transaction: role and request.jwt.claims,
// then the call), alternately as anon and as a signed-in member of one of
// the shops (whose policy also admits their own drafts): newest first, a
// category, a word of text, a region with a price range, a tag, and the
// page after the first. Needs `npm start`. Ends with
// {"bench":"browse","products","browse_p50_ms","browse_p99_ms",...}.
// benchBrowse is also what the social bench calls for its product reads.
import {
  connect,
  createAuthUser,
  percentile,
  report,
  runTag,
  setting,
  type Sql,
  type StackEnv,
  stackEnv,
} from "./setup.ts";

export type BrowseFigures = {
  products: number;
  seed_s: number;
  browse_p50_ms: number;
  browse_p99_ms: number;
  anon_p50_ms: number;
  user_p50_ms: number;
  rows_per_call: number;
};

type Call = { name: string; args: Record<string, unknown> };

const CALLS: Call[] = [
  { name: "newest", args: {} },
  { name: "category", args: { category: "cat-7" } },
  { name: "search", args: { search: "linen" } },
  { name: "region_price", args: { region: "BR", min_price: 50, max_price: 150 } },
  { name: "tags", args: { tags: ["gift"] } },
];

// Seeds the products (returns what to remove afterwards), measures, removes.
export async function benchBrowse(
  sql: Sql,
  env: StackEnv,
  opts: { products?: number; shops?: number; samples?: number } = {},
): Promise<BrowseFigures> {
  const products = opts.products ?? setting("BENCH_PRODUCTS", 100_000);
  const shops = opts.shops ?? setting("BENCH_SHOPS", 500);
  const samples = opts.samples ?? setting("BENCH_SAMPLES", 300);
  const tag = runTag();
  const user = await createAuthUser(env, `browse-bench-${tag}@example.com`);
  const t0 = performance.now();
  const ws = await sql<{ id: string }[]>`
    insert into public.workspaces (name, slug, plan)
    select 'Browse bench ' || g, 'browse-bench-' || ${tag} || '-' || g, 'premium'
      from generate_series(1, ${shops}) g
    returning id`;
  const ids = ws.map((w) => w.id);
  try {
    const shop = ids[0];
    await sql`insert into public.workspace_members (workspace_id, user_id, role)
              values (${shop}, ${user}, 'member')`;
    // Words, categories, regions, tags and prices spread so each filter
    // keeps a realistic share: a word in 1/8, a category in 1/20, a tag in
    // 1/4, BR in 1/3 (plus the products sold everywhere); publication
    // spread over the last 100 days, as a live marketplace's (the service,
    // like an import, may give published_at).
    await sql`
      insert into public.marketplace_products (workspace_id, title, description, category, price, tags, available_regions,
                                               status, published_at)
      select (${ids}::uuid[])[1 + g % ${shops}],
             initcap((array['linen','silk','ankara','denim','cotton','wool','leather','lace'])[1 + g % 8]) || ' '
               || (array['dress','shirt','bag','scarf','jacket','skirt'])[1 + g % 6] || ' ' || g,
             'Hand made ' || (array['in Lagos','in São Paulo','in Accra','in Porto'])[1 + g % 4] || ', model ' || g,
             'cat-' || (g % 20), (g % 500) + 0.99,
             (array['{gift}','{sale}','{new}','{handmade}'])[1 + g % 4]::text[],
             (array['{}','{BR}','{NG,GH}'])[1 + g % 3]::text[],
             case when g % 50 = 0 then 'draft' else 'published' end::public.product_status,
             now() - random() * interval '100 days'
        from generate_series(1, ${products}) g`;
    // What autovacuum would have done by the time anyone browses.
    await sql`vacuum analyze public.marketplace_products`;
    const seedS = (performance.now() - t0) / 1000;

    const claims = [
      JSON.stringify({ role: "anon" }),
      JSON.stringify({ sub: user, role: "authenticated", aud: "authenticated" }),
    ];
    const roles = ["anon", "authenticated"];
    const all: number[] = [];
    const per: number[][] = [[], []];
    const byCall = new Map<string, number[]>();
    let rows = 0;
    const call = async (who: number, args: Record<string, unknown>, name = "") => {
      const t = performance.now();
      const r = await sql.begin(async (tx) => {
        await tx`select set_config('role', ${roles[who]}, true),
                        set_config('request.jwt.claims', ${claims[who]}, true)`;
        return await tx<{ id: string; published_at: Date }[]>`
          select id, published_at from public.browse_products(
            search => ${(args.search as string) ?? null}, category => ${
          (args.category as string) ?? null
        },
            region => ${(args.region as string) ?? null}, min_price => ${
          (args.min_price as number) ?? null
        },
            max_price => ${(args.max_price as number) ?? null}, tags => ${
          (args.tags as string[]) ?? null
        },
            after_published_at => ${(args.after_published_at as Date) ?? null},
            after_id => ${(args.after_id as string) ?? null})`;
      });
      const ms = performance.now() - t;
      all.push(ms);
      per[who].push(ms);
      byCall.set(name, [...(byCall.get(name) ?? []), ms]);
      rows += r.length;
      return r;
    };
    // Warm the plans and caches the way a running API has them.
    for (const c of CALLS) for (const who of [0, 1]) await call(who, c.args);
    all.length = 0;
    per[0].length = 0;
    per[1].length = 0;
    byCall.clear();
    rows = 0;
    for (let i = 0; i < samples; i++) {
      const who = i % 2;
      const c = CALLS[i % CALLS.length];
      const first = await call(who, c.args, c.name);
      const last = first[first.length - 1];
      if (last) {
        const next = { ...c.args, after_published_at: last.published_at, after_id: last.id };
        await call(who, next, `${c.name}, next page`);
      }
    }
    for (const [name, ms] of byCall) {
      if (name) {
        console.error(`  ${name}: p50 ${percentile(ms, 50)} ms, p99 ${percentile(ms, 99)} ms`);
      }
    }
    return {
      products,
      seed_s: Math.round(seedS * 10) / 10,
      browse_p50_ms: percentile(all, 50),
      browse_p99_ms: percentile(all, 99),
      anon_p50_ms: percentile(per[0], 50),
      user_p50_ms: percentile(per[1], 50),
      rows_per_call: Math.round(rows / all.length),
    };
  } finally {
    await sql`delete from public.workspaces where id = any (${ids}::uuid[])`;
    await sql`delete from auth.users where id = ${user}`;
  }
}

if (import.meta.main) {
  const env = await stackEnv();
  const sql = connect(env, 2);
  try {
    const f = await benchBrowse(sql, env);
    console.error(
      `${f.products} products seeded in ${f.seed_s} s; browse p50 ${f.browse_p50_ms} ms, ` +
        `p99 ${f.browse_p99_ms} ms (anon p50 ${f.anon_p50_ms} ms, member p50 ${f.user_p50_ms} ms)`,
    );
    report("browse", f);
  } finally {
    await sql.end();
  }
}
