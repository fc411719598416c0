// An error's message for a log line or a recorded failure: what was thrown
// may be an Error, a library's error-like object or anything else.
export function describe(err: unknown): string {
  const m = (err as { message?: unknown } | null)?.message;
  return typeof m === "string" ? m : String(err);
}
