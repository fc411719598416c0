import { z } from "zod";
import type { ChannelTarget, Fetch } from "../../shared/outbound/types.ts";
import type { UrlGuard } from "../../shared/outbound/url-guard.ts";
import { basicAuth } from "../../shared/outbound/whatsmeow.ts";
import {
  checkHash,
  download,
  type Failure,
  failure,
  failureForStatus,
  type File,
  fromBase64,
  isFailure,
  sha256Hex,
  tooBig,
} from "./download.ts";
import type { MediaJob } from "./types.ts";
import { type Budget, unlimited } from "./budget.ts";

// Where each provider keeps a received file, and how to ask for it:
// - Cloud API: GET /{media-id} with the channel's token answers a short-lived
//   URL, which is downloaded with the same token;
// - Evolution: POST /chat/getBase64FromMediaMessage/{instance} answers the
//   decrypted file in base64 (when the webhook carried it inline, the webhook
//   function already stored it);
// - GOWA: the bridge downloads media itself and gives a path (or URL) on
//   its own server.

export type ProviderFetchOptions = {
  fetch: Fetch;
  // bytes held at once across concurrent fetches (default: no bound)
  budget?: Budget;
  graphBaseUrl: string;
  graphVersion: string;
  guard: UrlGuard;
  timeoutMs: number;
};

const GraphMedia = z.looseObject({
  url: z.string().url(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  file_size: z.union([z.number(), z.string()]).optional(),
});
const GraphError = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
  }),
});
const EvolutionMedia = z.looseObject({
  base64: z.string().min(1),
  mimetype: z.string().optional(),
  fileName: z.string().nullish(),
});

export type Fetched = File & { announcedSha?: string | null; name?: string | null };

async function guarded(guard: UrlGuard, url: string): Promise<Failure | null> {
  const verdict = await guard(url);
  if (verdict && "refused" in verdict) return failure("final", verdict.refused);
  if (verdict && "retry" in verdict) return failure("retry", verdict.retry);
  return null;
}

