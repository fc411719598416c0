import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signJwt } from "../../shared/jwt.ts";
import { adminSql, createUser, type Sql, userJwt } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";

const s = stack();
const fn = (name: string) => `${s.apiUrl}/functions/v1/${name}`;
let sql: Sql;

beforeAll(() => {
  sql = adminSql();
});
afterAll(() => sql.end());

describe("health (verify_jwt = false)", () => {
  it("answers 200 without a JWT, proving the DB round trip and the pg_net worker", async () => {
    const res = await fetch(fn("health"));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("ok");
    expect(body.db).toMatchObject({ ok: true });
    expect(body.db.migrations).toBeGreaterThanOrEqual(1);
    expect(body.db.server_version).toMatch(/^15\./);
    expect(body.net).toMatchObject({ ok: true, status_code: 200 });
    const [row] =
      await sql`select status_code from net._http_response where id = ${body.net.request_id}`;
    expect(row.status_code).toBe(200);
  });
});

describe("whoami (verify_jwt = true)", () => {
  it("answers 401 without an Authorization header", async () => {
    const res = await fetch(fn("whoami"));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 401, message: "Missing authorization header" });
  });

  it("answers 401 for a forged, expired or malformed token", async () => {
    const forged = await signJwt(
      { role: "service_role" },
      "not-the-secret-but-long-enough-0123456789",
    );
    const expired = await signJwt({ role: "anon", exp: 1000 }, s.jwtSecret);
    for (
      const auth of [
        `Bearer ${forged}`,
        `Bearer ${expired}`,
        "Bearer nonsense",
        `Basic ${s.anonKey}`,
      ]
    ) {
      const res = await fetch(fn("whoami"), { headers: { authorization: auth } });
      expect(res.status, auth.slice(0, 20)).toBe(401);
      expect((await res.json()).message).toBe("Invalid JWT");
    }
  });

  it("runs with the anon key, as anon in the database", async () => {
    const res = await fetch(fn("whoami"), { headers: { authorization: `Bearer ${s.anonKey}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      role: "anon",
      db: { current_user: "anon", uid: null },
    });
  });

  it("runs with a user's JWT, and the database sees that user as auth.uid()", async () => {
    const user = await createUser(`gw-${crypto.randomUUID()}@example.com`);
    const res = await fetch(fn("whoami"), {
      headers: { authorization: `Bearer ${await userJwt(user)}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      role: "authenticated",
      sub: user.id,
      db: { current_user: "authenticated", uid: user.id, role: "authenticated", email: user.email },
    });
  });

  it("lets CORS preflight through without a JWT, as hosted does", async () => {
    const res = await fetch(fn("whoami"), { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-headers")).toMatch(/authorization/);
  });
});

describe("routing", () => {
  it("answers 404 for an unknown function and for paths it does not serve", async () => {
    const a = await fetch(fn("no-such-function"));
    expect(a.status).toBe(404);
    expect((await a.json()).message).toBe("Requested function was not found");
    const b = await fetch(`${s.apiUrl}/graphql/v1`, { headers: { apikey: s.anonKey } });
    expect(b.status).toBe(404);
    await b.body?.cancel();
  });
});

describe("/rest/v1: PostgREST behind the API key", () => {
  const rest = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${s.apiUrl}/rest/v1${path}`, { headers });

  it("is the real PostgREST, exposing public and nothing private", async () => {
    // The OpenAPI description follows privileges: anon has none on tables.
    const anonSpec = await (await rest("/", { apikey: s.anonKey })).json();
    expect(Object.keys(anonSpec.paths)).not.toContain("/conversations");
    const res = await rest("/", { apikey: s.anonKey, authorization: `Bearer ${s.serviceRoleKey}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("server")).toMatch(/^postgrest\/12\./);
    const spec = await res.json();
    expect(Object.keys(spec.paths)).toContain("/conversations");
    expect(Object.keys(spec.paths).some((p) => p.includes("outbox"))).toBe(false);
    const privateTable = await rest("/outbox", { apikey: s.serviceRoleKey });
    expect(privateTable.status).toBe(404);
    await privateTable.body?.cancel();
  });

  it("takes the key from the query string too, and the service key bypasses RLS", async () => {
    const res = await rest(`/workspaces?select=slug&slug=eq.demo&apikey=${s.serviceRoleKey}`);
    expect(await res.json()).toEqual([{ slug: "demo" }]);
  });

  it("refuses a user's JWT as the API key", async () => {
    const user = await createUser(`apikey-${crypto.randomUUID()}@example.com`);
    const res = await rest("/workspaces", { apikey: await userJwt(user) });
    expect(res.status).toBe(401);
    expect((await res.json()).message).toBe("Invalid API key");
    await sql`delete from auth.users where id = ${user.id}`;
  });

  it("rejects a token signed with another secret, whatever the API key", async () => {
    const forged = await signJwt(
      { role: "service_role" },
      "another-secret-that-is-32-characters-long",
    );
    const res = await rest("/workspaces", { apikey: s.anonKey, authorization: `Bearer ${forged}` });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "PGRST301" });
  });

  it("answers CORS preflights and marks answers for any origin", async () => {
    const pre = await fetch(`${s.apiUrl}/rest/v1/conversations`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "GET",
        "access-control-request-headers": "apikey,authorization,x-client-info",
      },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get("access-control-allow-headers")).toContain("x-client-info");
    await pre.body?.cancel();
    const res = await rest("/", { apikey: s.anonKey, origin: "http://localhost:3000" });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    await res.body?.cancel();
  });

  it("logs PostgREST in as authenticator with the stack's own password, not the well-known one", async () => {
    const { default: postgres } = await import("postgres");
    const url = new URL(s.dbUrl);
    url.username = "authenticator";
    url.password = "postgres";
    const guess = postgres(url.toString(), { max: 1, connect_timeout: 5, onnotice: () => {} });
    await expect(guess`select 1`).rejects.toMatchObject({ code: "28P01" });
    await guess.end();
  });
});
