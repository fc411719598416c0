// The running stack's settings (written by `npm start`), for benchmarks.
export async function stackEnv(): Promise<Record<string, string>> {
  const text = await Deno.readTextFile(new URL("../../.threadline/run/stack.env", import.meta.url));
  return Object.fromEntries(
    text.split("\n").filter(Boolean).map((
      l,
    ) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}
