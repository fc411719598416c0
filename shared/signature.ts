// HMAC-SHA256 signatures as Meta (X-Hub-Signature-256) and whatsmeow
// bridges send them, compared in constant time.
const encoder = new TextEncoder();

// Imported keys, by secret: importing costs more than signing a small body,
// and a webhook endpoint verifies with the same few secrets all day.
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 1000) keys.clear();
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      [
        "sign",
      ],
    );
    keys.set(secret, key);
  }
  return key;
}

export async function hmacSha256Hex(secret: string, data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", await hmacKey(secret), bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
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
