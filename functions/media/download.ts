import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import type { Fetch } from "../../shared/outbound/types.ts";
import { type Budget, unlimited } from "./budget.ts";

// What fetching a file came to. `retry`: worth trying again later (network,
// 5xx, throttling, a refused token that may be fixed); `final`: this file
// will never be stored (too big, a hash that does not match, not a file);
// `expired`: the provider no longer has it.
export type Failure = { kind: "retry" | "final" | "expired"; reason: string };
// release gives the file's bytes back to the budget once it is stored.
export type File = { bytes: Uint8Array; sha256: string; mime: string | null; release?: () => void };

export const failure = (kind: Failure["kind"], reason: string): Failure => ({ kind, reason });
export const isFailure = (x: unknown): x is Failure =>
  typeof x === "object" && x !== null && "kind" in x && "reason" in x;

export function tooBig(size: number, max: number): Failure {
  return failure("final", `the file is ${size} bytes, over the workspace's limit of ${max} bytes`);
}

// How an HTTP error answer from a provider's file or media endpoint is taken.
export function failureForStatus(status: number, what: string): Failure {
  if (status === 404 || status === 410) return failure("expired", `${what}: HTTP ${status}, gone`);
  if (status === 408 || status === 429 || status >= 500 || status === 401 || status === 403) {
    return failure("retry", `${what}: HTTP ${status}`);
  }
  return failure("final", `${what}: HTTP ${status}`);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

// Providers announce a hash as hex (Meta's media endpoint) or base64 (Meta's
// webhooks, Baileys' fileSha256); both name the same 32 bytes.
export function announcedHex(announced: string | null | undefined): string | null {
  if (!announced) return null;
  const s = announced.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return s.toLowerCase();
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    if (bin.length !== 32) return null;
    return Array.from(bin, (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  } catch {
    return null;
  }
}

export function checkHash(file: File, announced: string | null | undefined): Failure | null {
  const want = announcedHex(announced);
  if (want && want !== file.sha256) {
    return failure(
      "final",
      `the file's sha256 ${file.sha256} does not match the ${want} the provider announced`,
    );
  }
  return null;
}

// Reads a body to its end, never past `max` bytes (a length the answer
// announces is checked by download() before any byte is read).
export async function readCapped(res: Response, max: number): Promise<Uint8Array | Failure> {
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return tooBig(total, max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

// GET a file: a network failure is a retry, an error status as above.
export async function download(
  fetch: Fetch,
  url: string,
  headers: Record<string, string>,
  max: number,
  signal: AbortSignal,
  what: string,
  budget: Budget = unlimited,
): Promise<File | Failure> {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal, redirect: "follow" });
  } catch (err) {
    return failure("retry", `${what}: ${(err as Error)?.message ?? err}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    return failureForStatus(res.status, what);
  }
  const length = Number(res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(length) && length > max) {
    await res.body?.cancel();
    return tooBig(length, max);
  }
  // Without a length, the most the file may be.
  const release = await budget.acquire(Number.isFinite(length) ? length : max);
  let bytes: Uint8Array | Failure;
  try {
    bytes = await readCapped(res, max);
  } catch (err) {
    release();
    return failure("retry", `${what}: reading the file failed: ${(err as Error)?.message ?? err}`);
  }
  if (isFailure(bytes)) {
    release();
    return bytes;
  }
  const mime = res.headers.get("content-type")?.split(";")[0].trim() || null;
  return { bytes, sha256: sha256Hex(bytes), mime, release };
}

export function fromBase64(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64.replace(/^data:[^,]*,/, ""), "base64"));
}
