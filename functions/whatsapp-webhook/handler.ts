import { Buffer } from "node:buffer";
import { db, type Sql } from "../../shared/db.ts";
import { createBatcher } from "../../shared/batcher.ts";
import { capDetails, json, jsonError } from "../../shared/http.ts";
import { readEnv } from "../../shared/env.ts";
import { timingSafeEqual, verifyHubSignature } from "../../shared/signature.ts";
import { jsonbSafe } from "../../shared/jsonb-text.ts";
import { MetaWebhook } from "../../shared/providers/meta.ts";
import { checkEvolutionData, EvolutionWebhook } from "../../shared/providers/evolution.ts";
import { checkWhatsmeowPayload, WhatsmeowWebhook } from "../../shared/providers/whatsmeow.ts";
import { createWebhookChannelCache, type Provider, type WebhookChannel } from "./channels.ts";
import {
  countItems,
  isTransient,
  type Limits,
  readCapped,
  readLimits,
  TooLarge,
  Unavailable,
} from "./limits.ts";
import { type InlineFile, rawForStorage, redactBody, safePreview, TooDeep } from "./redact.ts";
import { contentPath, isDuplicate, storage } from "../../shared/storage.ts";

// Receives WhatsApp provider webhooks at /whatsapp-webhook/<channel id>
// (Evolution with webhook_by_events appends the event: .../messages-upsert):
// verify first (nothing unverified is stored), then validate, then one SQL
// call does the rest. Answers fast; failures to process are stored and
// retried by the database, so the provider is not asked to resend.
//
// Every verified body is kept as the bytes received (private) next to its
// event, whatever happens to it: 200 processed, 400 stored for replay. The
// database being away is never a verdict on the body: 503 with Retry-After
// within the deadline, and the provider sends it again.

// A verified body on its way to the database. payload is the redacted JSON
// text clients may read; raw the bytes for the private copy.
export type Received = {
  provider: Provider;
  channel: WebhookChannel;
  payload: string;
  raw: Uint8Array;
  large: boolean;
  signal?: AbortSignal;
};

// A verified body that cannot be processed as it is, stored for replay.
export type Failure = {
  provider: Provider;
  channel: WebhookChannel;
  raw: Uint8Array;
  kind: "unparseable" | "invalid";
  payload: string | null;
  preview: string | null;
  error: string;
};

