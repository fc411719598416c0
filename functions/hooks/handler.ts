import { inBackground } from "../../shared/background.ts";
import { db } from "../../shared/db.ts";
import { readEnv } from "../../shared/env.ts";
import { createPinnedFetch } from "../../shared/outbound/pinned-fetch.ts";
import { urlGuardFromEnv } from "../../shared/outbound/url-guard.ts";
import { createDrainHandler, type DrainDeps } from "../../shared/drain-handler.ts";
import { createDeliverer } from "./deliver.ts";
import { createHookWorker, type DrainSummary } from "./worker.ts";

// POST /hooks: the shared drain handler (shared/drain-handler.ts) over this
// function's worker.

export type Deps = DrainDeps<DrainSummary>;

export function createHandler(deps: Deps) {
  return createDrainHandler("hooks", deps);
}

export function defaultDeps(): Deps {
  const log = (event: string, fields: Record<string, unknown>) =>
    console.log(JSON.stringify({ fn: "hooks", event, ...fields }));
  const guard = urlGuardFromEnv("THREADLINE_ALLOW_PRIVATE_HOOK_URLS", "the hook's url");
  const worker = createHookWorker({
    sql: db(),
    deliver: createDeliverer({
      // Connects only to the addresses the guard passed.
      fetch: guard.addresses ? createPinnedFetch(guard.addresses) : globalThis.fetch,
      guard,
    }),
    workerId: `hooks-${crypto.randomUUID().slice(0, 8)}`,
    concurrency: Number(readEnv("THREADLINE_HOOKS_CONCURRENCY") ?? 500),
    perHook: Number(readEnv("THREADLINE_HOOKS_PER_HOOK") ?? 50),
    lingerMs: Number(readEnv("THREADLINE_HOOKS_LINGER_MS") ?? 30_000),
    log,
  });
  return { worker, background: inBackground("[hooks] drain failed") };
}
