import type { Context } from "hono";
import { z } from "@hono/zod-openapi";

// Stable error codes of the public API: clients branch on `code`, never on
// the message.
export const ErrorCode = z.enum([
  "unauthorized",
  "forbidden",
  "insufficient_scope",
  "not_found",
  "invalid_request",
  "conflict",
  "invalid_state",
  "limit_reached",
  "rate_limited",
  "internal",
]).openapi("ErrorCode");

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().nullable(),
  }),
}).openapi("Error");

export type Code = z.infer<typeof ErrorCode>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: Code,
    message: string,
    readonly details: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorResponse(c: Context, e: ApiError): Response {
  return c.json(
    ErrorBody.parse({ error: { code: e.code, message: e.message, details: e.details } }),
    e.status as 400,
    e.headers,
  );
}

// One body for every key that does not authenticate (missing, malformed,
// unknown, revoked, expired, suspended workspace, creator gone): no oracle.
export const unauthorized = () =>
  new ApiError(401, "unauthorized", "missing or invalid API key", null, {
    "www-authenticate": 'Bearer realm="threadline"',
  });

// SQLSTATEs the database raises on purpose (see each module's header) and
// the constraint families, mapped to HTTP. Anything else is a 500 whose
// text stays in the log: it may name internals.
const BY_SQLSTATE: Record<string, [number, Code]> = {
  "28000": [401, "unauthorized"],
  "42501": [403, "forbidden"],
  "P0002": [404, "not_found"],
  "22023": [422, "invalid_request"],
  "22P02": [422, "invalid_request"],
  "22001": [422, "invalid_request"],
  "22007": [422, "invalid_request"],
  "22008": [422, "invalid_request"],
  "23502": [422, "invalid_request"],
  "23503": [422, "invalid_request"],
  "23514": [422, "invalid_request"],
  "23505": [409, "conflict"],
  "55000": [409, "invalid_state"],
  "54000": [403, "limit_reached"],
};

export function fromPostgres(e: unknown): ApiError | null {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== "string" || !(code in BY_SQLSTATE)) return null;
  const [status, apiCode] = BY_SQLSTATE[code];
  if (status === 401) return unauthorized();
  const pg = e as { message?: string; detail?: string; hint?: string };
  // RLS refusals name the table; say it plainly instead.
  const message = code === "42501" && /row-level security|permission denied/.test(pg.message ?? "")
    ? "the key's user may not do this in its workspace"
    : (pg.message ?? apiCode);
  return new ApiError(status, apiCode, message, { sqlstate: code, hint: pg.hint ?? null });
}
