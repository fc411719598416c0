// Errors as Supabase Auth answers them. Clients that send
// X-Supabase-Api-Version 2024-01-01 or later (supabase-js does) get
// {code, message} with the error code as `code`; older clients get
// {code: <status>, error_code, msg}. Both carry the version header back.
export const API_VERSION = "2024-01-01";

export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function wantsCurrentShape(req: Request): boolean {
  const v = req.headers.get("x-supabase-api-version");
  return !!v && /^\d{4}-\d{2}-\d{2}$/.test(v) && v >= API_VERSION;
}

export function errorResponse(req: Request, e: AuthError): Response {
  const body = wantsCurrentShape(req)
    ? { code: e.code, message: e.message, ...e.extra }
    : { code: e.status, error_code: e.code, msg: e.message, ...e.extra };
  return new Response(JSON.stringify(body), {
    status: e.status,
    headers: { "content-type": "application/json", "x-supabase-api-version": API_VERSION },
  });
}

export const invalidCredentials = () =>
  new AuthError(400, "invalid_credentials", "Invalid login credentials");
