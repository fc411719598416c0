// Media content the fake serves without storing it: bytes derived from the
// media id, so registering a 100 MB file costs a number, and every download
// of it (and its sha256) is the same. A benchmark fetches thousands of
// 200 KB files, so generation is a word-at-a-time xorshift, not per byte.

// The first bytes of each format, so code that sniffs content (or a human
// running `file` on a download) sees the type the mime type claims.
const MAGIC: Record<string, number[]> = {
  "image/jpeg": [0xff, 0xd8, 0xff, 0xe0],
  "image/png": [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  "image/webp": [0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50],
  "application/pdf": [0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37],
  "audio/ogg": [0x4f, 0x67, 0x67, 0x53],
  "video/mp4": [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70],
};

function seedOf(id: string): number {
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) || 1;
}

export function deterministicBytes(id: string, size: number, mimeType = ""): Uint8Array {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = seedOf(id);
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  const bytes = new Uint8Array(words.buffer, 0, size);
  const magic = MAGIC[mimeType.split(";")[0].trim().toLowerCase()];
  if (magic) bytes.set(magic.slice(0, size));
  return bytes;
}

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

export function fromBase64(b64: string): Uint8Array {
  const s = atob(b64.replace(/^data:[^,]*,/, ""));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export async function sha256Of(bytes: Uint8Array): Promise<{ hex: string; base64: string }> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return {
    hex: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    base64: toBase64(digest),
  };
}

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/webp": ".webp",
  "application/pdf": ".pdf",
  "audio/ogg": ".ogg",
  "audio/mpeg": ".mp3",
  "audio/mp4": ".m4a",
  "video/mp4": ".mp4",
  "text/plain": ".txt",
};

export const extensionOf = (mimeType: string) =>
  EXTENSIONS[mimeType.split(";")[0].trim().toLowerCase()] ?? ".bin";

export function mimeOfPath(path: string): string {
  const ext = path.match(/\.[a-z0-9]+$/i)?.[0].toLowerCase();
  const found = Object.entries(EXTENSIONS).find(([, e]) => e === ext);
  return found ? found[0] : "application/octet-stream";
}
