// A dispatcher as its own process, draining the outbox until nothing is due
// soon, then printing its summary as one JSON line. Tests start several at
// once, or kill one mid-batch; the Edge Function runs the same code.
import { db } from "../shared/db.ts";
import { readEnv } from "../shared/env.ts";
import { createProviderClients, graphSettingsFromEnv } from "../shared/outbound/clients.ts";
import { guardSends, urlGuardFromEnv } from "../shared/outbound/url-guard.ts";
import { createDispatcher } from "../functions/dispatch/dispatcher.ts";

const num = (name: string, fallback: number) => Number(readEnv(name) ?? fallback);

const clients = createProviderClients(graphSettingsFromEnv());
const dispatcher = createDispatcher({
  sql: db(),
  send: guardSends(clients.send, urlGuardFromEnv()),
  workerId: readEnv("THREADLINE_DISPATCH_WORKER") ?? `cli-${Deno.pid}`,
  leaseSeconds: num("THREADLINE_DISPATCH_LEASE_S", 60),
  idleExitMs: num("THREADLINE_DISPATCH_IDLE_EXIT_MS", 2000),
  sendTimeoutMs: num("THREADLINE_DISPATCH_SEND_TIMEOUT_MS", 15_000),
  log: readEnv("THREADLINE_DISPATCH_VERBOSE") ? (e, d) => console.error(e, d) : undefined,
});
Deno.addSignalListener("SIGTERM", () => void dispatcher.stop());
const summary = await dispatcher.drain();
console.log(JSON.stringify({ dispatch: summary }));
await db().end({ timeout: 5 });
