import { json, jsonError } from "./http.ts";
import { isServiceRole } from "./service-role.ts";

// The handler of a function that drains a queue: POST /<name> (service role
// only), as the database's poke and the minute tick send it, starts a drain
// in the background and answers 202 at once; a poke during a drain makes it
// look again. {"wait": true} drains before answering, with the summary
// (tests, scripts).

export type DrainDeps<S> = {
  worker: { drain(): Promise<S>; readonly running: boolean };
  background: (p: Promise<unknown>) => void;
};

export function createDrainHandler<S>(name: string, deps: DrainDeps<S>) {
  return async (req: Request): Promise<Response> => {
    if (req.method !== "POST") return jsonError(405, "use POST");
    if (!isServiceRole(req)) return jsonError(403, `${name} is for the service role only`);
    const text = await req.text();
    let body: unknown = {};
    try {
      body = text.trim() ? JSON.parse(text) : {};
    } catch {
      return jsonError(400, "body must be JSON");
    }
    const wait = (body as { wait?: unknown } | null)?.wait;
    if (
      typeof body !== "object" || body === null || Array.isArray(body) ||
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
