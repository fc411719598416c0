// npm run bench:agents — creates 1,000 agents one by one, each call as an
// admin's API request would run it (role authenticated, JWT claims, its own
// transaction), then runs seed 003's "recent messages for a customer" query
// on the last agent's table (10,000 messages over 200 customers) as that
// admin, through RLS. Drops everything it made afterwards. Needs `npm start`.
import {
  connect,
  createAuthUser,
  createWorkspace,
  percentile as pct,
  report,
  runTag,
  setting,
  stackEnv,
} from "./setup.ts";

const env = await stackEnv();
const agents = setting("BENCH_AGENTS", 1000);
const queries = setting("BENCH_QUERIES", 500);
const sql = connect(env, 1);

const tag = runTag();
const admin = await createAuthUser(env, `agents-bench-${tag}@example.com`);
const ws = await createWorkspace(sql, "Agents bench", `agents-bench-${tag}`, admin);
await sql`insert into public.workspace_members (workspace_id, user_id, role) values (${ws}, ${admin}, 'owner')`;
const claims = JSON.stringify({ sub: admin, role: "authenticated", aud: "authenticated" });

const created: number[] = [];
const createMs: number[] = [];
const before = Number((await sql`select count(*) from public.agents`)[0].count);
try {
  for (let i = 1; i <= agents; i++) {
    const t = performance.now();
    const [{ id }] = await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      return await tx`select id from public.create_agent(${ws}, null, ${"Bench agent " + i})`;
    });
    createMs.push(performance.now() - t);
    created.push(Number(id));
    if (i % 200 === 0) console.log(`${i} agents, last create ${createMs.at(-1)!.toFixed(1)} ms`);
  }

  const last = created.at(-1)!;
  const customers = `agt_${last}_customers`;
  const messages = `agt_${last}_messages`;
  await sql.begin(async (tx) => {
    await tx`select set_config('threadline.agent_sync', 'on', true)`;
    await tx`insert into public.${tx(customers)} (name, phone)
             select 'Customer ' || i, '+4477' || lpad(i::text, 8, '0') from generate_series(1, 200) i`;
    await tx`insert into public.${tx(messages)} (customer_id, message, direction, "timestamp")
             select c.id, 'Message ' || m, case when m % 2 = 0 then 'outbound' else 'inbound' end,
                    localtimestamp - make_interval(mins => m)
               from public.${tx(customers)} c cross join generate_series(1, 50) m`;
  });
  await sql`analyze public.${sql(messages)}`;
  const [{ customer }] = await sql`select id as customer from public.${
    sql(customers)
  } order by id offset 122 limit 1`;

  // The seed's query, verbatim but for the names, as the admin through RLS.
  const recent =
    `select * from public.${messages} where customer_id = $1 order by timestamp desc limit 50`;
  const queryMs: number[] = [];
  let rows = 0;
  await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    for (let i = 0; i < queries; i++) {
      const t = performance.now();
      rows = (await tx.unsafe(recent, [customer], { prepare: true })).length;
      queryMs.push(performance.now() - t);
    }
  });
  const ownerMs: number[] = [];
  for (let i = 0; i < queries; i++) {
    const t = performance.now();
    await sql.unsafe(recent, [customer], { prepare: true });
    ownerMs.push(performance.now() - t);
  }
  const plan = await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    const rows = await tx.unsafe(`explain ${recent.replace("$1", String(customer))}`);
    return rows.map((x) => x["QUERY PLAN"]).join("\n");
  });

  console.log(
    `\ncreate_agent over ${agents} agents (${before} existed): p50 ${pct(createMs, 50)} ms, p99 ${
      pct(createMs, 99)
    } ms, max ${pct(createMs, 100)} ms; first 100 p50 ${
      pct(createMs.slice(0, 100), 50)
    } ms, last 100 p50 ${pct(createMs.slice(-100), 50)} ms`,
  );
  console.log(
    `recent messages (${rows} rows of 10,000) on agent ${last}: p50 ${
      pct(queryMs, 50)
    } ms through RLS, ${pct(ownerMs, 50)} ms as the table owner (ratio ${
      (pct(ownerMs, 50) / pct(queryMs, 50)).toFixed(2)
    })`,
  );
  console.log(plan);
  report("agents", {
    agents,
    create_ms_p50: pct(createMs, 50),
    create_ms_p99: pct(createMs, 99),
    query_ms_p50: pct(queryMs, 50),
  });
} finally {
  const t = performance.now();
  for (const id of created) await sql`select public.drop_agent(${id})`;
  if (created.length) {
    console.error(`dropped ${created.length} agents in ${Math.round(performance.now() - t)} ms`);
  }
  await sql`delete from auth.users where id = ${admin}`;
  await sql.end();
}