async function jsonAnswer(
  opts: ProviderFetchOptions,
  url: string,
  init: RequestInit,
  what: string,
): Promise<{ res: Response; body: unknown } | Failure> {
  let res: Response;
  try {
    res = await opts.fetch(url, { ...init, signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    return failure("retry", `${what}: ${(err as Error)?.message ?? err}`);
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch { /* judged by the status below */ }
  return { res, body };
}

async function fromCloudApi(job: MediaJob, ch: ChannelTarget, opts: ProviderFetchOptions) {
  const token = ch.credentials.access_token;
  if (!token) return failure("retry", "the channel has no access token");
  if (!job.provider_media_id) return failure("final", "the message carries no media id");
  const auth = { authorization: `Bearer ${token}` };
  const q = ch.phone_number_id ? `?phone_number_id=${encodeURIComponent(ch.phone_number_id)}` : "";
  const meta = await jsonAnswer(
    opts,
    `${opts.graphBaseUrl}/${opts.graphVersion}/${encodeURIComponent(job.provider_media_id)}${q}`,
    { headers: auth },
    "asking Meta for the media URL",
  );
  if (isFailure(meta)) return meta;
  if (!meta.res.ok) {
    const e = GraphError.safeParse(meta.body);
    const err = e.success ? e.data.error : {};
    const said = `Meta answered HTTP ${meta.res.status}${err.code ? ` (#${err.code})` : ""}${
      err.message ? `: ${err.message}` : ""
    }`;
    // 100/33: no such object (media ids live for a limited time).
    if (meta.res.status === 404 || (err.code === 100 && err.error_subcode === 33)) {
      return failure("expired", `Meta no longer has media ${job.provider_media_id}: ${said}`);
    }
    if (err.code === 190) return failure("retry", `the channel's token was refused: ${said}`);
    return failureForStatus(meta.res.status, said);
  }
  const info = GraphMedia.safeParse(meta.body);
  if (!info.success) return failure("retry", "Meta's media answer had no url");
  const size = Number(info.data.file_size ?? NaN);
  if (Number.isFinite(size) && size > job.max_bytes) return tooBig(size, job.max_bytes);
  const guardFail = await guarded(opts.guard, info.data.url);
  if (guardFail) return guardFail;
  const file = await download(
    opts.fetch,
    info.data.url,
    auth,
    job.max_bytes,
    AbortSignal.timeout(opts.timeoutMs),
    "downloading from Meta",
    opts.budget,
  );
  if (isFailure(file)) {
    // The URL lives minutes; a stale one is asked for again on the next attempt.
    return file.kind === "expired" ? failure("retry", file.reason) : file;
  }
  return {
    ...file,
    mime: info.data.mime_type ?? file.mime,
    announcedSha: info.data.sha256 ?? job.provider_sha256,
  };
}

// The URL when it is off WhatsApp's own CDN, whose files (mmg.whatsapp.net)
// are encrypted: Evolution's stored copy (mediaUrl, with S3/MinIO), a
// bridge's own path; null for the CDN or what is no http(s) URL.
function offWhatsAppCdn(url: string | null): string | null {
  if (!url || !/^https?:\/\//.test(url)) return null;
  try {
    return /(^|\.)whatsapp\.net$/.test(new URL(url).hostname) ? null : url;
  } catch {
    return null;
  }
}

async function fromEvolution(job: MediaJob, ch: ChannelTarget, opts: ProviderFetchOptions) {
  const stored = offWhatsAppCdn(job.source_url);
  if (stored && !(await guarded(opts.guard, stored))) {
    const file = await download(
      opts.fetch,
      stored,
      {},
      job.max_bytes,
      AbortSignal.timeout(opts.timeoutMs),
      "downloading Evolution's stored copy",
      opts.budget,
    );
    if (!isFailure(file) || file.kind === "final") {
      return isFailure(file) ? file : { ...file, announcedSha: job.provider_sha256 };
    }
    // Otherwise the instance itself is asked below.
  }
  return await fromEvolutionInstance(job, ch, opts);
}

async function fromEvolutionInstance(job: MediaJob, ch: ChannelTarget, opts: ProviderFetchOptions) {
  if (!ch.api_base_url || !ch.instance_name || !ch.credentials.api_key) {
    return failure("retry", "the channel has no api_base_url, instance or api key");
  }
  if (!job.message_provider_id) return failure("final", "the message has no provider id");
  const base = ch.api_base_url.replace(/\/+$/, "");
  const guardFail = await guarded(opts.guard, base);
  if (guardFail) return guardFail;
  // The answer holds the file twice over (base64, then decoded).
  const release = await (opts.budget ?? unlimited).acquire(
    Math.ceil(Math.min(job.size_bytes ?? job.max_bytes, job.max_bytes) * 7 / 3),
  );
  const got = await evolutionBase64(job, ch, base, opts);
  if (isFailure(got)) release();
  else got.release = release;
  return got;
}

async function evolutionBase64(
  job: MediaJob,
  ch: ChannelTarget,
  base: string,
  opts: ProviderFetchOptions,
): Promise<Fetched | Failure> {
  const answer = await jsonAnswer(
    opts,
    `${base}/chat/getBase64FromMediaMessage/${encodeURIComponent(ch.instance_name ?? "")}`,
    {
      method: "POST",
      headers: { apikey: ch.credentials.api_key ?? "", "content-type": "application/json" },
      body: JSON.stringify({
        message: {
          key: {
            id: job.message_provider_id,
            ...(job.chat_id ? { remoteJid: job.chat_id } : {}),
            fromMe: job.from_me ?? false,
          },
        },
        convertToMp4: false,
      }),
    },
    "asking Evolution for the file",
  );
  if (isFailure(answer)) return answer;
  if (!answer.res.ok) {
    const text = JSON.stringify(answer.body ?? "").slice(0, 300);
    // "Message not found" (Evolution no longer has the message) and "Failed
    // to fetch stream" (WhatsApp's CDN no longer has the file) are for good.
    if (answer.res.status === 404 || /not\s*found|failed to fetch stream/i.test(text)) {
      return failure(
        "expired",
        `Evolution no longer has the file: HTTP ${answer.res.status} ${text}`,
      );
    }
    return failureForStatus(answer.res.status, `Evolution answered ${text}`);
  }
  const media = EvolutionMedia.safeParse(answer.body);
  if (!media.success) return failure("retry", "Evolution's answer had no base64");
  // Four base64 characters carry three bytes: refuse before decoding.
  const approx = Math.floor(media.data.base64.length * 3 / 4);
  if (approx > job.max_bytes + 3) return tooBig(approx, job.max_bytes);
  const bytes = fromBase64(media.data.base64);
  if (bytes.length > job.max_bytes) return tooBig(bytes.length, job.max_bytes);
  return {
    bytes,
    sha256: sha256Hex(bytes),
    mime: media.data.mimetype ?? null,
    name: media.data.fileName ?? null,
    announcedSha: job.provider_sha256,
  };
}

async function fromGowa(job: MediaJob, ch: ChannelTarget, opts: ProviderFetchOptions) {
  const base = ch.api_base_url?.replace(/\/+$/, "");
  const where = job.source_url ?? job.provider_media_id;
  if (!where) return failure("final", "the message gives neither a URL nor a path on the bridge");
  if (!/^https?:\/\//.test(where) && !base) {
    return failure("retry", "the channel has no api_base_url");
  }
  const url = /^https?:\/\//.test(where) ? where : `${base}/${where.replace(/^\/+/, "")}`;
  if (/^https?:\/\//.test(where) && !offWhatsAppCdn(where)) {
    // The bridge did not download it (WHATSAPP_AUTO_DOWNLOAD_MEDIA off):
    // WhatsApp's CDN holds only the encrypted file.
    return failure(
      "final",
      "GOWA did not download this file (auto-download is off), and WhatsApp's own URL holds only encrypted bytes",
    );
  }
  const guardFail = await guarded(opts.guard, url);
  if (guardFail) return guardFail;
  const headers: Record<string, string> = {};
  const auth = ch.credentials.api_key ? basicAuth(ch.credentials.api_key) : null;
  // Only the bridge itself gets its credentials.
  if (auth && base && url.startsWith(`${base}/`)) headers.authorization = auth;
  if (ch.device_id && base && url.startsWith(`${base}/`)) headers["x-device-id"] = ch.device_id;
  const file = await download(
    opts.fetch,
    url,
    headers,
    job.max_bytes,
    AbortSignal.timeout(opts.timeoutMs),
    "downloading from the bridge",
    opts.budget,
  );
  if (isFailure(file)) return file;
  return { ...file, announcedSha: job.provider_sha256 };
}

// The file of a claimed media row, checked against the size limit and the
// hash its provider announced.
export async function fetchFromProvider(
  job: MediaJob,
  opts: ProviderFetchOptions,
): Promise<Fetched | Failure> {
  const ch = job.channel;
  if (!ch) return failure("final", "the channel is gone");
  if (job.size_bytes !== null && job.size_bytes > job.max_bytes) {
    return tooBig(job.size_bytes, job.max_bytes);
  }
  const got = ch.provider === "cloud_api"
    ? await fromCloudApi(job, ch, opts)
    : ch.provider === "evolution"
    ? await fromEvolution(job, ch, opts)
    : ch.provider === "whatsmeow"
    ? await fromGowa(job, ch, opts)
    : failure("final", `unknown provider ${ch.provider}`);
  if (isFailure(got)) return got;
  const refused = got.bytes.length === 0
    ? failure("retry", "the provider answered an empty file")
    : checkHash(got, got.announcedSha);
  if (refused) got.release?.();
  return refused ?? got;
}