export type Deps = {
  channels: {
    get(id: string): Promise<WebhookChannel | null>;
    refresh(id: string): Promise<WebhookChannel | null>;
  };
  ingest(item: Received): Promise<Record<string, unknown>>;
  recordFailure(failure: Failure): Promise<void>;
  // Inline media into Storage before the message that names them is
  // recorded; a file that could not be stored is fetched by the media
  // function from the provider instead.
  storeInline(channel: WebhookChannel, files: InlineFile[]): Promise<void>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The channel's id, and the event Evolution appends when webhook_by_events is
// on (its event name lower-cased, dashes for dots and underscores).
const PATH = /^\/whatsapp-webhook\/([^/]+)(?:\/([a-z0-9]+(?:-[a-z0-9]+)*))?\/?$/;
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

const fatal = new TextDecoder("utf-8", { fatal: true });

function unavailable(limits: Limits, why: string): Response {
  return jsonError(503, `${why}; retry`, {}, { "retry-after": String(limits.retryAfterSeconds) });
}

export function createHandler(deps: Deps, limits: Limits = readLimits()) {
  // After a connection-class failure, answer 503 at once for a moment
  // rather than queue every request behind a database that is not there.
  let downUntil = 0;
  let inFlight = 0;
  let inFlightBytes = 0;

  return async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const [, id, byEvent] = url.pathname.match(PATH) ?? [];
    if (!id || !UUID.test(id)) return jsonError(404, "unknown channel");
    if (req.method !== "GET" && req.method !== "POST") {
      return jsonError(405, "method not allowed");
    }
    if (Date.now() < downUntil) return unavailable(limits, "database unavailable");
    const declared = Number(req.headers.get("content-length") ?? "0") || 0;
    if (declared > limits.maxBodyBytes) {
      return jsonError(413, `body over ${limits.maxBodyBytes} bytes; not stored`);
    }
    if (inFlight >= limits.maxInFlight || inFlightBytes + declared > limits.maxInFlightBytes) {
      return unavailable(limits, "too many webhooks in flight");
    }
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new Unavailable("deadline passed")),
      limits.deadlineMs,
    );
    let held = declared;
    inFlight++;
    inFlightBytes += held;
    try {
      return await receive(req, url, id, byEvent !== undefined, deadline.signal, (n) => {
        inFlightBytes += n - held;
        held = n;
        return inFlightBytes <= limits.maxInFlightBytes;
      });
    } catch (e) {
      if (e instanceof TooLarge) {
        return jsonError(413, `body over ${limits.maxBodyBytes} bytes; not stored`);
      }
      if (e instanceof Unavailable || isTransient(e)) {
        if (!(e instanceof Unavailable)) downUntil = Date.now() + 1000;
        console.error(`[whatsapp-webhook] 503: ${(e as Error).message}`);
        return unavailable(limits, "database unavailable");
      }
      throw e;
    } finally {
      clearTimeout(timer);
      inFlight--;
      inFlightBytes -= held;
    }
  };

  // Resolves with p, or rejects when the request's deadline passes first.
  function within<T>(signal: AbortSignal, p: Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const stop = () => reject(signal.reason);
      signal.addEventListener("abort", stop, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
    });
  }

  async function receive(
    req: Request,
    url: URL,
    id: string,
    byEvent: boolean,
    signal: AbortSignal,
    hold: (bytes: number) => boolean,
  ): Promise<Response> {
    let channel = await within(signal, deps.channels.get(id));
    if (!channel || !channel.provider) return jsonError(404, "unknown channel");
    if (byEvent && channel.provider !== "evolution") return jsonError(404, "unknown channel");
    if (req.method === "GET") return handshake(channel, url);

    const body = await within(signal, readCapped(req, limits.maxBodyBytes));
    if (!hold(body.length)) throw new Unavailable("too many bytes in flight");
    let verdict = await verify(channel, req, body);
    if (!verdict.ok) {
      // Perhaps the credentials were just rotated: check once more with fresh ones.
      channel = await within(signal, deps.channels.refresh(id));
      if (channel?.provider) verdict = await verify(channel, req, body);
    }
    if (!verdict.ok || !channel?.provider) return jsonError(401, "invalid signature");
    const provider = channel.provider;
    const ch = channel;

    const stored = async (
      f: Omit<Failure, "provider" | "channel">,
      message: string,
      extra = {},
    ) => {
      await within(signal, deps.recordFailure({ provider, channel: ch, ...f }));
      return jsonError(400, `${message}; stored for replay`, extra);
    };

    // Parsed again even when verification did (Evolution): only valid UTF-8
    // is taken as it is.
    let parsed: unknown;
    try {
      parsed = JSON.parse(fatal.decode(body));
    } catch (e) {
      const why = e instanceof SyntaxError
        ? `invalid JSON: ${e.message}`
        : e instanceof TypeError
        ? "invalid UTF-8"
        : `unreadable JSON: ${(e as Error).message}`;
      return await stored(
        {
          raw: rawForStorage(body, ch, undefined, undefined),
          kind: "unparseable",
          payload: null,
          preview: safePreview(body, ch),
          error: why.slice(0, 500),
        },
        "body is not JSON",
      );
    }
    let clean: unknown;
    let inline: InlineFile[] = [];
    try {
      ({ clean, inline } = redactBody(parsed, ch));
    } catch (e) {
      if (!(e instanceof TooDeep)) throw e;
      return await stored(
        {
          raw: rawForStorage(body, ch, undefined, undefined),
          kind: "invalid",
          payload: null,
          preview: safePreview(body, ch),
          error: e.message,
        },
        e.message,
      );
    }
    const raw = rawForStorage(body, ch, parsed, clean, inline.length);
    // What jsonb cannot hold (\u0000, lone surrogates) is cleaned from the
    // copy the database reads; the raw bytes keep the original.
    const payload = jsonbSafe(JSON.stringify(clean), clean);
    const invalid = validate(provider, clean);
    if (invalid) {
      const details = JSON.stringify(invalid.issues).slice(0, 1500);
      return await stored(
        {
          raw,
          kind: "invalid",
          payload,
          preview: null,
          error: `invalid ${provider} payload: ${details}`,
        },
        "payload does not match the provider's schema",
        { details: invalid.issues },
      );
    }
    const items = countItems(provider, clean);
    if (items > limits.maxItems) {
      return await stored(
        {
          raw,
          kind: "invalid",
          payload,
          preview: null,
          error: `${items} items in one body, over the limit of ${limits.maxItems}`,
        },
        `${items} items in one body, over the limit of ${limits.maxItems}`,
      );
    }
    if (inline.length > 0) await within(signal, deps.storeInline(ch, inline));
    const large = body.length > limits.largeBodyBytes || items > limits.largeItems;
    const result = await within(
      signal,
      deps.ingest({ provider, channel: ch, payload, raw, large, signal }),
    );
    if (result.status === "rejected") {
      return jsonError(400, "payload rejected by the database; stored for replay", {
        details: result.error,
      });
    }
    if (result.status === "error") {
      // The channel vanished between verification and ingestion, or the
      // database refused: let the provider retry.
      if (result.code === "P0002") return jsonError(404, "unknown channel");
      throw new Unavailable(`ingestion failed: ${String(result.error).slice(0, 200)}`);
    }
    // A failed event's error can quote the body (a value Postgres refused).
    return json(capDetails(result));
  }
}

