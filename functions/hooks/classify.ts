import type { HookResult } from "./types.ts";

// How an answer counts, per the hooks contract: 2xx delivered; 408, 409,
// 425, 429, 3xx (redirects are not followed) and 5xx are tried again; any
// other 4xx is final.
export function outcomeOf(status: number): HookResult["outcome"] {
  if (status >= 200 && status < 300) return "delivered";
  if (status >= 400 && status < 500 && ![408, 409, 425, 429].includes(status)) return "permanent";
  return "retry";
}

// Retry-After is delay-seconds or an HTTP date (RFC 9110 10.2.3); anything
// else is ignored. A date in the past means now.
export function retryAfterSeconds(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  if (!/[a-z]/i.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

// A receiver's answer to message.received: the value of `reply` in a 2xx
// JSON object body, passed on as it is (the database checks it).
export function replyOf(
  eventType: string,
  status: number,
  body: string | null,
  complete: boolean,
): unknown {
  if (eventType !== "message.received" || status < 200 || status >= 300) return null;
  if (!body || !complete) return null;
  try {
    const parsed = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return "reply" in parsed ? parsed.reply ?? null : null;
    }
  } catch {
    // not JSON: no reply
  }
  return null;
}
