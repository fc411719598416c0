// A fake WhatsApp provider on loopback: Meta Cloud API, Evolution API and GOWA
// send and media endpoints, a request log, and switches that inject the
// failures a real provider produces (rate limits, 5xx, latency).
import { createFakeProvider } from "./fake-provider-app.ts";

const port = Number(Deno.env.get("THREADLINE_FAKE_PROVIDER_PORT") ?? "54326");
// Sends by media URL download it as the real providers do.
const app = createFakeProvider({
  mediaFetch: fetch,
  mediaFetchTimeoutMs: Number(Deno.env.get("THREADLINE_FAKE_MEDIA_FETCH_TIMEOUT_MS") ?? "5000"),
});
Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: () => console.log(`[fake-provider] listening on 127.0.0.1:${port}`),
}, app.handle);
