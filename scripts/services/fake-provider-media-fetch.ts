import { json } from "../../shared/http.ts";
import type { Fetch } from "../../shared/outbound/types.ts";
import { sha256Of } from "./fake-provider-media-bytes.ts";
import { mediaRefs } from "./fake-provider-media-cloud.ts";
import { graphError } from "./fake-provider-sends.ts";

// A send that names its media by URL makes the real provider download it
// before (Evolution, GOWA) or while (Meta) sending. The fake downloads it
// too, records what it got, and fails the send the way each provider fails:
// Meta with 131053 "Media upload error" (the fake answers the send with it
// instead of a later failed status), Evolution with its
// InternalServerErrorException (500), GOWA with INTERNAL_SERVER_ERROR (500,
// "failed to download image from URL …", from utils.Download*FromURL).

export type MediaFetchRecord = {
  url_host_path: string;
  status: number; // 0: no answer (refused, timed out)
  bytes: number;
  sha256: string | null;
  content_type: string | null;
  error?: string;
};

type Kind =
  | { provider: "cloud_api" }
  | { provider: "evolution" }
  | { provider: "whatsmeow"; noun: string; colon: boolean; image: boolean };

// GOWA's wording differs per endpoint ("from URL %v" vs "from URL: %v").
const GOWA: Record<string, { field: string; noun: string; colon: boolean; image: boolean }> = {
  "/send/image": { field: "image_url", noun: "image", colon: false, image: true },
  "/send/video": { field: "video_url", noun: "video", colon: false, image: false },
  "/send/audio": { field: "audio_url", noun: "audio", colon: false, image: false },
  "/send/file": { field: "file_url", noun: "file", colon: true, image: false },
  "/send/sticker": { field: "sticker_url", noun: "sticker", colon: true, image: true },
};

const isUrl = (v: unknown): v is string => typeof v === "string" && /^https?:\/\//i.test(v);

export function outboundMediaUrl(path: string, body: unknown): { url: string; kind: Kind } | null {
  const b = (body ?? {}) as Record<string, unknown>;
  if (/^\/v\d+\.\d+\/[^/]+\/messages$/.test(path)) {
    const link = mediaRefs(body).map((r) => r.ref.link).find(isUrl);
    return link ? { url: link, kind: { provider: "cloud_api" } } : null;
  }
  const evo = path.match(/^\/message\/(sendMedia|sendSticker)\//);
  if (evo) {
    const v = evo[1] === "sendMedia" ? b.media : b.sticker;
    return isUrl(v) ? { url: v, kind: { provider: "evolution" } } : null;
  }
  const g = GOWA[path];
  if (g && isUrl(b[g.field])) {
    return { url: b[g.field] as string, kind: { provider: "whatsmeow", ...g } };
  }
  return null;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  410: "Gone",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export async function fetchMedia(
  fetch: Fetch,
  url: string,
  timeoutMs: number,
): Promise<MediaFetchRecord> {
  const u = new URL(url);
  const record: MediaFetchRecord = {
    url_host_path: u.host + u.pathname, // the query of a signed URL is a secret
    status: 0,
    bytes: 0,
    sha256: null,
    content_type: null,
  };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    record.status = res.status;
    record.content_type = res.headers.get("content-type");
    const bytes = new Uint8Array(await res.arrayBuffer());
    record.bytes = bytes.length;
    if (res.ok) record.sha256 = (await sha256Of(bytes)).hex;
  } catch (err) {
    record.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  return record;
}

// The provider's answer to a send whose media could not be fetched, or null.
export function fetchFailure(kind: Kind, r: MediaFetchRecord): Response | null {
  const reason = r.status ? `${r.status} ${REASONS[r.status] ?? ""}`.trim() : null;
  switch (kind.provider) {
    case "cloud_api": {
      if (r.status >= 200 && r.status < 300) return null;
      const e = graphError("(#131053) Media upload error", 131053);
      const details = reason
        ? `Downloading media from weblink failed with http code ${r.status}, status message ${
          REASONS[r.status] ?? ""
        }`.trim()
        : "Downloading media from weblink failed: no response";
      return json(
        { error: { ...e.error, error_data: { messaging_product: "whatsapp", details } } },
        400,
      );
    }
    case "evolution": {
      if (r.status >= 200 && r.status < 300) return null;
      const message = reason
        ? `AxiosError: Request failed with status code ${r.status}`
        : `AxiosError: ${r.error ?? "network error"}`;
      return json(
        { status: 500, error: "Internal Server Error", response: { message: [message] } },
        500,
      );
    }
    case "whatsmeow": {
      let why: string | null = null;
      if (r.status !== 200) {
        why = reason ? `HTTP request failed with status: ${reason}` : (r.error ?? "network error");
      } else if (kind.image && !(r.content_type ?? "").startsWith("image/")) {
        why = `invalid content type: ${r.content_type ?? ""}`;
      }
      if (!why) return null;
      const message = `failed to download ${kind.noun} from URL${kind.colon ? ":" : ""} ${why}`;
      return json({ code: "INTERNAL_SERVER_ERROR", message }, 500);
    }
  }
}
