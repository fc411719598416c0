// Who a request acts as, and running its queries as that role: storage-api
// verifies the bearer JWT (the apikey header when there is none), then in
// a transaction sets the role and the request.jwt.* settings policies read
// (src/internal/database/postgres/scope.ts), so storage.objects' policies
// decide as they would for PostgREST.
import type postgres from "postgres";
import { verifyJwt } from "../../../shared/jwt.ts";
import { accessDenied, fromDbError, StorageError } from "./errors.ts";

export type Caller = {
  role: "anon" | "authenticated" | "service_role";
  sub: string | null;
  token: string;
  claims: Record<string, unknown>;
};

const ROLES = new Set(["anon", "authenticated", "service_role"]);

export async function caller(req: Request, secret: string): Promise<Caller> {
  const header = req.headers.get("authorization");
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? req.headers.get("apikey");
  if (!token) {
    throw new StorageError(
      400,
      "InvalidRequest",
      "Error",
      "headers must have required property 'authorization'",
    );
  }
  let claims: Record<string, unknown>;
  try {
    claims = await verifyJwt(token, secret) as Record<string, unknown>;
  } catch (e) {
    throw accessDenied((e as Error).message);
  }
  const role = String(claims.role ?? "");
  if (!ROLES.has(role)) throw accessDenied(`role ${role || "(none)"} is not allowed`);
  const sub = typeof claims.sub === "string" ? claims.sub : null;
  return { role: role as Caller["role"], sub, token, claims };
}

export const SUPERUSER: Caller = { role: "service_role", sub: null, token: "", claims: {} };

type Tx = postgres.TransactionSql;

// fn runs in one transaction as the caller's role; a database refusal comes
// back as storage-api words it.
export async function asCaller<T>(
  sql: postgres.Sql,
  who: Caller,
  req: { method: string; path: string; operation: string; headers: Headers },
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  try {
    return await sql.begin(async (tx) => {
      const headers = JSON.stringify(Object.fromEntries(req.headers));
      await tx`select set_config('role', ${who.role}, true),
        set_config('request.jwt.claim.role', ${who.role}, true),
        set_config('request.jwt', ${who.token}, true),
        set_config('request.jwt.claim.sub', ${who.sub ?? ""}, true),
        set_config('request.jwt.claims', ${JSON.stringify(who.claims)}, true),
        set_config('request.headers', ${headers}, true),
        set_config('request.method', ${req.method}, true),
        set_config('request.path', ${req.path}, true),
        set_config('storage.operation', ${req.operation}, true),
        set_config('storage.allow_delete_query', 'true', true)`;
      return await fn(tx);
    }) as T;
  } catch (e) {
    throw fromDbError(e) ?? e;
  }
}
