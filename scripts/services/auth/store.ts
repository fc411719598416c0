// The stand-in's reads and writes of the auth schema, over GoTrue's own
// connection (supabase_auth_admin), so triggers on auth.users run as the
// role they run as on hosted.
import type postgres from "postgres";

export type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;
type Db = Sql | Tx;

export const INSTANCE_ID = "00000000-0000-0000-0000-000000000000";

export type UserRow = {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  phone: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  phone_confirmed_at: Date | null;
  confirmed_at: Date | null;
  confirmation_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  is_anonymous: boolean;
};

export type IdentityRow = {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
};

const USER_COLUMNS = `id, aud, role, email, phone, encrypted_password, email_confirmed_at,
  phone_confirmed_at, confirmed_at, confirmation_sent_at, last_sign_in_at, raw_app_meta_data,
  raw_user_meta_data, created_at, updated_at, banned_until, is_anonymous`;

export async function userByEmail(db: Db, email: string): Promise<UserRow | null> {
  const rows = await db.unsafe<UserRow[]>(
    `select ${USER_COLUMNS} from auth.users
      where lower(email) = lower($1) and not is_sso_user and deleted_at is null`,
    [email],
  );
  return rows[0] ?? null;
}

export async function userById(db: Db, id: string): Promise<UserRow | null> {
  const rows = await db.unsafe<UserRow[]>(
    `select ${USER_COLUMNS} from auth.users where id = $1 and deleted_at is null`,
    [id],
  );
  return rows[0] ?? null;
}

export function identitiesOf(db: Db, userId: string): Promise<IdentityRow[]> {
  return db<IdentityRow[]>`
    select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at,
           updated_at, email
      from auth.identities where user_id = ${userId} order by created_at`;
}

export async function insertEmailUser(tx: Tx, u: {
  email: string;
  passwordHash: string;
  userMetadata: Record<string, unknown>;
  confirmed: boolean;
}): Promise<UserRow> {
  const [row] = await tx.unsafe<UserRow[]>(
    `insert into auth.users (id, instance_id, aud, role, email, encrypted_password,
            email_confirmed_at, confirmation_sent_at, raw_app_meta_data, raw_user_meta_data,
            created_at, updated_at, confirmation_token, recovery_token, email_change_token_new,
            email_change, is_anonymous)
     values (gen_random_uuid(), $1, 'authenticated', 'authenticated', $2, $3,
             case when $4 then now() end, case when not $4 then now() end,
             '{"provider": "email", "providers": ["email"]}'::jsonb, $5::jsonb,
             now(), now(), '', '', '', '', false)
     returning ${USER_COLUMNS}`,
    [INSTANCE_ID, u.email, u.passwordHash, u.confirmed, u.userMetadata as never],
  );
  await tx`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at,
                                 created_at, updated_at)
    values (${row.id}, ${row.id},
            ${
    tx.json({ sub: row.id, email: u.email, email_verified: false, phone_verified: false })
  },
            'email', now(), now(), now())`;
  return row;
}

// A session and its first refresh token; the sign-in is recorded on the
// user and the identity, as Supabase Auth records it.
export async function startSession(
  tx: Tx,
  userId: string,
  refreshToken: string,
  userAgent: string | null,
  recordSignIn: boolean,
): Promise<string> {
  const [{ id }] = await tx<{ id: string }[]>`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent)
    values (gen_random_uuid(), ${userId}, now(), now(), 'aal1', ${userAgent})
    returning id`;
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at,
                                     session_id)
    values (${INSTANCE_ID}, ${refreshToken}, ${userId}, false, now(), now(), ${id})`;
  if (recordSignIn) {
    await tx`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
    await tx`update auth.identities set last_sign_in_at = now(), updated_at = now()
              where user_id = ${userId} and provider = 'email'`;
  }
  return id;
}

export type TokenRow = {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  session_id: string;
  updated_at: Date;
  not_after: Date | null;
  signed_in_at: number;
};

export async function lockRefreshToken(tx: Tx, token: string): Promise<TokenRow | null> {
  const rows = await tx<TokenRow[]>`
    select rt.id::text, rt.token, rt.user_id, rt.revoked, rt.session_id, rt.updated_at, s.not_after,
           extract(epoch from s.created_at)::int as signed_in_at
      from auth.refresh_tokens rt join auth.sessions s on s.id = rt.session_id
     where rt.token = ${token}
       for update of rt, s`;
  return rows[0] ?? null;
}

export async function activeChild(tx: Tx, parent: string): Promise<string | null> {
  const rows = await tx<{ token: string }[]>`
    select token from auth.refresh_tokens where parent = ${parent} and not revoked
     order by id desc limit 1`;
  return rows[0]?.token ?? null;
}

export async function rotateRefreshToken(tx: Tx, old: TokenRow, next: string): Promise<void> {
  await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${old.id}`;
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at,
                                     parent, session_id)
    values (${INSTANCE_ID}, ${next}, ${old.user_id}, false, now(), now(), ${old.token},
            ${old.session_id})`;
  await tx`update auth.sessions set refreshed_at = now() at time zone 'utc', updated_at = now()
            where id = ${old.session_id}`;
}

export async function revokeSessionTokens(tx: Tx, sessionId: string): Promise<void> {
  await tx`update auth.refresh_tokens set revoked = true, updated_at = now()
            where session_id = ${sessionId} and not revoked`;
}

export async function sessionExists(db: Db, sessionId: string): Promise<boolean> {
  const rows = await db`select 1 from auth.sessions where id = ${sessionId}`;
  return rows.length > 0;
}

// Sessions go with their refresh tokens (on delete cascade).
export async function endSessions(
  db: Db,
  userId: string,
  sessionId: string,
  scope: "global" | "local" | "others",
): Promise<void> {
  if (scope === "local") await db`delete from auth.sessions where id = ${sessionId}`;
  else if (scope === "others") {
    await db`delete from auth.sessions where user_id = ${userId} and id <> ${sessionId}`;
  } else await db`delete from auth.sessions where user_id = ${userId}`;
}

export async function updateUser(tx: Tx, id: string, change: {
  passwordHash?: string;
  userMetadata?: Record<string, unknown>;
}): Promise<void> {
  if (change.passwordHash) {
    await tx`update auth.users set encrypted_password = ${change.passwordHash}, updated_at = now()
              where id = ${id}`;
  }
  if (change.userMetadata) {
    // Supabase Auth merges the given keys into user_metadata.
    await tx`update auth.users
                set raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || ${
      tx.json(change.userMetadata as postgres.JSONValue)
    }::jsonb,
                    updated_at = now()
              where id = ${id}`;
  }
}
