import type { Context, MiddlewareHandler } from "hono";
import type { Sql, Tx } from "../../shared/db.ts";
import { bearerToken } from "../../shared/jwt.ts";
import { ApiError, unauthorized } from "./errors.ts";

export type ApiKey = {
  id: string;
  workspace_id: string;
  user_id: string;
  permissions: string[];
};
export type Env = { Variables: { key: ApiKey; sql: Sql } };

const KEY_SHAPE = /^tl_[0-9a-f]{64}$/;

// Resolves the bearer key (one database call: the key, its creator's
// membership, its workspace's state and the per-minute count, all checked
// by private.authenticate_api_key) before any route runs.
export function authenticate(sql: () => Sql): MiddlewareHandler<Env> {
  return async (c, next) => {
    const token = bearerToken(c.req.header("authorization") ?? null);
    // A malformed key costs no database round trip and answers as an unknown one.
    if (!token || !KEY_SHAPE.test(token)) throw unauthorized();
    let row;
    try {
      [row] = await sql()<
        (ApiKey & { rate_limit: number; retry_after_seconds: number | null })[]
      >`select api_key_id as id, workspace_id, user_id, permissions, rate_limit, retry_after_seconds
          from private.authenticate_api_key(${token})`;
    } catch (e) {
      if ((e as { code?: string }).code === "28000") throw unauthorized();
      throw e;
    }
    if (!row) throw unauthorized();
    if (row.retry_after_seconds !== null) {
      throw new ApiError(
        429,
        "rate_limited",
        `this key may make ${row.rate_limit} requests a minute`,
        { limit: row.rate_limit, retry_after_seconds: row.retry_after_seconds },
        { "retry-after": String(row.retry_after_seconds) },
      );
    }
    c.set("key", {
      id: row.id,
      workspace_id: row.workspace_id,
      user_id: row.user_id,
      permissions: row.permissions,
    });
    c.set("sql", sql());
    c.header("x-ratelimit-limit", String(row.rate_limit));
    await next();
  };
}

// A route's scope: the key needs one of these (or "*").
export function requireScope(...anyOf: string[]): MiddlewareHandler<Env> {
  return async (c, next) => {
    const { permissions } = c.get("key");
    if (!permissions.includes("*") && !anyOf.some((s) => permissions.includes(s))) {
      throw new ApiError(403, "insufficient_scope", `this key needs the scope ${anyOf[0]}`, {
        required_any_of: anyOf,
      });
    }
    await next();
  };
}

// Runs fn as PostgREST would run the key's creator's request (role
// authenticated, sub = creator, RLS applies), plus the api_key claim that
// narrows every membership check to the key's one workspace (identity
// module, private.api_key_workspace()).
// Both settings in one statement (withClaims of shared/db.ts takes two):
// a round trip less on every request.
export function asKey<T>(c: Context<Env>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const key = c.get("key");
  const claims = JSON.stringify({
    role: "authenticated",
    aud: "authenticated",
    sub: key.user_id,
    api_key: { id: key.id, workspace_id: key.workspace_id },
  });
  return c.get("sql").begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${claims}, true), set_config('role', 'authenticated', true)`;
    return await fn(tx);
  }) as Promise<T>;
}
