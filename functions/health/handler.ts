import { db, type Sql } from "../../shared/db.ts";
import { readEnv, requireEnv } from "../../shared/env.ts";
import { json } from "../../shared/http.ts";

export type Deps = {
  sql: () => Sql;
  // URL the pg_net probe calls back; must reach this function from the database.
  probeUrl: () => string;
  netTimeoutMs: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function checkDb(sql: Sql) {
  const started = performance.now();
  const [row] = await sql<{ now: Date; version: string; migrations: number }[]>`
    select now() as now,
           current_setting('server_version') as version,
           (select count(*)::int from supabase_migrations.schema_migrations) as migrations`;
  return {
    ok: true,
    latency_ms: Math.round(performance.now() - started),
    server_version: row.version,
    migrations: row.migrations,
  };
}

// Queues a GET through pg_net and waits for the worker to record the answer:
// proves the database can reach the functions and the worker is running.
async function checkNet(sql: Sql, url: string, timeoutMs: number) {
  const started = performance.now();
  const [{ id }] = await sql<{ id: string }[]>`
    select net.http_get(${url}, '{"probe":"net"}'::jsonb, '{}'::jsonb, ${timeoutMs}) as id`;
  while (performance.now() - started < timeoutMs + 1000) {
    const [res] = await sql<{ status_code: number | null; error_msg: string | null }[]>`
      select status_code, error_msg from net._http_response where id = ${id}`;
    if (res) {
      return {
        ok: res.status_code === 200,
        request_id: Number(id),
        status_code: res.status_code,
        error: res.error_msg ?? undefined,
        latency_ms: Math.round(performance.now() - started),
      };
    }
    await sleep(20);
  }
  return { ok: false, request_id: Number(id), error: "no response recorded by the pg_net worker" };
}

export function createHandler(deps: Deps) {
  return async (req: Request): Promise<Response> => {
    if (req.method !== "GET") return json({ error: "method not allowed" }, 405, { allow: "GET" });
    const url = new URL(req.url);
    if (url.searchParams.get("probe") === "net") return json({ status: "ok", probe: "net" });

    const sql = deps.sql();
    let database;
    try {
      database = await checkDb(sql);
    } catch (e) {
      return json({ status: "error", db: { ok: false, error: (e as Error).message } }, 503);
    }
    let net;
    try {
      net = await checkNet(sql, deps.probeUrl(), deps.netTimeoutMs);
    } catch (e) {
      net = { ok: false, error: (e as Error).message };
    }
    const ok = database.ok && net.ok;
    return json({ status: ok ? "ok" : "degraded", db: database, net }, ok ? 200 : 503);
  };
}

export function defaultDeps(): Deps {
  return {
    sql: db,
    probeUrl: () =>
      readEnv("THREADLINE_HEALTH_PROBE_URL") ??
        `${requireEnv("SUPABASE_URL")}/functions/v1/health`,
    netTimeoutMs: 2000,
  };
}
