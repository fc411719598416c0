// A fake WhatsApp provider on loopback: Meta Cloud API, Evolution API and GOWA
// send endpoints, a request log, and switches that inject the failures a
// real provider produces (rate limits, 5xx, latency).
import { createFakeProvider } from "./fake-provider-app.ts";

const port = Number(Deno.env.get("THREADLINE_FAKE_PROVIDER_PORT") ?? "54326");
const app = createFakeProvider();
Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: () => console.log(`[fake-provider] listening on 127.0.0.1:${port}`),
}, app.handle);
