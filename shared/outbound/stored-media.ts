import { z } from "zod";
import type { Storage } from "../storage.ts";
import { graphSendError } from "./cloud-api.ts";
import { classify, failed, isOutcome, request } from "./http-outcome.ts";
import type { ChannelTarget, Fetch, OutboundMessage, SendOutcome } from "./types.ts";

// A message naming a stored file (media_path) reaches its provider as the
// provider takes files: Meta gets the bytes uploaded to the number's media
// endpoint and the message refers to the returned id (Meta keeps uploads
// for 30 days, so one upload serves a whole campaign); Evolution and GOWA
// download a short-lived signed URL themselves.

type Send = (
  channel: ChannelTarget,
  msg: OutboundMessage,
  signal: AbortSignal,
) => Promise<SendOutcome>;

export type StoredMediaOptions = {
  storage: Storage;
  fetch?: Fetch;
  graphBaseUrl: string;
  graphVersion: string;
  // how long a provider has to fetch a signed URL
  signedUrlSeconds?: number;
  // how long an upload's Meta id is reused (Meta keeps it 30 days)
  uploadReuseMs?: number;
  now?: () => number;
};

const Uploaded = z.looseObject({ id: z.string().min(1) });

type Resolved = { media_url: string } | { media_id: string } | SendOutcome;

export function withStoredMedia(send: Send, opts: StoredMediaOptions): Send {
  const fetch = opts.fetch ?? globalThis.fetch;
  const ttl = opts.signedUrlSeconds ?? 900;
  const reuse = opts.uploadReuseMs ?? 24 * 3600_000;
  const now = opts.now ?? Date.now;
  // In flight or done, per key: concurrent sends of one file share one request.
  const uploads = new Map<string, { at: number; p: Promise<Resolved> }>();
  const signed = new Map<string, { at: number; p: Promise<Resolved> }>();

  function cached(
    map: Map<string, { at: number; p: Promise<Resolved> }>,
    key: string,
    maxAge: number,
    make: () => Promise<Resolved>,
  ): Promise<Resolved> {
    const hit = map.get(key);
    if (hit && now() - hit.at < maxAge) return hit.p;
    const p = make().then((r) => {
      if ("kind" in r) map.delete(key); // failures are not remembered
      return r;
    });
    map.set(key, { at: now(), p });
    if (map.size > 5000) map.delete(map.keys().next().value!);
    return p;
  }

  async function signedUrl(path: string): Promise<Resolved> {
    const { data, error } = await opts.storage.from("media").createSignedUrl(path, ttl);
    if (error || !data?.signedUrl) return storageFailure(path, error);
    return { media_url: data.signedUrl };
  }

  async function uploadToMeta(
    channel: ChannelTarget,
    msg: OutboundMessage,
    path: string,
    signal: AbortSignal,
  ): Promise<Resolved> {
    const token = channel.credentials.access_token;
    if (!token || !channel.phone_number_id) {
      return failed("the channel has no access token or phone_number_id");
    }
    const { data, error } = await opts.storage.from("media").download(path);
    if (error || !data) return storageFailure(path, error);
    const mime = msg.media_mime_type ?? (data.type || "application/octet-stream");
    const form = new FormData();
    form.set("messaging_product", "whatsapp");
    form.set("type", mime);
    form.set("file", new Blob([data], { type: mime }), msg.media_filename ?? path.split("/").pop());
    const answer = await request(
      fetch,
      `${opts.graphBaseUrl}/${opts.graphVersion}/${channel.phone_number_id}/media`,
      { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form, signal },
    );
    if (isOutcome(answer)) return answer;
    if (!answer.res.ok) return classify(answer.res, graphSendError(answer));
    const up = Uploaded.safeParse(answer.body);
    if (!up.success) return { kind: "retry", error: graphSendError(answer) };
    return { media_id: up.data.id };
  }

  return async (channel, msg, signal) => {
    const path = msg.media_path;
    if (!path) return send(channel, msg, signal);
    const resolved = channel.provider === "cloud_api"
      ? await cached(
        uploads,
        `${channel.id}\n${path}`,
        reuse,
        () => uploadToMeta(channel, msg, path, signal),
      )
      : await cached(signed, path, (ttl / 2) * 1000, () => signedUrl(path));
    if ("kind" in resolved) return resolved;
    return send(channel, {
      ...msg,
      media_path: null,
      media_url: "media_url" in resolved ? resolved.media_url : null,
      media_id: "media_id" in resolved ? resolved.media_id : null,
    }, signal);
  };
}

function storageFailure(path: string, error: unknown): SendOutcome {
  const e = error as { statusCode?: unknown; status?: unknown; message?: unknown } | null;
  const status = Number(e?.statusCode ?? e?.status ?? NaN);
  const message = `the stored file ${path} could not be read: ${String(e?.message ?? "no data")}`;
  // The file is gone for good; anything else (Storage down) may pass.
  if (status === 400 || status === 404) return failed(message, { http_status: status });
  return {
    kind: "retry",
    error: { code: null, title: null, message, http_status: Number.isNaN(status) ? null : status },
  };
}
