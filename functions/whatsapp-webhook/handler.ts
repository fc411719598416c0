import { db, type Sql } from "../../shared/db.ts";
import { createBatcher } from "../../shared/batcher.ts";
import { json, jsonError } from "../../shared/http.ts";
import { readEnv } from "../../shared/env.ts";
import { timingSafeEqual, verifyHubSignature } from "../../shared/signature.ts";
import { jsonbSafe } from "../../shared/jsonb-text.ts";
import { MetaWebhook } from "../../shared/providers/meta.ts";
import { checkEvolutionData, EvolutionWebhook } from "../../shared/providers/evolution.ts";
import { checkWhatsmeowPayload, WhatsmeowWebhook } from "../../shared/providers/whatsmeow.ts";
import { createWebhookChannelCache, type Provider, type WebhookChannel } from "./channels.ts";

// Receives WhatsApp provider webhooks at /whatsapp-webhook/<channel id>:
// verify first (nothing unverified is stored), then validate, then one SQL
// call does the rest. Answers fast; failures to process are stored and
// retried by the database, so the provider is not asked to resend.

export type Deps = {
  channels: {
    get(id: string): Promise<WebhookChannel | null>;
    refresh(id: string): Promise<WebhookChannel | null>;
  };
  ingest(provider: Provider, channelId: string, body: string): Promise<Record<string, unknown>>;
  recordFailure(provider: Provider, channelId: string, raw: string, error: string): Promise<void>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const decoder = new TextDecoder();

type Verdict = { ok: true; parsed?: unknown } | { ok: false };

async function verify(channel: WebhookChannel, req: Request, body: Uint8Array): Promise<Verdict> {
  switch (channel.provider) {
    case "cloud_api":
      return {
        ok: await verifyHubSignature(
          req.headers.get("x-hub-signature-256"),
          channel.credentials.app_secret,
          body,
        ),
      };
    case "whatsmeow":
      return {
        ok: await verifyHubSignature(
          req.headers.get("x-hub-signature-256"),
          channel.credentials.webhook_secret,
          body,
        ),
      };
    case "evolution": {
      // The instance key comes in a header when configured, else in the body.
      const expected = channel.credentials.api_key;
      if (!expected) return { ok: false };
      const header = req.headers.get("apikey");
      if (header) return { ok: timingSafeEqual(header, expected) };
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(body));
      } catch {
        return { ok: false };
      }
      const key = (parsed as { apikey?: unknown } | null)?.apikey;
      return typeof key === "string" && timingSafeEqual(key, expected)
        ? { ok: true, parsed }
        : { ok: false };
    }
    default:
      return { ok: false };
  }
}

type Issues = { issues: unknown[] };

function validate(provider: Provider, value: unknown): Issues | null {
  if (provider === "cloud_api") {
    const r = MetaWebhook.safeParse(value);
    return r.success ? null : r.error;
  }
  if (provider === "evolution") {
    const r = EvolutionWebhook.safeParse(value);
    return r.success ? checkEvolutionData(r.data) : r.error;
  }
  const r = WhatsmeowWebhook.safeParse(value);
  return r.success ? checkWhatsmeowPayload(r.data) : r.error;
}

// Meta's subscription handshake: echo hub.challenge when the verify token matches.
function handshake(channel: WebhookChannel, url: URL): Response {
  if (channel.provider !== "cloud_api") {
    return jsonError(405, "only Cloud API channels verify with GET");
  }
  const mode = url.searchParams.get("hub.mode");
  const token = url.searchParams.get("hub.verify_token") ?? "";
  const challenge = url.searchParams.get("hub.challenge") ?? "";
  const expected = channel.credentials.verify_token;
  if (mode !== "subscribe" || !expected || !timingSafeEqual(token, expected)) {
    return jsonError(403, "verification failed");
  }
  return new Response(challenge, { status: 200, headers: { "content-type": "text/plain" } });
}

