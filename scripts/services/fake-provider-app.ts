import { z } from "zod";
import { json } from "../../shared/http.ts";
import type { Fetch } from "../../shared/outbound/types.ts";
import { CallbackSpec, createCallbackRegistry } from "./fake-provider-callbacks.ts";
import {
  createGowaCallbacks,
  GowaCallbackSpec,
  gowaSend,
  isGowaPath,
} from "./fake-provider-gowa.ts";
import { createMediaStore } from "./fake-provider-media.ts";
import { createBridgeMedia } from "./fake-provider-media-bridges.ts";
import { createCloudMedia } from "./fake-provider-media-cloud.ts";
import {
  fetchFailure,
  fetchMedia,
  type MediaFetchRecord,
  outboundMediaUrl,
} from "./fake-provider-media-fetch.ts";
import { createUrlSigner } from "./fake-provider-media-signing.ts";
import {
  cloudSend,
  EVOLUTION_ENDPOINTS,
  evolutionSend,
  graphError,
  type SendResult,
} from "./fake-provider-sends.ts";
import { createTemplateStore, TemplateSet } from "./fake-provider-templates.ts";
import { createHookReceivers } from "./fake-provider-hooks.ts";
import { createPhoneNumberStore, PhoneNumberSpec } from "./fake-provider-numbers.ts";
import { createFakeSocial } from "./fake-provider-social.ts";

export type LoggedRequest = {
  seq: number;
  at: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  // 499: the client went away before the answer, so nothing was sent
  status: number;
  // a Cloud API send by media id: the upload it named
  media?: { id: string; sha256: string; mime_type: string; size: number };
  // a send by media URL: what the fake got downloading it
  media_fetch?: MediaFetchRecord;
};

const FaultSpec = z.object({
  kind: z.enum([
    "rate_limit",
    "http_429",
    "server_error",
    "bad_request",
    "latency",
    "pair_rate_limit",
  ]),
  // how many matching requests it affects; absent = until cleared
  times: z.number().int().positive().optional(),
  // only requests whose path contains this string
  match: z.string().optional(),
  status: z.number().int().min(200).max(599).optional(),
  delay_ms: z.number().min(0).optional(),
});
export type Fault = z.infer<typeof FaultSpec>;

export type FakeProviderOptions = {
  // how status callbacks are posted; tests pass a stub
  fetch?: Fetch;
  // how the media URL of a send is downloaded, as the real provider would;
  // absent, sends are not checked this way (the server passes fetch)
  mediaFetch?: Fetch;
  mediaFetchTimeoutMs?: number;
};

function faultResponse(f: Fault): Response | null {
  switch (f.kind) {
    case "rate_limit":
      return json(graphError("(#130429) Rate limit hit", 130429), f.status ?? 400);
    case "http_429":
      return json(graphError("(#80007) Rate limit issues", 80007), 429, { "retry-after": "1" });
    case "server_error":
      return json(
        graphError("Service temporarily unavailable", 2, "OAuthException"),
        f.status ?? 503,
      );
    case "bad_request":
      return json(graphError("(#100) Invalid parameter", 100), f.status ?? 400);
    case "pair_rate_limit":
      return json(
        graphError("(#131056) (Business Account, Consumer Account) pair rate limit hit", 131056),
        f.status ?? 400,
      );
    case "latency":
      return null;
  }
}

type RouteResult = SendResult & { phoneNumberId?: string; device?: string };

const invalidJson = (error: z.ZodError) => json({ error: z.prettifyError(error) }, 400);

// JSON, or the fields of a form (GOWA's media endpoints take
// multipart/form-data; a file part is logged by its name and type), else
// the raw text.
async function readBody(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type)) {
    try {
      const form = await req.formData();
      const fields: Record<string, unknown> = {};
      for (const [k, v] of form) {
        fields[k] = typeof v === "string" ? v : { file: v.name, type: v.type, size: v.size };
      }
      return fields;
    } catch {
      return null;
    }
  }
  const text = await req.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

