// npm run bench:orders — BENCH_ORDERS (10,000) orders of three items each
// from BENCH_CLIENTS (8) concurrent clients, each a member running its
// requests as PostgREST runs them (one transaction per request, role
// authenticated, request.jwt.claims): insert the order, insert its three
// items, move it to in-progress (which takes the stock through movements).
// Half the orders draw one unit of one hot item, stocked BENCH_HOT_SHORT
// (20) units short of what they ask for, so the last ones are refused with
// "not enough stock" and abandoned (left pending). Deadlocks and
// serialization failures are retried and counted. The baseline sends the
// same rows (orders, items, movements, stock updates) with the same clients
// and requests into plain copies of the tables (no triggers, RLS or checks;
// keys and indexes kept), in a scratch schema dropped afterwards, in
// BENCH_ROUNDS (4) rounds alternating with the real run.
// BENCH_ONE_TX=1 sends each order's three requests in one transaction
// instead (an RPC's shape: the order's number stays locked until commit).
// Needs `npm start`. Ends with {"bench":"orders","orders","orders_per_s",
// "baseline_per_s","ratio","oversold","stock_exact",...}: oversold is the
// units sold beyond what was stocked (or below zero), stock_exact whether
// every item's stock equals its opening stock less its movements and less
// the items of its in-progress orders.
import type postgres from "postgres";
import {
  connect,
  createAuthUser,
  createWorkspace,
  dropWorkspace,
  percentile,
  report,
  runTag,
  setting,
  stackEnv,
} from "./setup.ts";

type Tx = postgres.TransactionSql;

const env = await stackEnv();
const total = setting("BENCH_ORDERS", 10_000);
const clients = setting("BENCH_CLIENTS", 8);
const coldCount = Math.max(10, setting("BENCH_ITEMS", 200));
const contactCount = setting("BENCH_CONTACTS", 200);
const hotShort = setting("BENCH_HOT_SHORT", 20);
const rounds = Math.max(1, setting("BENCH_ROUNDS", 4));
const oneTx = Deno.env.get("BENCH_ONE_TX") === "1";
const sql = connect(env, clients + 1);

// The plan, the same for both runs: order i's items and quantities. Even
// orders take one hot unit and two cold lines, odd ones three cold lines.
type Line = { item: number; quantity: number };
const HOT = 0;
const half = Math.floor((coldCount - 1) / 2);
const plan: Line[][] = Array.from({ length: total }, (_, i) => {
  // Three distinct cold items: offsets 0 < o1 < o2 < coldCount from a base.
  const base = (i * 7) % coldCount;
  const o1 = 1 + (i % half);
  const o2 = o1 + 1 + ((i * 3) % half);
  const cold = [base, base + o1, base + o2].map((k) => 1 + (k % coldCount));
  const q = (k: number) => 1 + ((i + k) % 3);
  return i % 2 === 0
    ? [{ item: HOT, quantity: 1 }, { item: cold[0], quantity: q(0) }, {
      item: cold[1],
      quantity: q(1),
    }]
    : [0, 1, 2].map((k) => ({ item: cold[k], quantity: q(k) }));
});
const demand = new Array<number>(coldCount + 1).fill(0);
for (const lines of plan) for (const l of lines) demand[l.item] += l.quantity;
const opening = demand.map((d, item) => item === HOT ? Math.max(0, d - hotShort) : d + 10);

const tag = runTag();
const owner = await createAuthUser(env, `orders-bench-owner-${tag}@example.com`);
const members: string[] = [];
for (let c = 0; c < clients; c++) {
  members.push(await createAuthUser(env, `orders-bench-${c}-${tag}@example.com`));
}
const ws = await createWorkspace(sql, "Orders bench", `orders-bench-${tag}`, owner);
let baselineMade = false;
let figures: Record<string, unknown> | undefined;

type Run = {
  seconds: number;
  made: number;
  started: number;
  refused: number;
  retries: number;
  ms: number[];
};

// Runs one request, again after a deadlock or serialization failure.
async function retrying<T>(run: Run, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== "40P01" && code !== "40001") throw e;
      run.retries++;
    }
  }
}

const notEnoughStock = (e: unknown) =>
  (e as { code?: string }).code === "23514" &&
  /not enough stock/.test(String((e as Error).message));

