import { db } from "../../shared/db.ts";
import { graphSettingsFromEnv } from "../../shared/outbound/clients.ts";
import { urlGuardFromEnv } from "../../shared/outbound/url-guard.ts";
import { storage } from "../../shared/storage.ts";
import { createHandler } from "./handler.ts";
import { createMediaWorker } from "./worker.ts";

const worker = createMediaWorker({
  sql: db(),
  storage: storage(),
  provider: {
    fetch: globalThis.fetch,
    ...graphSettingsFromEnv(),
    guard: urlGuardFromEnv(),
    timeoutMs: 60_000,
  },
  workerId: `media-${crypto.randomUUID()}`,
  log: (event, fields) => console.log(JSON.stringify({ fn: "media", event, ...fields })),
});

// The edge runtime keeps an instance alive for work it was told about.
const runtime = (globalThis as { EdgeRuntime?: { waitUntil(p: Promise<unknown>): void } })
  .EdgeRuntime;

Deno.serve(createHandler({
  worker,
  background: (p) => {
    const guarded = p.catch((err) => console.error("[media] drain failed:", err));
    runtime?.waitUntil(guarded);
  },
}));
