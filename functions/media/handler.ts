import { inBackground } from "../../shared/background.ts";
import { db } from "../../shared/db.ts";
import { readEnv } from "../../shared/env.ts";
import { json, jsonError } from "../../shared/http.ts";
import { graphSettingsFromEnv } from "../../shared/outbound/clients.ts";
import { urlGuardFromEnv } from "../../shared/outbound/url-guard.ts";
import { isServiceRole } from "../../shared/service-role.ts";
import { storage } from "../../shared/storage.ts";
import { createBudget } from "./budget.ts";
import { createMediaWorker, type DrainSummary } from "./worker.ts";

// POST /media (service role only), as the database's poke and the minute
// tick send it: starts draining the media queues in the background and
// answers 202 at once; a poke during a drain makes it look again.
// {"wait": true} drains before answering, with the summary (tests, scripts).

export type Deps = {
  worker: { drain(): Promise<DrainSummary>; readonly running: boolean };
  background: (p: Promise<unknown>) => void;
};

export function createHandler(deps: Deps) {
  return async (req: Request): Promise<Response> => {
    if (req.method !== "POST") return jsonError(405, "use POST");
    if (!isServiceRole(req)) return jsonError(403, "media is for the service role only");
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
    const keys = Object.keys(body);
    const wait = (body as { wait?: unknown }).wait;
    if (keys.some((k) => k !== "wait") || (wait !== undefined && typeof wait !== "boolean")) {
      return jsonError(400, "expected {} or {wait: true}");
    }
    if (wait) return json(await deps.worker.drain());
    const already = deps.worker.running;
    deps.background(deps.worker.drain());
    return json({ accepted: true, already_running: already }, 202);
  };
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
