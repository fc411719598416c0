import { type Fetch, PlatformError } from "./types.ts";
import { describe } from "../../shared/errors.ts";

// One platform request: JSON back, or a PlatformError from the platform's
// envelope (classify) or the network. Tokens never reach a message: the
// caller names the secrets to strip.

export type Classify = (status: number, body: unknown) => PlatformError;

export async function call(
  fetch: Fetch,
  url: string,
  init: RequestInit,
  classify: Classify,
  secrets: (string | null | undefined)[],
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new PlatformError(redact(`network error: ${describe(err)}`, secrets), true, "network");
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok || body === null || typeof body !== "object") {
    const e = classify(res.status, body);
    throw new PlatformError(redact(e.message, secrets), e.transient, e.code, e.invalidToken);
  }
  return body as Record<string, unknown>;
}

export function redact(message: string, secrets: (string | null | undefined)[]): string {
  let out = message;
  for (const s of secrets) if (s) out = out.split(s).join("[redacted]");
  return out.slice(0, 1000);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
