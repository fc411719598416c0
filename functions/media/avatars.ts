import { z } from "zod";
import type { ChannelTarget } from "../../shared/outbound/types.ts";
import { basicAuth } from "../../shared/outbound/whatsmeow.ts";
import { download, type Failure, failure, type File, isFailure } from "./download.ts";
import type { ProviderFetchOptions } from "./providers.ts";
import type { AvatarJob } from "./types.ts";

// A contact's profile picture: Evolution tells its URL in contact webhooks
// (profilePictureUrl) or through POST /chat/fetchProfilePictureUrl/{instance};
// GOWA through GET /user/avatar. WhatsApp serves the picture itself from its
// CDN without credentials. null: the person shows no picture to us.

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;

const EvolutionPicture = z.looseObject({ profilePictureUrl: z.string().nullish() });
const GowaAvatar = z.looseObject({
  results: z.looseObject({ url: z.string().nullish() }).nullish(),
});

const digits = (jid: string) => jid.replace(/@.*$/, "").replace(/:\d+$/, "");

async function pictureUrl(
  job: AvatarJob,
  ch: ChannelTarget,
  opts: ProviderFetchOptions,
): Promise<string | null | Failure> {
  const base = ch.api_base_url?.replace(/\/+$/, "");
  if (!base) return failure("retry", "the channel has no api_base_url");
  const verdict = await opts.guard(base);
  if (verdict) return failure("retry" in verdict ? "retry" : "final", Object.values(verdict)[0]);
  let res: Response;
  try {
    if (ch.provider === "evolution") {
      if (!ch.instance_name || !ch.credentials.api_key) {
        return failure("retry", "the channel has no instance or api key");
      }
      res = await opts.fetch(
        `${base}/chat/fetchProfilePictureUrl/${encodeURIComponent(ch.instance_name)}`,
        {
          method: "POST",
          headers: { apikey: ch.credentials.api_key, "content-type": "application/json" },
          body: JSON.stringify({ number: digits(job.external_id) }),
          signal: AbortSignal.timeout(opts.timeoutMs),
        },
      );
    } else {
      const headers: Record<string, string> = {};
      const auth = ch.credentials.api_key ? basicAuth(ch.credentials.api_key) : null;
      if (auth) headers.authorization = auth;
      if (ch.device_id) headers["x-device-id"] = ch.device_id;
      const q = new URLSearchParams({ phone: job.external_id, is_preview: "false" });
      res = await opts.fetch(`${base}/user/avatar?${q}`, {
        headers,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    }
  } catch (err) {
    return failure("retry", `asking for the profile picture: ${(err as Error)?.message ?? err}`);
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch { /* judged by the status */ }
  if (!res.ok) {
    // A private picture or an unknown number: nothing to show (GOWA says so
    // with a 500 and "does not have a profile picture").
    const said = JSON.stringify(body ?? "");
    if (res.status === 404 || res.status === 400 || /no(t have a)? profile picture/i.test(said)) {
      return null;
    }
    return failure("retry", `asking for the profile picture: HTTP ${res.status}`);
  }
  if (ch.provider === "evolution") {
    const p = EvolutionPicture.safeParse(body);
    return p.success ? p.data.profilePictureUrl ?? null : null;
  }
  const g = GowaAvatar.safeParse(body);
  return g.success ? g.data.results?.url ?? null : null;
}

export async function fetchAvatar(
  job: AvatarJob,
  opts: ProviderFetchOptions,
): Promise<File | null | Failure> {
  const ch = job.channel;
  if (!ch) return failure("final", "the channel is gone");
  const url = job.picture_url ?? await pictureUrl(job, ch, opts);
  if (url === null || isFailure(url)) return url;
  const verdict = await opts.guard(url);
  if (verdict) return failure("retry" in verdict ? "retry" : "final", Object.values(verdict)[0]);
  const file = await download(
    opts.fetch,
    url,
    {},
    AVATAR_MAX_BYTES,
    AbortSignal.timeout(opts.timeoutMs),
    "downloading the profile picture",
  );
  // A picture URL from a webhook expires (WhatsApp's CDN answers 403 or
  // 404); the provider is asked for a fresh one.
  if (isFailure(file) && file.kind !== "final" && job.picture_url) {
    return fetchAvatar({ ...job, picture_url: null }, opts);
  }
  if (isFailure(file)) return file;
  if (!/^image\/(jpeg|png|webp)$/.test(file.mime ?? "image/jpeg")) {
    return failure("final", `the profile picture is ${file.mime}, not an image`);
  }
  return file;
}