export function createHandler(deps: Deps) {
  return async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const id = url.pathname.match(/^\/whatsapp-webhook\/([^/]+)\/?$/)?.[1];
    if (!id || !UUID.test(id)) return jsonError(404, "unknown channel");
    if (req.method !== "GET" && req.method !== "POST") {
      return jsonError(405, "method not allowed");
    }
    let channel = await deps.channels.get(id);
    if (!channel || !channel.provider) return jsonError(404, "unknown channel");
    if (req.method === "GET") return handshake(channel, url);

    const body = new Uint8Array(await req.arrayBuffer());
    let verdict = await verify(channel, req, body);
    if (!verdict.ok) {
      // Perhaps the credentials were just rotated: check once more with fresh ones.
      channel = await deps.channels.refresh(id);
      if (channel?.provider) verdict = await verify(channel, req, body);
    }
    if (!verdict.ok || !channel?.provider) return jsonError(401, "invalid signature");
    const provider = channel.provider;

    const text = decoder.decode(body);
    let parsed = verdict.parsed;
    if (parsed === undefined) {
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        await deps.recordFailure(provider, id, text, `invalid JSON: ${(e as Error).message}`);
        return jsonError(400, "body is not JSON; stored for replay");
      }
    }
    const invalid = validate(provider, parsed);
    if (invalid) {
      const details = JSON.stringify(invalid.issues);
      await deps.recordFailure(provider, id, text, `invalid ${provider} payload: ${details}`);
      return jsonError(400, "payload does not match the provider's schema; stored for replay", {
        details: invalid.issues,
      });
    }
    const result = await deps.ingest(provider, id, jsonbSafe(text, parsed));
    if (result.status === "rejected") {
      return jsonError(400, "payload rejected by the database; stored for replay", {
        details: result.error,
      });
    }
    if (result.status === "error") {
      // The channel vanished between verification and ingestion, or the
      // database refused: let the provider retry.
      return result.code === "P0002"
        ? jsonError(404, "unknown channel")
        : jsonError(500, "not stored; retry");
    }
    return json(result);
  };
}

// The database behind the handler; the ingest benchmark passes its own
// connection to serve the same code.
export function defaultDeps(sql: () => Sql = db): Deps {
  type Item = { provider: Provider; channel: string; body: string };
  type Result = Record<string, unknown>;

  async function recordFailure(provider: Provider, channel: string, raw: string, error: string) {
    await sql()`select private.record_webhook_failure(${provider}::public.channel_provider, ${channel}::uuid, ${raw}, ${error})`;
  }

  // One body the database refuses (valid JSON that jsonb cannot hold, such as
  // \u0000) must not fail its neighbours: after a failed batch, each item is
  // tried alone, and one that still fails is stored raw and rejected.
  async function one(item: Item): Promise<Result> {
    try {
      const [row] = await sql()<{ result: Result }[]>`
        select private.ingest_webhook(${item.provider}::public.channel_provider, ${item.channel}::uuid,
                                      ${item.body}::text::jsonb) as result`;
      return row.result;
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code === "P0002") return { status: "error", code: err.code, error: err.message };
      await recordFailure(
        item.provider,
        item.channel,
        item.body,
        `rejected by the database: ${err.message}`,
      );
      return { status: "rejected", code: err.code, error: err.message };
    }
  }

  // Concurrent webhooks share one transaction (see shared/batcher.ts); the
  // bodies are verified JSON, embedded as they came.
  const batcher = createBatcher<Item, Result>({
    // Each event takes two subtransactions; 32 keeps a batch within the 64 a
    // backend caches before every snapshot has to consult pg_subtrans.
    maxBatch: 32,
    concurrency: Number(readEnv("THREADLINE_INGEST_BATCHES") ?? "2"),
    lingerMs: Number(readEnv("THREADLINE_INGEST_LINGER_MS") ?? "2"),
    async run(items) {
      const batch = `[${
        items.map((i) =>
          `{"provider":"${i.provider}","channel":"${i.channel}","payload":${i.body}}`
        )
          .join(",")
      }]`;
      try {
        const [row] = await sql()<{ results: Result[] }[]>`
          select private.ingest_webhooks(${batch}::text::jsonb) as results`;
        return row.results;
      } catch (e) {
        if (items.length === 1) return [await one(items[0])];
        console.error(
          `[whatsapp-webhook] batch of ${items.length} failed, retrying one by one: ${
            (e as Error).message
          }`,
        );
        const out: Result[] = [];
        for (const item of items) out.push(await one(item));
        return out;
      }
    },
  });
  return {
    channels: createWebhookChannelCache(sql),
    ingest: (provider, channel, body) => batcher.submit({ provider, channel, body }),
    recordFailure,
  };
}
