import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import type { WebhookChannel } from "./channels.ts";

// What is stored where clients read (webhook_events, messages.payload) never
// holds a provider secret or inline media. The SQL twin of these rules,
// private.redact_webhook_json, serves replays of bodies never parsed here.

const SECRET_KEYS = new Set([
  "apikey",
  "api_key",
  "access_token",
  "app_secret",
  "webhook_secret",
  "verify_token",
  "secret",
  "password",
  "authorization",
  "token",
]);
export const REDACTED = "[redacted]";

// Provider bodies nest a dozen levels; far deeper is an attack on every
// recursive reader (this walk, jsonb), so such a body is stored for replay.
export const MAX_DEPTH = 64;
export class TooDeep extends Error {}

function secretsOf(channel: WebhookChannel): string[] {
  // Short values would redact ordinary words; real keys are long.
  return Object.values(channel.credentials).filter((v): v is string =>
    typeof v === "string" && v.length >= 8
  );
}

// Bytes a provider put inside a webhook (Evolution's webhookBase64), taken
// out of the body: the webhook function stores them, the tables keep a marker.
export type InlineFile = { bytes: Uint8Array; sha256: string; mimetype: string | null };

// The marker that replaces inline media: enough to match the bytes once
// stored, nothing of the bytes themselves.
function mediaMarker(b64: string, mimetype: unknown, found: InlineFile[]) {
  const bytes = Buffer.from(b64, "base64");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  found.push({
    bytes: new Uint8Array(bytes),
    sha256,
    mimetype: typeof mimetype === "string" ? mimetype : null,
  });
  return {
    stripped: "inline media",
    bytes: bytes.length,
    sha256,
    ...(typeof mimetype === "string" ? { mimetype } : {}),
  };
}

// Evolution puts the media's mimetype on the message's *Message object.
function siblingMimetype(obj: Record<string, unknown>): unknown {
  for (const [k, v] of Object.entries(obj)) {
    if (k.endsWith("Message") && v && typeof v === "object") {
      const m = (v as Record<string, unknown>).mimetype;
      if (typeof m === "string") return m;
    }
  }
  return (obj as { mimetype?: unknown }).mimetype;
}

// Walks the whole body: secret-named keys and any string equal to one of the
// channel's credentials are redacted wherever they sit; base64 inside
// message content (Evolution's webhookBase64: data.message.base64, or a
// base64 next to data) becomes a marker. A QR code's base64 is kept: the
// pairing screen needs it. Returns a new value and whether media was stripped.
export function redactBody(
  value: unknown,
  channel: WebhookChannel,
): { clean: unknown; inlineMedia: number; inline: InlineFile[] } {
  const secrets = secretsOf(channel);
  const inline: InlineFile[] = [];
  const walk = (v: unknown, inMessage: boolean, depth: number): unknown => {
    if (typeof v === "string") return secrets.includes(v) ? REDACTED : v;
    if (!v || typeof v !== "object") return v;
    if (depth > MAX_DEPTH) throw new TooDeep(`nested deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(v)) return v.map((x) => walk(x, inMessage, depth + 1));
    const obj = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(obj)) {
      if (SECRET_KEYS.has(k.toLowerCase()) && typeof x === "string") {
        out[k] = REDACTED;
      } else if (k === "base64" && inMessage && typeof x === "string") {
        out[k] = mediaMarker(x, siblingMimetype(obj), inline);
      } else {
        out[k] = walk(
          x,
          k.toLowerCase().endsWith("message") || (inMessage && k === "data"),
          depth + 1,
        );
      }
    }
    return out;
  };
  const clean = walk(value, true, 0);
  return { clean, inlineMedia: inline.length, inline };
}

function replaceBytes(hay: Uint8Array, needle: Uint8Array, by: Uint8Array): Uint8Array {
  if (needle.length === 0) return hay;
  const parts: Uint8Array[] = [];
  let from = 0;
  const first = needle[0];
  for (let i = hay.indexOf(first); i !== -1 && i <= hay.length - needle.length;) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) {
      parts.push(hay.subarray(from, i), by);
      from = i + needle.length;
      i = hay.indexOf(first, from);
    } else {
      i = hay.indexOf(first, i + 1);
    }
  }
  if (parts.length === 0) return hay;
  parts.push(hay.subarray(from));
  return Buffer.concat(parts);
}

function holds(value: unknown, secret: string): boolean {
  if (typeof value === "string") return value.includes(secret);
  if (Array.isArray(value)) return value.some((v) => holds(v, secret));
  if (value && typeof value === "object") {
    return Object.entries(value).some(([k, v]) => k.includes(secret) || holds(v, secret));
  }
  return false;
}

const encoder = new TextEncoder();

// The private raw copy keeps the bytes as received, except an Evolution
// instance key: Evolution authenticates with the key itself, so nothing is
// lost by replacing it. A key written with JSON escapes (not found as bytes)
// makes the copy the redacted JSON instead.
export function rawForStorage(
  body: Uint8Array,
  channel: WebhookChannel,
  parsed: unknown,
  clean: unknown,
  inlineMedia = 0,
): Uint8Array {
  if (channel.provider !== "evolution") return body;
  // Inline media never reach a table, the private copy included: Evolution
  // signs nothing, so the redacted JSON replays as well as the bytes would.
  if (inlineMedia > 0) return encoder.encode(JSON.stringify(clean));
  const keys = new Set(secretsOf(channel));
  const inBody = (parsed as { apikey?: unknown } | null)?.apikey;
  if (typeof inBody === "string" && inBody.length > 0) keys.add(inBody);
  let out = body;
  for (const k of keys) out = replaceBytes(out, encoder.encode(k), encoder.encode(REDACTED));
  if (parsed === undefined) return out;
  try {
    const again = JSON.parse(new TextDecoder().decode(out));
    if ([...keys].some((k) => holds(again, k))) return encoder.encode(JSON.stringify(clean));
  } catch {
    // Not JSON after all: the byte replacement is what can be done.
  }
  return out;
}

// A text clients may read for a body that is not JSON: valid UTF-8, no NUL,
// known secrets and secret-looking fields redacted, truncated.
export function safePreview(body: Uint8Array, channel: WebhookChannel, max = 4096): string {
  let text = new TextDecoder().decode(body.subarray(0, max * 4)).replaceAll("\u0000", "\uFFFD");
  for (const s of secretsOf(channel)) text = text.replaceAll(s, REDACTED);
  text = text.replace(
    /("(?:apikey|api_key|access_token|app_secret|webhook_secret|verify_token|secret|password|authorization|token)"\s*:\s*)"[^"]*"?/gi,
    `$1"${REDACTED}"`,
  );
  text = text.replace(/("base64"\s*:\s*)"[^"]{64,}"?/g, `$1"[inline media]"`);
  return text.length > max ? `${text.slice(0, max)}… (${body.length} bytes)` : text;
}
