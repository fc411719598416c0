import { Webhook } from "standardwebhooks";
import { z } from "zod";
import { json } from "../../shared/http.ts";

// A hook receiver: named receivers take deliveries at /__hooks/{name},
// verify them with the `standardwebhooks` package against the secrets
// registered for them (each secret separately, so a rotation's two
// signatures can be told apart), log what arrived and answer as told:
// a status sequence, a fixed status, a fraction failing, delays (for
// timeouts), a Retry-After, a reply body.

export const ReceiverSpec = z.object({
  // whsec_ secrets a delivery is verified against
  secrets: z.array(z.string().min(1)).default([]),
  // answered first, one per delivery, then `status`
  statuses: z.array(z.number().int().min(100).max(599)).default([]),
  status: z.number().int().min(100).max(599).default(200),
  // this share of the other deliveries gets fail_status
  fail_fraction: z.number().min(0).max(1).default(0),
  fail_status: z.number().int().min(100).max(599).default(500),
  delay_ms: z.number().int().min(0).default(0),
  // this share of deliveries waits slow_ms before answering
  slow_fraction: z.number().min(0).max(1).default(0),
  slow_ms: z.number().int().min(0).default(0),
  // Retry-After on non-2xx answers
  retry_after: z.string().optional(),
  // answered on 2xx as {"reply": reply}
  reply: z.unknown().optional(),
  // headers answered on every delivery (e.g. location for a 3xx)
  headers: z.record(z.string(), z.string()).default({}),
});
type ReceiverSpec = z.infer<typeof ReceiverSpec>;

export type Received = {
  seq: number;
  at: string;
  // receipt time in ms since the epoch (for lag measurements)
  at_ms: number;
  method: string;
  headers: Record<string, string>;
  body: string;
  event: unknown;
  verified: boolean;
  // which registered secrets (by index) verify the delivery
  verified_with: number[];
  verify_error: string | null;
  status: number;
};

type Receiver = { spec: ReceiverSpec; log: Received[] };

const NAME = /^\/__hooks\/([A-Za-z0-9_.-]{1,100})(\/(setup|received|count))?$/;

export function createHookReceivers() {
  const receivers = new Map<string, Receiver>();
  let seq = 0;

  const get = (name: string): Receiver => {
    let r = receivers.get(name);
    if (!r) {
      r = { spec: ReceiverSpec.parse({}), log: [] };
      receivers.set(name, r);
    }
    return r;
  };

  function verify(spec: ReceiverSpec, body: string, headers: Headers) {
    const h = Object.fromEntries(headers);
    const ok: number[] = [];
    let error: string | null = spec.secrets.length ? null : "no secret registered";
    spec.secrets.forEach((secret, i) => {
      try {
        new Webhook(secret).verify(body, h);
        ok.push(i);
      } catch (err) {
        error ??= (err as Error).message;
      }
    });
    return { verified: ok.length > 0, verified_with: ok, verify_error: ok.length ? null : error };
  }

  function answer(spec: ReceiverSpec): { status: number; wait: number } {
    const status = spec.statuses.length
      ? spec.statuses.shift()!
      : spec.fail_fraction > 0 && Math.random() < spec.fail_fraction
      ? spec.fail_status
      : spec.status;
    const slow = spec.slow_fraction > 0 && Math.random() < spec.slow_fraction;
    return { status, wait: spec.delay_ms + (slow ? spec.slow_ms : 0) };
  }

  async function deliver(req: Request, r: Receiver): Promise<Response> {
    const signal = req.signal;
    const body = await req.text();
    let event: unknown = null;
    try {
      event = JSON.parse(body);
    } catch {
      // logged as text
    }
    const entry: Received = {
      seq: ++seq,
      at: new Date().toISOString(),
      at_ms: Date.now(),
      method: req.method,
      headers: Object.fromEntries(req.headers),
      body,
      event,
      ...verify(r.spec, body, req.headers),
      status: 0,
    };
    r.log.push(entry);
    const { status, wait } = answer(r.spec);
    if (wait) await new Promise((res) => setTimeout(res, wait));
    // The sender gave up (its timeout): nothing was answered.
    entry.status = signal.aborted ? 499 : status;
    const headers: Record<string, string> = { ...r.spec.headers };
    if (status >= 300 && r.spec.retry_after !== undefined) {
      headers["retry-after"] = r.spec.retry_after;
    }
    const ok = status >= 200 && status < 300;
    return json(
      ok && r.spec.reply !== undefined ? { reply: r.spec.reply } : { received: ok },
      status,
      headers,
    );
  }

  function listed(r: Receiver, url: URL): Received[] {
    const since = Number(url.searchParams.get("since") ?? "0") || 0;
    const last = Number(url.searchParams.get("last") ?? "0") || 0;
    const out = r.log.filter((e) => e.seq > since);
    return last > 0 ? out.slice(-last) : out;
  }

  // null: not a receiver path
  async function handle(req: Request, url: URL): Promise<Response | null> {
    if (url.pathname === "/__hooks" && req.method === "DELETE") {
      receivers.clear();
      return json({ cleared: true });
    }
    const m = url.pathname.match(NAME);
    if (!m) return null;
    const [, name, , action] = m;
    const route = `${req.method} ${action ?? ""}`;
    switch (route) {
      case "POST ":
      case "PUT ":
      case "PATCH ":
        return await deliver(req, get(name));
      case "POST setup": {
        const spec = ReceiverSpec.safeParse(await req.json().catch(() => null));
        if (!spec.success) return json({ error: z.prettifyError(spec.error) }, 400);
        get(name).spec = spec.data;
        return json({ name, ...spec.data, secrets: spec.data.secrets.length }, 201);
      }
      case "GET received":
        return json(listed(get(name), url));
      case "GET count": {
        const all = listed(get(name), url);
        return json({
          count: all.length,
          verified: all.filter((e) => e.verified).length,
          ids: new Set(all.map((e) => e.headers["webhook-id"])).size,
        });
      }
      case "DELETE ":
        receivers.delete(name);
        return json({ cleared: true });
    }
    return json({ error: "not found" }, 404);
  }

  return { handle };
}
