// What hosted's API gateway does in front of /rest/v1 and /auth/v1: CORS,
// an API key required (the `apikey` header or query parameter, one of the
// project's keys) and taken off the request, and the key standing in as the
// bearer token when the client sent no Authorization of its own. In front
// of /storage/v1 it adds CORS only (Supabase's kong.yml: "the storage
// server manages its own auth"): signed and public URLs work with no key,
// and Storage reads the JWT itself.
import { json } from "../../shared/http.ts";

export type ApiKeys = { anon: string; serviceRole: string };
export type Upstreams = { rest: string; auth: string; storage?: string };

const CORS_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS";

export function isApiPath(pathname: string): boolean {
  return /^\/(rest|auth|storage)\/v1(\/|$)/.test(pathname);
}

export function corsPreflight(req: Request): Response | null {
  if (req.method !== "OPTIONS" || !req.headers.get("access-control-request-method")) return null;
  const headers = new Headers({
    "access-control-allow-origin": "*",
    "access-control-allow-methods": CORS_METHODS,
    "access-control-max-age": "3600",
  });
  const asked = req.headers.get("access-control-request-headers");
  if (asked) headers.set("access-control-allow-headers", asked);
  return new Response(null, { status: 200, headers });
}

export function allowAnyOrigin(res: Response): Response {
  const headers = new Headers(res.headers);
  headers.set("access-control-allow-origin", "*");
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

// The request as the upstream service gets it, or the gateway's refusal.
export function toUpstream(
  req: Request,
  keys: ApiKeys,
  upstreams: Upstreams,
): { url: string; headers: Headers } | Response {
  const url = new URL(req.url);
  const storage = url.pathname.match(/^\/storage\/v1(\/.*)?$/);
  if (storage && upstreams.storage) {
    const headers = new Headers(req.headers);
    headers.delete("host");
    headers.set("x-forwarded-host", url.host);
    headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
    headers.set("x-forwarded-prefix", "/storage/v1");
    return { url: `${upstreams.storage}${storage[1] ?? "/"}${url.search}`, headers };
  }
  const m = url.pathname.match(/^\/(rest|auth)\/v1(\/.*)?$/);
  if (!m) return json({ message: "no Route matched with those values" }, 404);
  const apikey = req.headers.get("apikey") ?? url.searchParams.get("apikey");
  if (!apikey) {
    return json({
      message: "No API key found in request",
      hint: "No `apikey` request header or url param was found.",
    }, 401);
  }
  if (apikey !== keys.anon && apikey !== keys.serviceRole) {
    return json({
      message: "Invalid API key",
      hint: "Double check your Supabase `anon` or `service_role` API key.",
    }, 401);
  }
  const headers = new Headers(req.headers);
  headers.delete("apikey");
  headers.delete("host");
  if (!headers.get("authorization")) headers.set("authorization", `Bearer ${apikey}`);
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
  headers.set("x-forwarded-prefix", `/${m[1]}/v1`);
  // The query string goes on as sent (PostgREST filters are sensitive to
  // how they are written), less the key when it came that way.
  let search = url.search;
  if (url.searchParams.has("apikey")) {
    url.searchParams.delete("apikey");
    search = url.searchParams.size ? `?${url.searchParams}` : "";
  }
  const base = m[1] === "rest" ? upstreams.rest : upstreams.auth;
  return { url: `${base}${m[2] ?? "/"}${search}`, headers };
}
