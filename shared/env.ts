// Reads configuration in Deno (functions, scripts) and in Node (vitest) alike.
type DenoLike = { env: { get(name: string): string | undefined } };

export function readEnv(name: string): string | undefined {
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (deno) return deno.env.get(name);
  const proc = (globalThis as { process?: { env: Record<string, string | undefined> } }).process;
  return proc?.env[name];
}

export function requireEnv(name: string): string {
  const value = readEnv(name);
  if (value === undefined || value === "") {
    throw new Error(`missing environment variable ${name}`);
  }
  return value;
}
