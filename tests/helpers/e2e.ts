import { stack } from "./stack.ts";

// Polls fn until it returns something truthy, or fails naming what it waited for.
export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A request to the fake provider's API (sends, /__fake/* administration).
export function fake(path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${stack().fakeProviderUrl}${path}`, init);
}
