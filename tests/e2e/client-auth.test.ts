import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { anonClient, ok, PASSWORD, type Person, signIn, signUp } from "../helpers/client.ts";
import { stack } from "../helpers/stack.ts";

// Signing in as a client app does: supabase-js against /auth/v1 through the
// gateway, on the local Auth stand-in.
const s = stack();
let sql: Sql;
let alice: Person;

beforeAll(async () => {
  sql = adminSql();
  alice = await signUp("alice");
});
afterAll(async () => {
  if (!sql) return;
  if (alice) await sql`delete from auth.users where id = ${alice.id}`;
  await sql.end();
});

const raw = (path: string, init: RequestInit = {}, apikey: string | null = s.anonKey) =>
  fetch(`${s.apiUrl}/auth/v1${path}`, {
    ...init,
    headers: { "content-type": "application/json", ...(apikey ? { apikey } : {}), ...init.headers },
  });

describe("sign-up", () => {
  it("writes auth.users as Supabase Auth does, so the sign-up trigger runs", async () => {
    const [u] = await sql`
      select u.aud, u.role, u.email_confirmed_at is not null as confirmed,
             u.encrypted_password like '$2a$10$%' as bcrypt,
             extensions.crypt(${PASSWORD}, u.encrypted_password) = u.encrypted_password as pgcrypto,
             u.raw_app_meta_data,
             i.provider, i.identity_data ->> 'sub' = u.id::text as identity,
             p.id is not null as profile
        from auth.users u
        join auth.identities i on i.user_id = u.id
        left join public.profiles p on p.id = u.id
       where u.id = ${alice.id}`;
    expect(u).toEqual({
      aud: "authenticated",
      role: "authenticated",
      confirmed: true,
      bcrypt: true,
      pgcrypto: true,
      raw_app_meta_data: { provider: "email", providers: ["email"] },
      provider: "email",
      identity: true,
      profile: true,
    });
    const ws = ok(await alice.client.from("workspaces").select("is_personal, created_by"));
    expect(ws).toEqual([{ is_personal: true, created_by: alice.id }]);
  });

  it("refuses an email already registered, a weak password and a malformed email", async () => {
    const c = anonClient();
    const dup = await c.auth.signUp({ email: alice.email, password: PASSWORD });
    expect(dup.error).toMatchObject({ status: 422, code: "user_already_exists" });
    const weak = await c.auth.signUp({
      email: `w-${Date.now()}@client.example.com`,
      password: "123",
    });
    expect(weak.error).toMatchObject({
      status: 422,
      code: "weak_password",
      message: "Password should be at least 6 characters.",
    });
    const bad = await c.auth.signUp({ email: "not-an-email", password: PASSWORD });
    expect(bad.error).toMatchObject({ status: 400, code: "validation_failed" });
    const anonymous = await raw("/signup", { method: "POST", body: "{}" });
    expect(anonymous.status).toBe(422);
  });
});

describe("password sign-in", () => {
  it("issues the access token hosted Supabase Auth issues", async () => {
    const c = anonClient();
    const { data, error } = await c.auth.signInWithPassword({
      email: alice.email,
      password: PASSWORD,
    });
    expect(error).toBeNull();
    const claims = decodeJwt(data.session!.access_token);
    const now = Math.floor(Date.now() / 1000);
    expect(claims).toMatchObject({
      iss: `${s.apiUrl}/auth/v1`,
      sub: alice.id,
      aud: "authenticated",
      role: "authenticated",
      email: alice.email,
      phone: "",
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: {},
      aal: "aal1",
      amr: [{ method: "password" }],
      is_anonymous: false,
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(Math.abs(claims.iat! - now)).toBeLessThan(5);
    const [sess] = await sql`select user_id, aal::text from auth.sessions where id = ${claims
      .session_id as string}`;
    expect(sess).toEqual({ user_id: alice.id, aal: "aal1" });
    expect(data.session).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    expect(data.user).toMatchObject({ id: alice.id, email: alice.email, aud: "authenticated" });
  });

  it("works for the demo users with the README's password", async () => {
    const maya = await signIn("maya@demo.threadline.dev", "threadline-demo");
    const { data } = await maya.auth.getUser();
    expect(data.user?.id).toBe("00000000-0000-4000-a000-000000000003");
  });

  it("says the same for a wrong password and an unknown email", async () => {
    const c = anonClient();
    const wrong = await c.auth.signInWithPassword({ email: alice.email, password: "nope-nope" });
    const unknown = await c.auth.signInWithPassword({
      email: `nobody-${Date.now()}@client.example.com`,
      password: PASSWORD,
    });
    for (const r of [wrong, unknown]) {
      expect(r.error).toMatchObject({
        status: 400,
        code: "invalid_credentials",
        message: "Invalid login credentials",
      });
    }
  });

  it("is behind the API key, like every /auth/v1 path", async () => {
    const r = await raw("/token?grant_type=password", {
      method: "POST",
      body: JSON.stringify({ email: alice.email, password: PASSWORD }),
    }, null);
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ message: "No API key found in request" });
  });
});