// The database behind the handler; the ingest benchmark passes its own
// connection to serve the same code.
export function defaultDeps(sql: () => Sql = db): Deps {
  type Result = Record<string, unknown>;

  // Text columns cannot hold NUL, and an error message can quote one (V8's
  // JSON.parse quotes the input around the fault).
  const text = (s: string | null) => s?.replaceAll("\u0000", "\uFFFD") ?? null;

  async function recordFailure(f: Failure) {
    const store = (payload: string | null, preview: string | null) =>
      sql()`select private.record_webhook_failure(${f.provider}::public.channel_provider,
        ${f.channel.id}::uuid, ${Buffer.from(f.raw)}::bytea, ${f.kind}, ${payload}::text::jsonb,
        ${text(preview)}, ${text(f.error)})`;
    try {
      await store(f.payload, f.preview);
    } catch (e) {
      // JSON that jsonb cannot hold (\u0000, a lone surrogate): the bytes
      // and a text preview still go in.
      if (f.payload === null || isTransient(e)) throw e;
      await store(null, f.preview ?? safePreview(f.raw, f.channel));
    }
  }

  async function receive(items: Received[]): Promise<Result[]> {
    const batch = `[${
      items.map((i) =>
        `{"provider":"${i.provider}","channel":"${i.channel.id}","payload":${i.payload}}`
      ).join(",")
    }]`;
    const bodies = Buffer.concat(items.map((i) => i.raw));
    const lengths = `{${items.map((i) => i.raw.length).join(",")}}`;
    const [row] = await sql()<{ results: Result[] }[]>`
      select private.receive_webhooks(${batch}::text::jsonb, ${bodies}::bytea,
                                      ${lengths}::text::integer[]) as results`;
    return row.results;
  }

  // One body the database refuses (valid JSON that jsonb cannot hold, such as
  // \u0000) must not fail its neighbours: after a failed batch, each item is
  // tried alone, and one that still fails is stored raw and rejected. A
  // connection-class failure is nobody's fault: it fails the whole batch,
  // nothing stored, and the requests answer 503.
  async function one(item: Received): Promise<Result> {
    try {
      return (await receive([item]))[0];
    } catch (e) {
      if (isTransient(e)) throw e;
      const err = e as { code?: string; message?: string };
      if (err.code === "P0002") return { status: "error", code: err.code, error: err.message };
      await recordFailure({
        provider: item.provider,
        channel: item.channel,
        raw: item.raw,
        kind: "unparseable",
        payload: null,
        preview: safePreview(item.raw, item.channel),
        error: `rejected by the database: ${String(err.message).slice(0, 500)}`,
      });
      return { status: "rejected", code: err.code, error: err.message };
    }
  }

  async function run(items: Received[]): Promise<Result[]> {
    try {
      return await receive(items);
    } catch (e) {
      if (isTransient(e)) throw e;
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
  }

  // Concurrent webhooks share one transaction (see shared/batcher.ts).
  const batcher = createBatcher<Received, Result>({
    // Each event takes two subtransactions; 32 keeps a batch within the 64 a
    // backend caches before every snapshot has to consult pg_subtrans.
    maxBatch: 32,
    concurrency: Number(readEnv("THREADLINE_INGEST_BATCHES") ?? "2"),
    lingerMs: Number(readEnv("THREADLINE_INGEST_LINGER_MS") ?? "2"),
    run,
  });
  // Large bodies (many items, inline media) go one at a time through a slot
  // of their own: however long one takes, the batches of everyone else keep
  // being written.
  const large = createBatcher<Received, Result>({ maxBatch: 1, concurrency: 1, run });
  return {
    channels: createWebhookChannelCache(sql),
    ingest: (item) => (item.large ? large : batcher).submit(item, item.signal),
    recordFailure,
    storeInline: async (channel, files) => {
      for (const f of files) {
        const { error } = await storage().from("media").upload(
          contentPath(channel.workspace_id, f.sha256, f.mimetype),
          f.bytes,
          { contentType: f.mimetype ?? "application/octet-stream", upsert: false },
        );
        if (error && !isDuplicate(error)) {
          console.error(JSON.stringify({
            fn: "whatsapp-webhook",
            event: "inline_media_not_stored",
            channel: channel.id,
            error: error.message,
          }));
        }
      }
    },
  };
}
