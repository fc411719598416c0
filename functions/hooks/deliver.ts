import type { Fetch } from "../../shared/outbound/types.ts";
import type { UrlGuard } from "../../shared/outbound/url-guard.ts";
import { outcomeOf, replyOf, retryAfterSeconds } from "./classify.ts";
import { signatureHeaders } from "./signing.ts";
import type { HookJob, HookResult } from "./types.ts";

// Posts one event to one hook and says how it went. Never throws: every
// failure is a result.

export type DeliverOptions = {
  fetch: Fetch;
  // checks the host's addresses (private targets) before each request
  guard: UrlGuard;
  now?: () => Date;
  // bytes of the response read at most; the rest is not awaited
  maxReadBytes?: number;
  // characters of it kept in hook_deliveries
  maxStoredChars?: number;
};

// Headers a hook cannot set: the signature, the body's framing, the target.
const RESERVED = new Set([
  "content-type",
  "content-length",
  "host",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "transfer-encoding",
  "connection",
  "upgrade",
  "te",
  "trailer",
  "keep-alive",
  "expect",
]);

// Why a hook URL can never be called, or null. The database refuses these
// when a hook is saved; checked again here since what reaches the network
// is what counts.
export function urlRefusal(url: string, allowInsecure: boolean): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "the hook's url is not a valid URL";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return "the hook's url must be http(s)";
  if (u.username || u.password) {
    return "the hook's url carries credentials; put them in a (secret) header";
  }
  if (u.protocol === "http:" && !allowInsecure) {
    return "the hook's url is plain http and the hook does not allow_insecure";
  }
  return null;
}

export function requestHeaders(job: HookJob, at: Date): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(job.headers ?? {})) {
    if (typeof v !== "string" || RESERVED.has(k.toLowerCase())) continue;
    try {
      h.set(k, v);
    } catch {
      // a value fetch will not send (the database refuses these when saved)
    }
  }
  h.set("content-type", "application/json");
  for (
    const [k, v] of Object.entries(signatureHeaders(job.webhook_id, at, job.body, job.secrets))
  ) {
    h.set(k, v);
  }
  return h;
}

// Reads at most `max` bytes of a body, then lets the rest go.
export async function readCapped(
  res: Response,
  max: number,
): Promise<{ text: string; complete: boolean }> {
  if (!res.body) return { text: "", complete: true };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = max - size;
    if (value.length > room) {
      chunks.push(value.subarray(0, room));
      size = max;
      complete = false;
      break;
    }
    chunks.push(value);
    size += value.length;
  }
  if (!complete) await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { text: new TextDecoder().decode(bytes), complete };
}

export function createDeliverer(opts: DeliverOptions) {
  const now = opts.now ?? (() => new Date());
  const maxRead = opts.maxReadBytes ?? 64 * 1024;
  const maxStored = opts.maxStoredChars ?? 2048;

  return async function deliver(job: HookJob): Promise<HookResult> {
    const started = performance.now();
    const result = (r: Partial<HookResult> & Pick<HookResult, "outcome">): HookResult => ({
      job_id: Number(job.job_id),
      status_code: null,
      latency_ms: Math.round(performance.now() - started),
      response_body: null,
      error: null,
      retry_after_seconds: null,
      reply: null,
      ...r,
    });

    const refusal = urlRefusal(job.url, job.allow_insecure);
    if (refusal) return result({ outcome: "permanent", error: refusal });
    const verdict = await opts.guard(job.url);
    if (verdict && "refused" in verdict) {
      return result({ outcome: "permanent", error: verdict.refused });
    }
    if (verdict && "retry" in verdict) return result({ outcome: "retry", error: verdict.retry });

    let headers: Headers;
    try {
      headers = requestHeaders(job, now());
    } catch (err) {
      return result({ outcome: "retry", error: `not signed: ${describe(err)}` });
    }
    // One deadline for the answer and its body.
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new DOMException("timeout", "TimeoutError")),
      job.timeout_ms,
    );
    try {
      const res = await opts.fetch(job.url, {
        method: job.method,
        headers,
        body: job.body,
        redirect: "manual",
        signal: abort.signal,
      });
      const { text, complete } = await readCapped(res, maxRead);
      const outcome = outcomeOf(res.status);
      const location = res.headers.get("location");
      return result({
        outcome,
        status_code: res.status,
        response_body: text.slice(0, maxStored),
        error: res.status >= 300 && res.status < 400
          ? `redirect${location ? ` to ${location.slice(0, 500)}` : ""} not followed`
          : null,
        retry_after_seconds: outcome === "delivered"
          ? null
          : retryAfterSeconds(res.headers.get("retry-after"), now().getTime()),
        reply: replyOf(job.event_type, res.status, text, complete),
      });
    } catch (err) {
      const error = abort.signal.aborted
        ? `timeout after ${job.timeout_ms} ms`
        : `request failed: ${describe(err)}`;
      return result({ outcome: "retry", error: error.slice(0, 2000) });
    } finally {
      clearTimeout(timer);
    }
  };
}

function describe(err: unknown): string {
  const e = err as { message?: unknown; cause?: { message?: unknown } };
  const m = typeof e?.message === "string" ? e.message : String(err);
  const c = typeof e?.cause?.message === "string" ? `: ${e.cause.message}` : "";
  return m + c;
}
