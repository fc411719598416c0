// JSON responses in the shape every Threadline endpoint answers with.
export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

// Error details often quote the request (validation issues carry the
// offending value): capped, so a 1 MB field is never echoed back.
const MAX_STRING = 200;
const MAX_ITEMS = 10;
const MAX_DEPTH = 6;
const MAX_DETAIL_CHARS = 4096;

export function capDetails(value: unknown, depth = 0): unknown {
  if (typeof value === "string") {
    return value.length > MAX_STRING
      ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)`
      : value;
  }
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "…";
  if (Array.isArray(value)) {
    const out = value.slice(0, MAX_ITEMS).map((v) => capDetails(v, depth + 1));
    if (value.length > MAX_ITEMS) out.push(`… ${value.length - MAX_ITEMS} more`);
    return out;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, MAX_ITEMS * 2)) {
    out[capDetails(k) as string] = capDetails(v, depth + 1);
  }
  if (entries.length > MAX_ITEMS * 2) out["…"] = `${entries.length - MAX_ITEMS * 2} more keys`;
  return out;
}

export function jsonError(
  status: number,
  error: string,
  extra: Record<string, unknown> = {},
  headers: HeadersInit = {},
) {
  const capped = capDetails(extra) as Record<string, unknown>;
  let body = JSON.stringify({ error: capDetails(error), ...capped });
  if (body.length > MAX_DETAIL_CHARS) {
    body = JSON.stringify({ error: capDetails(error), details: "(too long to include)" });
  }
  return new Response(body, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

// Browsers call user-facing functions directly; they answer preflights and
// carry these headers, as Supabase's CORS guidance for functions asks.
export const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type",
  "access-control-allow-methods": "GET, POST, OPTIONS",
};

export function withCors(handler: (req: Request) => Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
    const res = await handler(req);
    for (const [k, v] of Object.entries(corsHeaders)) res.headers.set(k, v);
    return res;
  };
}
