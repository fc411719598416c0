import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";

const s = stack();
let sql: Sql;
type Logged = { path: string; method: string; body: unknown; headers: Record<string, string> };

async function fakeLog(): Promise<Logged[]> {
  return await (await fetch(`${s.fakeProviderUrl}/__fake/requests`)).json();
}

async function responseFor(id: string | number, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const [row] = await sql`select * from net._http_response where id = ${id}`;
    if (row) return row;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no response recorded for request ${id}`);
}

beforeAll(() => {
  sql = adminSql();
});
afterAll(() => sql.end());
beforeEach(async () => {
  await fetch(`${s.fakeProviderUrl}/__fake/requests`, { method: "DELETE" });
  await fetch(`${s.fakeProviderUrl}/__fake/faults`, { method: "DELETE" });
});

describe("net.http_post", () => {
  it("never sends a request whose transaction rolled back, and sends one that committed", async () => {
    const echo = `${s.fakeProviderUrl}/echo`;
    const rolledBack = crypto.randomUUID();
    const committed = crypto.randomUUID();
    let rolledBackId = "";
    await sql.begin(async (tx) => {
      [{ id: rolledBackId }] = await tx`select net.http_post(${echo}, ${
        tx.json({ marker: rolledBack })
      }) as id`;
      throw new Error("roll back");
    }).catch((e) => expect(e.message).toBe("roll back"));
    const [{ id }] = await sql.begin((tx) =>
      tx`select net.http_post(${echo}, ${tx.json({ marker: committed })}) as id`
    );

    const res = await responseFor(id);
    expect(res.status_code).toBe(200);
    expect(JSON.parse(res.content).body).toEqual({ marker: committed });
    await new Promise((r) => setTimeout(r, 300));
    const bodies = (await fakeLog()).map((r) => JSON.stringify(r.body));
    expect(bodies.some((b) => b.includes(committed))).toBe(true);
    expect(bodies.some((b) => b.includes(rolledBack))).toBe(false);
    expect(await sql`select 1 from net._http_response where id = ${rolledBackId}`).toHaveLength(0);
  });

  it("sends JSON with the given headers and query params, and the worker empties the queue", async () => {
    const [{ id }] = await sql`
      select net.http_post(
        url := ${`${s.fakeProviderUrl}/echo`},
        body := '{"a":1}'::jsonb,
        params := '{"q":"x y"}'::jsonb,
        headers := '{"Content-Type":"application/json","X-Trace":"t1"}'::jsonb) as id`;
    const res = await responseFor(id);
    expect(JSON.parse(res.content)).toMatchObject({
      method: "POST",
      query: "?q=x%20y",
      body: { a: 1 },
    });
    expect(res.content_type).toMatch(/application\/json/);
    const [logged] = (await fakeLog()).filter((r) => r.path.startsWith("/echo"));
    expect(logged.headers["x-trace"]).toBe("t1");
    expect(await sql`select 1 from net.http_request_queue where id = ${id}`).toHaveLength(0);
  });

  it("refuses a non-JSON content type as pg_net does", async () => {
    await expect(
      sql`select net.http_post('http://127.0.0.1/x', '{}'::jsonb, '{}'::jsonb, '{"Content-Type":"text/plain"}'::jsonb)`,
    ).rejects.toThrow(/Content-Type header must be "application\/json"/);
  });
});

describe("net.http_get and failures", () => {
  it("records a timeout as timed_out with an error message", async () => {
    await fetch(`${s.fakeProviderUrl}/__fake/faults`, {
      method: "POST",
      body: JSON.stringify({ kind: "latency", delay_ms: 800, times: 1, match: "/echo" }),
    });
    const [{ id }] =
      await sql`select net.http_get(${`${s.fakeProviderUrl}/echo`}, timeout_milliseconds := 100) as id`;
    const res = await responseFor(id);
    expect(res).toMatchObject({ status_code: null, timed_out: true });
    expect(res.error_msg).toMatch(/Timeout of 100 ms/);
  });

  it("records a connection error without a status", async () => {
    const [{ id }] =
      await sql`select net.http_get('http://127.0.0.1:9/nothing-listens-here') as id`;
    const res = await responseFor(id);
    expect(res.status_code).toBeNull();
    expect(res.error_msg).toMatch(/Couldn't perform request/);
  });

  it("records non-2xx answers with their status and body", async () => {
    const [{ id }] =
      await sql`select net.http_get(${`${s.fakeProviderUrl}/v21.0/1/unknown`}) as id`;
    const res = await responseFor(id);
    expect(res.status_code).toBe(404);
    expect(JSON.parse(res.content).error.code).toBe(2500);
  });
});
