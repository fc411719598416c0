import postgres from "postgres";
import { type Claims, type Sql, type Tx, withClaims } from "../../shared/db.ts";
import { signJwt } from "../../shared/jwt.ts";
import { stack } from "./stack.ts";

export type { Sql, Tx };

// The developer's connection to the test database (postgres: not a
// superuser, but it bypasses RLS), for arranging and inspecting.
export function adminSql(): Sql {
  return postgres(stack().dbUrl, { max: 4, onnotice: () => {}, prepare: false });
}

export type TestUser = { id: string; email: string };

let authDb: Sql | null = null;

// Creates an auth user as GoTrue does: inserted over GoTrue's own connection
// (supabase_auth_admin), so triggers on auth.users run as they do on hosted.
export async function createUser(email: string, appMetadata = {}): Promise<TestUser> {
  // Idle connections close by themselves, so no test has to end this one.
  authDb ??= postgres(stack().authDbUrl, {
    max: 2,
    idle_timeout: 1,
    onnotice: () => {},
    prepare: false,
  });
  const [u] = await authDb<TestUser[]>`
    insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data,
                            raw_app_meta_data, email_confirmed_at, created_at, updated_at)
    values (gen_random_uuid(), '00000000-0000-0000-0000-000000000000', 'authenticated',
            'authenticated', ${email}, '{}'::jsonb,
            ${authDb.json({ provider: "email", providers: ["email"], ...appMetadata })},
            now(), now(), now())
    returning id, email`;
  return u;
}

export function userClaims(user: TestUser): Claims {
  const now = Math.floor(Date.now() / 1000);
  return {
    role: "authenticated",
    sub: user.id,
    aud: "authenticated",
    email: user.email,
    iat: now,
    exp: now + 3600,
  };
}

// Runs fn as the user exactly as PostgREST would for a request with their JWT.
export function asUser<T>(sql: Sql, user: TestUser, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withClaims(sql, userClaims(user), fn);
}

export function asAnon<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withClaims(sql, { role: "anon" }, fn);
}

// A JWT for the user signed with the stack's secret, for requests through the gateway.
export function userJwt(user: TestUser): Promise<string> {
  return signJwt(userClaims(user), stack().jwtSecret);
}