describe("a session", () => {
  it("refreshes: a new refresh token, the old one answered with it for a moment, then never", async () => {
    const c = await signIn(alice.email, PASSWORD);
    const first = (await c.auth.getSession()).data.session!;
    const refreshed = await c.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    const second = refreshed.data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.access_token).session_id).toBe(
      decodeJwt(first.access_token).session_id,
    );
    // Two tabs refreshing at once both stay signed in.
    const again = await anonClient().auth.refreshSession({ refresh_token: first.refresh_token });
    expect(again.data.session?.refresh_token).toBe(second.refresh_token);
    // A refresh token reused after its successor was used has leaked: the
    // session's tokens are revoked.
    const third = (await c.auth.refreshSession()).data.session!;
    await sql`update auth.refresh_tokens set updated_at = now() - interval '1 minute'
               where token = ${first.refresh_token}`;
    const leaked = await anonClient().auth.refreshSession({ refresh_token: first.refresh_token });
    expect(leaked.error).toMatchObject({ status: 400, code: "refresh_token_already_used" });
    const after = await anonClient().auth.refreshSession({ refresh_token: third.refresh_token });
    expect(after.error).not.toBeNull();
  });

  it("reads and updates its user", async () => {
    const c = await signIn(alice.email, PASSWORD);
    const { data } = await c.auth.updateUser({ data: { full_name: "Alice Client" } });
    expect(data.user?.user_metadata).toEqual({ full_name: "Alice Client" });
    const got = await c.auth.getUser();
    expect(got.data.user?.user_metadata).toEqual({ full_name: "Alice Client" });
    const same = await c.auth.updateUser({ password: PASSWORD });
    expect(same.error).toMatchObject({ code: "same_password" });
  });

  it("ends on sign-out: its token no longer reads the user, its refresh token is gone", async () => {
    const c = await signIn(alice.email, PASSWORD);
    const session = (await c.auth.getSession()).data.session!;
    const other = await signIn(alice.email, PASSWORD);
    expect((await c.auth.signOut({ scope: "local" })).error).toBeNull();
    const stale = await raw("/user", {
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(stale.status).toBe(403);
    expect(await stale.json()).toMatchObject({ error_code: "session_not_found" });
    const r = await anonClient().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(r.error).toMatchObject({ code: "refresh_token_not_found" });
    // Local scope leaves the other session signed in; global ends it.
    expect((await other.auth.getUser()).data.user?.id).toBe(alice.id);
    const third = await signIn(alice.email, PASSWORD);
    await third.auth.signOut();
    expect((await other.auth.getUser()).error?.name).toBe("AuthSessionMissingError");
  });

  it("refuses a token it did not sign and the anon key", async () => {
    const forged = await raw("/user", {
      headers: { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.x" },
    });
    expect(forged.status).toBe(403);
    const anon = await raw("/user");
    expect(anon.status).toBe(403);
    expect(await anon.json()).toMatchObject({ error_code: "bad_jwt" });
  });
});
