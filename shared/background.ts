// Work a function goes on with after answering. Hosted Edge Functions keep
// an instance alive for what is registered with EdgeRuntime.waitUntil;
// locally the process simply stays up. A failure is logged, never thrown.
export function inBackground(failure: string): (p: Promise<unknown>) => void {
  const runtime =
    (globalThis as { EdgeRuntime?: { waitUntil(p: Promise<unknown>): void } }).EdgeRuntime;
  return (p) => {
    const settled = p.catch((err) => console.error(failure, err));
    runtime?.waitUntil(settled);
  };
}
