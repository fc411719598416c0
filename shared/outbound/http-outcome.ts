import type { Fetch, SendError, SendOutcome } from "./types.ts";
import { describe } from "../errors.ts";

// Turning a provider's HTTP answer into a SendOutcome, shared by every client
// so the dispatcher's retry policy means the same thing whatever the provider.

// Meta codes that limit the whole sending number: 130429 throughput, 80007
// WABA rate limit, 4 app call limit, 613 calls per period.
const CHANNEL_LIMIT_CODES = new Set([130429, 80007, 4, 613]);
// Meta: too many messages to one user in a short time; others can still be sent to.
const PAIR_LIMIT_CODE = 131056;

export function failed(message: string, more: Partial<SendError> = {}): SendOutcome {
  return {
    kind: "failed",
    error: { code: null, title: null, http_status: null, ...more, message },
  };
}

// Seconds (what Meta and most proxies send) or an HTTP date.
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

// For a non-2xx answer, whose body the caller has already read into `error`.
export function classify(res: Response, error: SendError): SendOutcome {
  const wait = retryAfterMs(res.headers.get("retry-after"));
  const after = wait === undefined ? {} : { retryAfterMs: wait };
  if (error.code === PAIR_LIMIT_CODE) {
    return { kind: "throttled", scope: "recipient", error, ...after };
  }
  if (res.status === 429 || (error.code !== null && CHANNEL_LIMIT_CODES.has(error.code))) {
    return { kind: "throttled", scope: "channel", error, ...after };
  }
  if (res.status === 408 || res.status >= 500) return { kind: "retry", error, ...after };
  return { kind: "failed", error };
}

export type Answer = { res: Response; body: unknown; text: string };

// One request whose failures before an answer (DNS, refused, reset, timeout,
// abort) come back as a retryable outcome: the provider may not have seen it.
export async function request(
  fetch: Fetch,
  url: string,
  init: RequestInit,
): Promise<Answer | SendOutcome> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    return { kind: "retry", error: networkError(err) };
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    // The provider accepted the request; retrying a 2xx might send it twice.
    if (res.ok) {
      return failed(
        `answer ${res.status} could not be read (${describe(err)}); the message may have ` +
          "been sent, but its id is unknown",
        { http_status: res.status },
      );
    }
    text = "";
  }
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch { /* not JSON: the schemas below reject it and `text` goes into the message */ }
  return { res, body, text };
}

export function isOutcome(x: Answer | SendOutcome): x is SendOutcome {
  return "kind" in x;
}

function networkError(err: unknown): SendError {
  // DOMException is not an Error in every runtime; its name is what tells a timeout.
  const name = typeof (err as { name?: unknown })?.name === "string"
    ? (err as { name: string }).name
    : "";
  const message = name === "TimeoutError"
    ? "request timed out"
    : name === "AbortError"
    ? "request aborted"
    : `network error: ${describe(err)}`;
  return { code: null, title: name || null, message, http_status: null };
}

export function malformedSuccess(answer: Answer, issue: string): SendOutcome {
  return failed(
    `answer ${answer.res.status} did not carry a message id (${issue}); the message may have ` +
      `been sent, but its id is unknown: ${answer.text.slice(0, 200)}`,
    { http_status: answer.res.status },
  );
}

// A short excerpt of a body no schema recognised, for the error message.
export function excerpt(answer: Answer): string {
  return `HTTP ${answer.res.status}${answer.text ? `: ${answer.text.slice(0, 200)}` : ""}`;
}
