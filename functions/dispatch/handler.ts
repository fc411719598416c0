import { z } from "zod";
import { inBackground } from "../../shared/background.ts";
import { db, type Sql } from "../../shared/db.ts";
import { isServiceRole } from "../../shared/service-role.ts";
import { json, jsonError } from "../../shared/http.ts";
import {
  createProviderClients,
  graphSettingsFromEnv,
  type ProviderClients,
} from "../../shared/outbound/clients.ts";
import type { ChannelTarget } from "../../shared/outbound/types.ts";
import { guardSends, urlGuardFromEnv } from "../../shared/outbound/url-guard.ts";
import { createDispatcher } from "./dispatcher.ts";
import { withStoredMedia } from "../../shared/outbound/stored-media.ts";
import { storage } from "../../shared/storage.ts";

// POST /dispatch (service role only). An empty body, as the database's poke
// and the minute tick send it, starts draining the outbox in the background
// and answers 202 at once; pokes during a drain just make it look again.
// {"action": "sync_templates", "channel_id"} fetches a Cloud API channel's
// templates from Meta and stores them. {"action": "verify_phone_number",
// "channel_id"} asks Graph for the channel's phone_number_id with its token
// and records the answer (the database asks for it when either changes).

const Body = z.union([
  z.object({ action: z.literal("drain").optional() }).strict(),
  z.object({ action: z.literal("sync_templates"), channel_id: z.guid() }).strict(),
  z.object({ action: z.literal("verify_phone_number"), channel_id: z.guid() }).strict(),
]);

export type Deps = {
  sql: () => Sql;
  clients: ProviderClients;
  dispatcher: { drain(): Promise<unknown>; readonly running: boolean };
  background: (p: Promise<unknown>) => void;
};

export function createHandler(deps: Deps) {
  return async (req: Request): Promise<Response> => {
    if (req.method !== "POST") return jsonError(405, "use POST");
    if (!isServiceRole(req)) return jsonError(403, "dispatch is for the service role only");

    const text = await req.text();
    let raw: unknown = {};
    try {
      raw = text.trim() ? JSON.parse(text) : {};
    } catch {
      return jsonError(400, "body must be JSON");
    }
    const parsed = Body.safeParse(raw);
    if (!parsed.success) {
      return jsonError(
        400,
        'expected {} or {action: "sync_templates" | "verify_phone_number", channel_id}',
      );
    }

    if (parsed.data.action === "sync_templates") {
      return await syncTemplates(deps, parsed.data.channel_id);
    }
    if (parsed.data.action === "verify_phone_number") {
      return await verifyPhoneNumber(deps, parsed.data.channel_id);
    }
    const already = deps.dispatcher.running;
    deps.background(deps.dispatcher.drain());
    return json({ accepted: true, already_running: already }, 202);
  };
}

// The Cloud API channel an action is about, or the answer refusing it.
async function cloudChannel(
  sql: Sql,
  channelId: string,
  refusal: string,
): Promise<ChannelTarget | Response> {
  const [row] = await sql<{ c: ChannelTarget | null }[]>`
    select private.dispatch_channel(${channelId}::uuid) as c`;
  const channel = row?.c;
  if (!channel) return jsonError(404, "channel not found");
  if (channel.provider !== "cloud_api") return jsonError(400, refusal);
  return channel;
}

async function syncTemplates(deps: Deps, channelId: string): Promise<Response> {
  const sql = deps.sql();
  const channel = await cloudChannel(sql, channelId, "only Cloud API channels have templates");
  if (channel instanceof Response) return channel;
  let templates;
  try {
    templates = await deps.clients.listTemplates(channel);
  } catch (err) {
    return jsonError(502, `listing templates failed: ${err instanceof Error ? err.message : err}`);
  }
  const [res] = await sql<{ r: { synced: number; disabled: number } }[]>`
    select private.sync_templates(${channelId}::uuid, ${
    JSON.stringify(templates)
  }::text::jsonb) as r`;
  return json(res.r);
}

async function verifyPhoneNumber(deps: Deps, channelId: string): Promise<Response> {
  const sql = deps.sql();
  const channel = await cloudChannel(
    sql,
    channelId,
    "only Cloud API channels have a phone number id to verify",
  );
  if (channel instanceof Response) return channel;
  const check = await deps.clients.verifyPhoneNumber(channel);
  // An answer that proves nothing leaves the channel as it was.
  if (check.kind === "unknown") {
    return jsonError(502, `verifying the phone number id failed: ${check.error}`);
  }
  const [res] = await sql<{ r: Record<string, unknown> }[]>`
    select private.record_phone_number_verification(${channelId}::uuid, ${channel.phone_number_id},
      ${check.kind === "verified"}, ${check.kind === "refused" ? check.error : null}) as r`;
  return json(res.r);
}

export function defaultDeps(): Deps {
  const clients = createProviderClients(graphSettingsFromEnv());
  const dispatcher = createDispatcher({
    sql: db(),
    send: withStoredMedia(guardSends(clients.send, urlGuardFromEnv()), {
      storage: storage(),
      ...graphSettingsFromEnv(),
    }),
    workerId: `dispatch-${crypto.randomUUID().slice(0, 8)}`,
    log: (event, data) => console.log(JSON.stringify({ event, ...data })),
  });
  return { sql: db, clients, dispatcher, background: inBackground("drain failed") };
}
