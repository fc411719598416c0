import { inBackground } from "../../shared/background.ts";
import { db } from "../../shared/db.ts";
import { readEnv } from "../../shared/env.ts";
import { graphSettingsFromEnv } from "../../shared/outbound/clients.ts";
import { urlGuardFromEnv } from "../../shared/outbound/url-guard.ts";
import { createDrainHandler, type DrainDeps } from "../../shared/drain-handler.ts";
import { storage } from "../../shared/storage.ts";
import { createBudget } from "./budget.ts";
import { createMediaWorker, type DrainSummary } from "./worker.ts";

// POST /media: the shared drain handler (shared/drain-handler.ts) over this
// function's worker.

export type Deps = DrainDeps<DrainSummary>;

export function createHandler(deps: Deps) {
  return createDrainHandler("media", deps);
}

export function defaultDeps(): Deps {
  const worker = createMediaWorker({
    sql: db(),
    storage: storage(),
    provider: {
      fetch: globalThis.fetch,
      ...graphSettingsFromEnv(),
      guard: urlGuardFromEnv(),
      timeoutMs: 60_000,
      budget: createBudget(
        Number(readEnv("THREADLINE_MEDIA_MAX_INFLIGHT_BYTES") ?? 64 * 1024 * 1024),
      ),
    },
    workerId: `media-${crypto.randomUUID().slice(0, 8)}`,
    concurrency: Number(readEnv("THREADLINE_MEDIA_CONCURRENCY") ?? 24),
    log: (event, fields) => console.log(JSON.stringify({ fn: "media", event, ...fields })),
  });
  return { worker, background: inBackground("[media] drain failed") };
}
