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
  it("answers 404 for an unknown function and for paths outside /functions/v1", async () => {
    const a = await fetch(fn("no-such-function"));
    expect(a.status).toBe(404);
    expect((await a.json()).message).toBe("Requested function was not found");
    const b = await fetch(`${s.apiUrl}/rest/v1/anything`);
    expect(b.status).toBe(404);
    await b.body?.cancel();
  });
});