export function createFakeProvider(opts: FakeProviderOptions = {}) {
  const log: LoggedRequest[] = [];
  let faults: Fault[] = [];
  let seq = 0;
  const templates = createTemplateStore();
  const numbers = createPhoneNumberStore();
  const callbacks = createCallbackRegistry(opts.fetch ?? globalThis.fetch);
  const gowaCallbacks = createGowaCallbacks(opts.fetch ?? globalThis.fetch);
  const media = createMediaStore();
  const signer = createUrlSigner();
  const cloudMedia = createCloudMedia(media, numbers, signer);
  const bridgeMedia = createBridgeMedia(media, signer);
  const hooks = createHookReceivers();
  const social = createFakeSocial({ mediaFetch: opts.mediaFetch });

  function takeFault(path: string): Fault | undefined {
    const f = faults.find((x) => !x.match || path.includes(x.match));
    if (f && f.times !== undefined) {
      f.times -= 1;
      if (f.times <= 0) faults = faults.filter((x) => x !== f);
    }
    return f;
  }

  // A benchmark leaves tens of thousands of entries: `since` skips to the
  // tail by binary search (seq only grows), the other filters scan what is
  // left, and `last` keeps only the newest matches.
  function query(url: URL): LoggedRequest[] {
    const matches = filtered(url);
    const last = Number(url.searchParams.get("last") ?? "0");
    return last > 0 ? matches.slice(-last) : matches;
  }

  function filtered(url: URL): LoggedRequest[] {
    const since = Number(url.searchParams.get("since") ?? "0") || 0;
    const path = url.searchParams.get("path");
    const status = url.searchParams.get("status");
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (log[mid].seq <= since) lo = mid + 1;
      else hi = mid;
    }
    const tail = lo === 0 ? log : log.slice(lo);
    if (!path && !status) return tail;
    return tail.filter((r) =>
      (!path || r.path.includes(path)) && (!status || r.status === Number(status))
    );
  }

  async function admin(req: Request, url: URL): Promise<Response> {
    const handled = await media.admin(req, url) ?? await social.admin(req, url);
    if (handled) return handled;
    const route = `${req.method} ${url.pathname}`;
    const body = async () => req.method === "POST" ? await req.json().catch(() => null) : null;
    switch (route) {
      case "GET /__fake/requests":
        return json(query(url));
      case "GET /__fake/count":
        return json({ count: query(url).length });
      case "DELETE /__fake/requests":
        log.length = 0;
        return json({ cleared: true });
      case "GET /__fake/faults":
        return json(faults);
      case "POST /__fake/faults": {
        const raw = await body();
        const f = FaultSpec.safeParse(raw);
        if (!f.success) {
          return json({ error: `unknown fault kind or bad fault: ${JSON.stringify(raw)}` }, 400);
        }
        faults.push(f.data);
        return json(faults, 201);
      }
      case "DELETE /__fake/faults":
        faults = [];
        return json({ cleared: true });
      case "POST /__fake/templates": {
        const t = TemplateSet.safeParse(await body());
        if (!t.success) return invalidJson(t.error);
        templates.set(t.data.waba_id, t.data.templates);
        return json({ waba_id: t.data.waba_id, count: t.data.templates.length }, 201);
      }
      case "DELETE /__fake/templates":
        templates.clear();
        return json({ cleared: true });
      case "POST /__fake/phone_numbers": {
        const n = PhoneNumberSpec.safeParse(await body());
        if (!n.success) return invalidJson(n.error);
        numbers.set(n.data);
        return json(n.data, 201);
      }
      case "DELETE /__fake/phone_numbers":
        numbers.clear();
        return json({ cleared: true });
      case "POST /__fake/callbacks": {
        const c = CallbackSpec.safeParse(await body());
        if (!c.success) return invalidJson(c.error);
        callbacks.register(c.data);
        return json(c.data, 201);
      }
      case "DELETE /__fake/callbacks":
        callbacks.clear(url.searchParams.get("phone_number_id") ?? undefined);
        return json({ cleared: true });
      case "POST /__fake/gowa-callbacks": {
        const c = GowaCallbackSpec.safeParse(await body());
        if (!c.success) return invalidJson(c.error);
        gowaCallbacks.register(c.data);
        return json(c.data, 201);
      }
      case "DELETE /__fake/gowa-callbacks":
        gowaCallbacks.clear(url.searchParams.get("device_id") ?? undefined);
        return json({ cleared: true });
    }
    return json({ error: "not found" }, 404);
  }

  // Media endpoints (null: not one of them, or an id Graph serves as a number)
  async function mediaRoute(
    req: Request,
    url: URL,
    body: unknown,
    raw: Request | null,
  ): Promise<Response | null> {
    const path = url.pathname;
    const one = path.match(/^\/(v\d+\.\d+)\/([^/]+)$/);
    if (req.method === "GET" || req.method === "HEAD") {
      if (path === "/whatsapp_business/attachments/") return await cloudMedia.download(req, url);
      if (path.startsWith("/statics/")) return bridgeMedia.gowaStatic(path, req.method);
      if (path.startsWith("/v/t61.24694-24/")) return await bridgeMedia.avatarFile(url);
      if (path === "/user/avatar") return await bridgeMedia.gowaAvatar(req.headers, url);
      if (one) return await cloudMedia.retrieve(req, url, one[2]);
    }
    if (req.method === "DELETE" && one) return cloudMedia.remove(req, one[2]);
    if (req.method !== "POST") return null;
    const upload = path.match(/^\/(v\d+\.\d+)\/([^/]+)\/media$/);
    if (upload) return await cloudMedia.upload(req, raw, upload[2]);
    const chat = path.match(
      /^\/chat\/(getBase64FromMediaMessage|fetchProfilePictureUrl)\/([^/]+)$/,
    );
    if (!chat) return null;
    const instance = decodeURIComponent(chat[2]);
    return chat[1] === "getBase64FromMediaMessage"
      ? bridgeMedia.evolutionGetBase64(instance, req.headers, body)
      : await bridgeMedia.evolutionProfilePicture(instance, req.headers, body, url.origin);
  }

  // After a send the body allowed: its media id must be one Meta holds, and
  // its media URL must download.
  async function checkMedia(
    path: string,
    body: unknown,
    phoneNumberId: string | undefined,
  ): Promise<{ res?: Response; log: Pick<LoggedRequest, "media" | "media_fetch"> }> {
    const log: Pick<LoggedRequest, "media" | "media_fetch"> = {};
    if (phoneNumberId) {
      const byId = cloudMedia.checkSend(phoneNumberId, body);
      if (byId.res) return { res: byId.res, log };
      log.media = byId.media;
    }
    const target = opts.mediaFetch ? outboundMediaUrl(path, body) : null;
    if (!target) return { log };
    log.media_fetch = await fetchMedia(
      opts.mediaFetch!,
      target.url,
      opts.mediaFetchTimeoutMs ?? 5000,
    );
    return { res: fetchFailure(target.kind, log.media_fetch) ?? undefined, log };
  }

  function route(req: Request, url: URL, body: unknown): RouteResult {
    const path = url.pathname;
    const post = req.method === "POST";
    const cloud = path.match(/^\/(v\d+\.\d+)\/([^/]+)\/messages$/);
    if (cloud && post) {
      return { ...cloudSend(cloud[2], req.headers, body), phoneNumberId: cloud[2] };
    }
    const listing = path.match(/^\/(v\d+\.\d+)\/([^/]+)\/message_templates$/);
    if (listing && req.method === "GET") return { res: templates.list(req, url, listing[2]) };
    const number = path.match(/^\/(v\d+\.\d+)\/([^/]+)$/);
    if (number && req.method === "GET") return { res: numbers.get(req.headers, url, number[2]) };
    const evo = path.match(/^\/message\/([A-Za-z]+)\/([^/]+)$/);
    if (evo && post && EVOLUTION_ENDPOINTS.includes(evo[1])) {
      return evolutionSend(evo[1], decodeURIComponent(evo[2]), req.headers, body);
    }
    if (isGowaPath(path) && post) return gowaSend(path, req.headers, body);
    if (path === "/echo") return { res: json({ method: req.method, query: url.search, body }) };
    return { res: json(graphError(`Unknown path components: ${path}`, 2500), 404) };
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path.startsWith("/__fake/")) return admin(req, url);
    if (path.startsWith("/__hooks")) {
      const hooked = await hooks.handle(req, url);
      if (hooked) return hooked;
    }
    // Deno.serve only tracks a disconnect on a signal that exists when it
    // happens, so take it now, not after the delay.
    const signal = req.signal;
    // An upload's bytes, which readBody's log summary leaves out
    const raw = req.method === "POST" && path.endsWith("/media") ? req.clone() : null;

    const body = await readBody(req);

    // Instagram and TikTok script their own failures (/__fake/social/faults).
    const fault = social.owns(path) ? undefined : takeFault(path);
    if (fault?.delay_ms) await new Promise((r) => setTimeout(r, fault.delay_ms));
    const injected = fault ? faultResponse(fault) : null;
    // A dispatcher killed mid-request never learns an id: nothing may count as sent.
    const mediaRes = signal.aborted || injected ? null : await mediaRoute(req, url, body, raw);
    let { res, sent, phoneNumberId, device } = signal.aborted
      ? { res: json({ error: "client closed request" }, 499) } as RouteResult
      : injected
      ? { res: injected } as RouteResult
      : mediaRes
      ? { res: mediaRes } as RouteResult
      : social.owns(path)
      ? { res: await social.handle(req, url, body) } as RouteResult
      : route(req, url, body);
    let mediaLog: Pick<LoggedRequest, "media" | "media_fetch"> = {};
    if (sent) {
      const checked = await checkMedia(path, body, phoneNumberId);
      mediaLog = checked.log;
      if (checked.res) {
        res = checked.res;
        sent = undefined;
      }
    }
    log.push({
      seq: ++seq,
      at: new Date().toISOString(),
      method: req.method,
      path: path + url.search,
      headers: Object.fromEntries(req.headers),
      body,
      status: res.status,
      ...mediaLog,
    });
    if (sent && phoneNumberId) callbacks.afterSend(phoneNumberId, sent.id, sent.to);
    if (sent && device) gowaCallbacks.afterSend(device, sent.id, sent.to);
    return res;
  }

  return { handle, log };
}
