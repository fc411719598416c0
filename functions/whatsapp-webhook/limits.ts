import { readEnv } from "../../shared/env.ts";

// What one webhook may cost. Providers send small bodies (Meta batches a few
// messages; Evolution's inline media is the large case), so the limits are
// generous for them and stop anything that would hold the function hostage.
function num(name: string, fallback: number): number {
  const v = Number(readEnv(name));
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export type Limits = {
  maxBodyBytes: number; // larger: 413 before buffering, nothing stored
  maxItems: number; // messages + statuses + changes in one body; more: 400, stored for replay
  largeBodyBytes: number; // from here a body takes the single slot for large bodies
  largeItems: number;
  deadlineMs: number; // every answer within this, a 503 when the database is not there
  maxInFlightBytes: number; // bodies held at once; more: 503
  maxInFlight: number;
  retryAfterSeconds: number;
};

export function readLimits(): Limits {
  return {
    maxBodyBytes: num("THREADLINE_WEBHOOK_MAX_BYTES", 20 * 1024 * 1024),
    maxItems: num("THREADLINE_WEBHOOK_MAX_ITEMS", 1000),
    largeBodyBytes: num("THREADLINE_WEBHOOK_LARGE_BYTES", 256 * 1024),
    largeItems: num("THREADLINE_WEBHOOK_LARGE_ITEMS", 100),
    deadlineMs: num("THREADLINE_WEBHOOK_DEADLINE_MS", 5000),
    maxInFlightBytes: num("THREADLINE_WEBHOOK_MAX_INFLIGHT_BYTES", 64 * 1024 * 1024),
    maxInFlight: num("THREADLINE_WEBHOOK_MAX_INFLIGHT", 512),
    retryAfterSeconds: num("THREADLINE_WEBHOOK_RETRY_AFTER", 5),
  };
}

// Messages, statuses and changes one body asks us to write.
export function countItems(provider: string, body: unknown): number {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== "object") return 0;
  const len = (x: unknown) => (Array.isArray(x) ? x.length : 0);
  if (provider === "cloud_api") {
    let n = 0;
    for (const entry of Array.isArray(b.entry) ? b.entry : []) {
      const changes = (entry as { changes?: unknown })?.changes;
      for (const ch of Array.isArray(changes) ? changes : []) {
        const v = (ch as { value?: Record<string, unknown> })?.value;
        n += 1 + len(v?.messages) + len(v?.statuses) + len(v?.message_echoes);
      }
    }
    return n;
  }
  if (Array.isArray(b.data)) return b.data.length;
  const p = b.payload as Record<string, unknown> | undefined;
  return 1 + len(p?.message_ids) + len(p?.ids);
}

export class TooLarge extends Error {}

// Reads at most max bytes: a Content-Length over it is refused unread, and
// a body that streams past it is cut off there.
export async function readCapped(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (declared > max) throw new TooLarge(`body of ${declared} bytes`);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new TooLarge(`body over ${max} bytes`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// Connection-class failures: the database is restarting, unreachable or
// out of resources. The provider must retry, not be told the body was bad.
export function isTransient(e: unknown): boolean {
  const err = e as { code?: unknown; errno?: unknown; name?: unknown } | null;
  const code = typeof err?.code === "string" ? err.code : "";
  if (/^(08|57P|53|58)/.test(code) || code === "40001" || code === "40P01") return true;
  if (
    /^(CONNECTION_|CONNECT_TIMEOUT|ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)/.test(
      code,
    )
  ) {
    return true;
  }
  const msg = String((e as Error)?.message ?? "");
  return /ECONNREFUSED|ECONNRESET|connection (refused|reset|closed|terminated)|Connection refused/i
    .test(msg) ||
    err?.name === "Interrupted" || err?.name === "ConnectionRefused" ||
    err?.name === "ConnectionReset";
}

export class Unavailable extends Error {}
