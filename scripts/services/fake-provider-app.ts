import { json } from "../../shared/http.ts";

export type LoggedRequest = {
  seq: number;
  at: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  status: number;
};

export type Fault = {
  kind: "rate_limit" | "http_429" | "server_error" | "bad_request" | "latency";
  // how many matching requests it affects; absent = until cleared
  times?: number;
  // only requests whose path contains this string
  match?: string;
  status?: number;
  delay_ms?: number;
};

const graphError = (message: string, code: number, type = "OAuthException") => ({
  error: { message, type, code, fbtrace_id: crypto.randomUUID().replace(/-/g, "").slice(0, 22) },
});

function randomId(prefix: string, bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return prefix + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("").toUpperCase();
}

export function createFakeProvider() {
  const log: LoggedRequest[] = [];
  let faults: Fault[] = [];
  let seq = 0;

  function takeFault(path: string): Fault | undefined {
    const f = faults.find((x) => !x.match || path.includes(x.match));
    if (f && f.times !== undefined) {
      f.times -= 1;
      if (f.times <= 0) faults = faults.filter((x) => x !== f);
    }
    return f;
  }

  function faultResponse(f: Fault): Response | null {
    switch (f.kind) {
      case "rate_limit":
        return json(graphError("(#130429) Rate limit hit", 130429), f.status ?? 400);
      case "http_429":
        return json(graphError("(#80007) Rate limit issues", 80007), 429, { "retry-after": "1" });
      case "server_error":
        return json(
          graphError("Service temporarily unavailable", 2, "OAuthException"),
          f.status ?? 503,
        );
      case "bad_request":
        return json(graphError("(#100) Invalid parameter", 100), f.status ?? 400);
      case "latency":
        return null;
    }
  }

  function cloudSend(phoneNumberId: string, headers: Headers, body: unknown): Response {
    if (!bearer(headers)) return json(graphError("An access token is required", 190), 401);
    const b = body as Record<string, unknown> | null;
    if (!b || b.messaging_product !== "whatsapp" || typeof b.to !== "string" || !b.to) {
      return json(graphError("(#100) The parameter messaging_product is required", 100), 400);
    }
    const wamid = "wamid." + btoa(`${phoneNumberId}:${b.to}:${randomId("", 12)}`);
    return json({
      messaging_product: "whatsapp",
      contacts: [{ input: b.to, wa_id: String(b.to).replace(/^\+/, "") }],
      messages: [{ id: wamid }],
    });
  }

  function evolutionSend(instance: string, headers: Headers, body: unknown): Response {
    if (!headers.get("apikey")) return json({ status: 401, error: "Unauthorized" }, 401);
    const b = body as Record<string, unknown> | null;
    if (!b || typeof b.number !== "string" || typeof b.text !== "string") {
      return json({
        status: 400,
        error: "Bad Request",
        response: { message: ["number and text are required"] },
      }, 400);
    }
    const jid = b.number.includes("@") ? b.number : `${b.number.replace(/\D/g, "")}@s.whatsapp.net`;
    return json({
      key: { remoteJid: jid, fromMe: true, id: randomId("BAE5", 6) },
      pushName: "",
      message: { extendedTextMessage: { text: b.text } },
      messageType: "extendedTextMessage",
      messageTimestamp: Math.floor(Date.now() / 1000),
      instanceId: instance,
      status: "PENDING",
    }, 201);
  }

  function bearer(headers: Headers): boolean {
    return /^Bearer\s+\S+/.test(headers.get("authorization") ?? "");
  }

  async function admin(req: Request, path: string): Promise<Response> {
    if (path === "/__fake/requests" && req.method === "GET") return json(log);
    if (path === "/__fake/requests" && req.method === "DELETE") {
      log.length = 0;
      return json({ cleared: true });
    }
    if (path === "/__fake/faults" && req.method === "GET") return json(faults);
    if (path === "/__fake/faults" && req.method === "POST") {
      const f = (await req.json()) as Fault;
      if (!["rate_limit", "http_429", "server_error", "bad_request", "latency"].includes(f.kind)) {
        return json({ error: `unknown fault kind ${String(f.kind)}` }, 400);
      }
      faults.push(f);
      return json(faults, 201);
    }
    if (path === "/__fake/faults" && req.method === "DELETE") {
      faults = [];
      return json({ cleared: true });
    }
    return json({ error: "not found" }, 404);
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path.startsWith("/__fake/")) return admin(req, path);

    const text = await req.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch { /* keep raw text */ }

    let res: Response | null = null;
    const fault = takeFault(path);
    if (fault?.delay_ms) await new Promise((r) => setTimeout(r, fault.delay_ms));
    if (fault) res = faultResponse(fault);

    if (!res) {
      const cloud = path.match(/^\/(v\d+\.\d+)\/([^/]+)\/messages$/);
      const evo = path.match(/^\/message\/sendText\/([^/]+)$/);
      if (cloud && req.method === "POST") res = cloudSend(cloud[2], req.headers, body);
      else if (evo && req.method === "POST") res = evolutionSend(evo[1], req.headers, body);
      else if (path === "/echo") res = json({ method: req.method, query: url.search, body });
      else res = json(graphError(`Unknown path components: ${path}`, 2500), 404);
    }
    log.push({
      seq: ++seq,
      at: new Date().toISOString(),
      method: req.method,
      path: path + url.search,
      headers: Object.fromEntries(req.headers),
      body,
      status: res.status,
    });
    return res;
  }

  return { handle, log };
}