type Order = (client: number, i: number, run: Run) => Promise<void>;
const newRun = (): Run => ({ seconds: 0, made: 0, started: 0, refused: 0, retries: 0, ms: [] });

// Every client takes the next order of [from, to) until none is left.
async function drive(order: Order, from: number, to: number, run: Run): Promise<void> {
  let next = from;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, client) => {
    while (next < to) {
      const i = next++;
      const t = performance.now();
      await order(client, i, run);
      run.ms.push(performance.now() - t);
    }
  }));
  run.seconds += (performance.now() - t0) / 1000;
}

// Item and contact ids by plan index, per run.
type Catalogue = { items: string[]; prices: number[]; contacts: { id: string; name: string }[] };

function threadline(cat: Catalogue): Order {
  const claims = members.map((sub) =>
    JSON.stringify({ sub, role: "authenticated", aud: "authenticated" })
  );
  // One request as PostgREST runs it; in one-transaction mode, the order's.
  const request = <T>(client: number, tx: Tx | null, fn: (tx: Tx) => Promise<T>): Promise<T> =>
    tx ? fn(tx) : sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${claims[client]}, true)`;
      return await fn(tx);
    }) as Promise<T>;

  return async (client, i, run) => {
    const lines = plan[i];
    const contact = cat.contacts[i % cat.contacts.length];
    const steps = async (tx: Tx | null) => {
      const [{ id }] = await request(client, tx, (tx) =>
        tx<{ id: string }[]>`
          insert into public.orders (workspace_id, contact_id, title)
          values (${ws}, ${contact.id}, ${`Bench order ${i}`}) returning id`);
      await request(client, tx, (tx) =>
        tx`insert into public.order_items ${
          tx(
            lines.map((l) => ({
              order_id: id,
              workspace_id: ws,
              inventory_item_id: cat.items[l.item],
              quantity: l.quantity,
            })),
          )
        }`);
      await request(
        client,
        tx,
        (tx) => tx`update public.orders set status = 'in-progress' where id = ${id}`,
      );
    };
    try {
      if (oneTx) await retrying(run, () => request(client, null, (tx) => steps(tx)));
      else await retrying(run, () => steps(null));
      run.made++;
      run.started++;
    } catch (e) {
      if (!notEnoughStock(e)) throw e;
      run.refused++;
      if (!oneTx) run.made++; // it stays pending, holding nothing
    }
  };
}

// The same rows into the copies: the client computes what the database
// would (number, totals, names, prices, stock levels).
function baseline(cat: Catalogue): Order {
  let number = 0;
  return async (_client, i, run) => {
    const lines = plan[i];
    const contact = cat.contacts[i % cat.contacts.length];
    const n = ++number;
    const orderNumber = `ORD-${String(n).padStart(5, "0")}`;
    const subtotal = lines.reduce((a, l) => a + l.quantity * cat.prices[l.item], 0);
    const sorted = [...lines].sort((x, y) => cat.items[x.item] < cat.items[y.item] ? -1 : 1);
    const steps = async (tx: Tx | null) => {
      const go = <T>(fn: (tx: Tx) => Promise<T>) => tx ? fn(tx) : sql.begin(fn) as Promise<T>;
      const [{ id }] = await go((tx) =>
        tx<{ id: string }[]>`
          insert into bench_baseline.orders (workspace_id, contact_id, number, order_number, title, customer_name,
                                             customer_phone, currency, tax_rate, subtotal, total_amount, created_by)
          values (${ws}, ${contact.id}, ${n}, ${orderNumber}, ${`Bench order ${i}`}, ${contact.name}, null, 'USD', 0,
                  ${subtotal}, ${subtotal}, ${members[_client]})
          returning id`
      );
      await go((tx) =>
        tx`insert into bench_baseline.order_items ${
          tx(lines.map((l) => ({
            order_id: id,
            workspace_id: ws,
            inventory_item_id: cat.items[l.item],
            item_name: `Item ${l.item}`,
            quantity: l.quantity,
            unit_price: cat.prices[l.item],
            total_price: l.quantity * cat.prices[l.item],
          })))
        }`
      );
      await go(async (tx) => {
        await tx`update bench_baseline.orders set status = 'in-progress', started_at = now(), updated_at = now()
                  where id = ${id}`;
        for (const l of sorted) {
          await tx`
            with moved as (
              update bench_baseline.inventory_items i set current_stock = i.current_stock - ${l.quantity},
                     updated_at = now()
               where i.id = ${cat.items[l.item]} returning i.id, i.workspace_id, i.current_stock)
            insert into bench_baseline.inventory_movements (inventory_item_id, workspace_id, movement_type, quantity,
                                                            previous_stock, new_stock, reference_type, reference_id,
                                                            notes, moved_by)
            select id, workspace_id, 'stock-out', ${l.quantity}, current_stock + ${l.quantity}, current_stock, 'order',
                   ${id}, ${`order ${orderNumber}`}, ${members[_client]}
              from moved`;
        }
      });
    };
    if (oneTx) await retrying(run, () => sql.begin((tx) => steps(tx)));
    else await retrying(run, () => steps(null));
    run.made++;
    run.started++;
  };
}

async function catalogue(schema: "public" | "bench_baseline"): Promise<Catalogue> {
  await sql`
    insert into ${
    sql(schema)
  }.inventory_items (workspace_id, name, sku, current_stock, min_stock_level, selling_price,
                                                created_by)
    select ${ws}, case when k = 0 then 'Hot fabric' else 'Fabric ' || k end, 'SKU-' || k, (${opening}::int[])[k + 1],
           5, 10 + k % 17, ${owner}
      from generate_series(0, ${coldCount}) k
     order by k`;
  const byIndex = await sql<{ id: string; k: number; price: string }[]>`
    select id, substr(sku, 5)::int as k, selling_price::text as price from ${
    sql(schema)
  }.inventory_items
     where workspace_id = ${ws} order by 2`;
  const contacts = await sql<{ id: string; name: string }[]>`
    select id, name from public.contacts where workspace_id = ${ws} order by phone`;
  return { items: byIndex.map((r) => r.id), prices: byIndex.map((r) => Number(r.price)), contacts };
}

// Stock as it must be after the run, through movements and through orders.
async function audit() {
  const rows = await sql<
    { sku: string; current: number; by_movements: number; by_orders: number; oversold: number }[]
  >`
    select i.sku, i.current_stock as current, k.opening,
           k.opening - coalesce(m.out_units, 0) + coalesce(m.returned, 0) as by_movements,
           k.opening - coalesce(o.taken, 0) as by_orders,
           greatest(0, -i.current_stock, coalesce(o.taken, 0) - k.opening,
                    coalesce(m.out_units, 0) - coalesce(m.returned, 0) - k.opening, -coalesce(m.lowest, 0)) as oversold
      from public.inventory_items i
      join unnest(${opening}::int[]) with ordinality k(opening, n) on i.sku = 'SKU-' || (k.n - 1)
      left join (select inventory_item_id,
                        sum(quantity) filter (where movement_type = 'stock-out')::int as out_units,
                        sum(quantity) filter (where movement_type = 'return')::int as returned,
                        min(new_stock) as lowest
                   from public.inventory_movements where workspace_id = ${ws} group by 1) m
        on m.inventory_item_id = i.id
      left join (select x.inventory_item_id, sum(x.quantity)::int as taken
                   from public.order_items x join public.orders o on o.id = x.order_id
                  where o.workspace_id = ${ws} and o.status = 'in-progress' group by 1) o
        on o.inventory_item_id = i.id
     where i.workspace_id = ${ws}`;
  const [orders] = await sql<
    { n: number; started: number; lowest: number; highest: number; totals_exact: boolean }[]
  >`
    select count(*)::int as n, count(*) filter (where status = 'in-progress')::int as started,
           min(number)::int as lowest, max(number)::int as highest,
           coalesce(bool_and(o.subtotal = s.sum and o.total_amount = s.sum), true) as totals_exact
      from public.orders o
      left join lateral (select coalesce(sum(total_price), 0) as sum from public.order_items x where x.order_id = o.id) s
        on true
     where o.workspace_id = ${ws}`;
  return {
    oversold: rows.reduce((a, r) => a + r.oversold, 0),
    stock_exact: rows.length === coldCount + 1 &&
      rows.every((r) => r.current === r.by_movements && r.current === r.by_orders),
    gapless: orders.n === 0 || (orders.lowest === 1 && orders.highest === orders.n),
    totals_exact: orders.totals_exact,
    orders: orders.n,
    started: orders.started,
    hot_left: rows.find((r) => r.sku === "SKU-0")?.current,
  };
}

try {
  await sql`insert into public.workspace_members (workspace_id, user_id, role)
            values (${ws}, ${owner}, 'owner') on conflict do nothing`;
  await sql`insert into public.workspace_members (workspace_id, user_id, role)
            select ${ws}, u, 'member' from unnest(${members}::uuid[]) u`;
  await sql`insert into public.contacts (workspace_id, name, phone)
            select ${ws}, 'Client ' || k, (447700000000 + k)::text from generate_series(1, ${contactCount}) k`;

  // A run killed before its cleanup leaves the scratch schema behind.
  await sql`drop schema if exists bench_baseline cascade`;
  await sql`create schema bench_baseline`;
  baselineMade = true;
  for (const t of ["orders", "order_items", "inventory_items", "inventory_movements"]) {
    await sql`create table bench_baseline.${sql(t)}
              (like public.${sql(t)} including defaults including generated including indexes)`;
  }
  const plainCat = await catalogue("bench_baseline");
  const realCat = await catalogue("public");
  await sql`analyze public.inventory_items, public.contacts, bench_baseline.inventory_items`;

  console.log(
    `${total} orders x 3 items, ${clients} clients${oneTx ? ", one transaction per order" : ""}; ` +
      `hot item: ${opening[HOT]} units for ${demand[HOT]} wanted`,
  );
  // Rounds alternate, so load from elsewhere on the machine falls on both.
  const base = newRun();
  const real = newRun();
  const plain = baseline(plainCat);
  const member = threadline(realCat);
  for (let r = 0; r < rounds; r++) {
    const from = Math.floor((r * total) / rounds);
    const to = Math.floor(((r + 1) * total) / rounds);
    const b = base.seconds;
    await drive(plain, from, to, base);
    const t = real.seconds;
    await drive(member, from, to, real);
    console.log(
      `round ${r + 1}: orders ${from + 1}-${to}: baseline ${
        ((to - from) / (base.seconds - b)).toFixed(0)
      }/s, ` +
        `threadline ${((to - from) / (real.seconds - t)).toFixed(0)}/s`,
    );
  }
  console.log(
    `baseline: ${base.made} orders in ${base.seconds.toFixed(1)} s, ${base.retries} retries; ` +
      `threadline: ${real.made} orders in ${
        real.seconds.toFixed(1)
      } s, ${real.started} in progress, ` +
      `${real.refused} refused for stock, ${real.retries} retries`,
  );
  const check = await audit();
  const ordersPerS = total / real.seconds;
  const baselinePerS = total / base.seconds;
  console.log(
    `per order: p50 ${percentile(real.ms, 50)} ms, p99 ${percentile(real.ms, 99)} ms ` +
      `(baseline p50 ${percentile(base.ms, 50)} ms, p99 ${percentile(base.ms, 99)} ms); ` +
      `numbers gapless: ${check.gapless}, totals exact: ${check.totals_exact}, hot item left: ${check.hot_left}`,
  );
  figures = {
    orders: check.orders,
    orders_per_s: Math.round(ordersPerS),
    baseline_per_s: Math.round(baselinePerS),
    ratio: Number((ordersPerS / baselinePerS).toFixed(2)),
    oversold: check.oversold,
    stock_exact: check.stock_exact,
    in_progress: check.started,
    refused: real.refused,
    retries: real.retries,
    baseline_retries: base.retries,
    gapless: check.gapless,
    totals_exact: check.totals_exact,
  };
} finally {
  await cleanup().catch((e) => console.error("cleanup failed:", e));
  await sql.end();
}
if (figures) report("orders", figures);

// Orders holding stock cannot be deleted, and removing the workspace's
// items would edit the lines of orders that are not pending: cancel what is
// in progress, remove the orders, then the workspace.
async function cleanup() {
  const t = performance.now();
  if (baselineMade) await sql`drop schema bench_baseline cascade`;
  await sql`update public.orders set status = 'cancelled' where workspace_id = ${ws} and status = 'in-progress'`;
  const cancelled = performance.now();
  await sql`delete from public.orders where workspace_id = ${ws}`;
  await dropWorkspace(sql, ws);
  console.error(
    `cleanup: ${((cancelled - t) / 1000).toFixed(1)} s to cancel, ` +
      `${((performance.now() - cancelled) / 1000).toFixed(1)} s to remove`,
  );
  await sql`delete from auth.users where id = any (${[owner, ...members]}::uuid[])`;
}
