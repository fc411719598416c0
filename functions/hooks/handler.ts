import { inBackground } from "../../shared/background.ts";
import { db } from "../../shared/db.ts";
import { readEnv } from "../../shared/env.ts";
import { json, jsonError } from "../../shared/http.ts";
import { createPinnedFetch } from "../../shared/outbound/pinned-fetch.ts";
import { urlGuardFromEnv } from "../../shared/outbound/url-guard.ts";
import { isServiceRole } from "../../shared/service-role.ts";
import { createDeliverer } from "./deliver.ts";
import { createHookWorker, type DrainSummary } from "./worker.ts";

// POST /hooks (service role only), as the database's poke and the minute
// tick send it: starts delivering due hook events in the background and
// answers 202 at once; a poke during a drain makes it look again.
// {"wait": true} drains before answering, with the summary (tests, scripts).

export type Deps = {
  worker: { drain(): Promise<DrainSummary>; readonly running: boolean };
  background: (p: Promise<unknown>) => void;
};

export function createHandler(deps: Deps) {
  return async (req: Request): Promise<Response> => {
    if (req.method !== "POST") return jsonError(405, "use POST");
    if (!isServiceRole(req)) return jsonError(403, "hooks is for the service role only");
    const text = await req.text();
    let body: unknown = {};
    try {
      body = text.trim() ? JSON.parse(text) : {};
    } catch {
      return jsonError(400, "body must be JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return jsonError(400, "expected {} or {wait: true}");
    }
    const wait = (body as { wait?: unknown }).wait;
    if (
      Object.keys(body).some((k) => k !== "wait") ||
      (wait !== undefined && typeof wait !== "boolean")
    ) {
      return jsonError(400, "expected {} or {wait: true}");
    }
    if (wait) return json(await deps.worker.drain());
    const already = deps.worker.running;
    deps.background(deps.worker.drain());
    return json({ accepted: true, already_running: already }, 202);
  };
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
