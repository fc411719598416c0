import postgres from "postgres";
import { requireEnv } from "./env.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

let shared: Sql | undefined;

// One small pool per function instance. prepare: false because hosted
// functions may reach the database through the transaction-mode pooler.
export function db(): Sql {
  shared ??= postgres(requireEnv("SUPABASE_DB_URL"), {
    prepare: false,
    max: Number(requireEnvOr("THREADLINE_DB_POOL", "5")),
    idle_timeout: 20,
    connection: { application_name: "threadline-functions" },
    onnotice: () => {},
  });
  return shared;
}

function requireEnvOr(name: string, fallback: string): string {
  try {
    return requireEnv(name);
  } catch {
    return fallback;
  }
}

export type Claims =
  & { role: "anon" | "authenticated" | "service_role"; sub?: string }
  & Record<
    string,
    unknown
  >;

const API_ROLES = new Set(["anon", "authenticated", "service_role"]);

// Runs fn inside one transaction exactly as PostgREST runs a request: the
// JWT's role becomes the current role and the claims land in
// request.jwt.claims, so RLS and auth.uid() see what they see on hosted.
export function withClaims<T>(sql: Sql, claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!API_ROLES.has(claims.role)) {
    return Promise.reject(new Error(`not an API role: ${String(claims.role)}`));
  }
  return sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    await tx`select set_config('role', ${claims.role}, true)`;
    return await fn(tx);
  }) as Promise<T>;
}
