import { json } from "../../shared/http.ts";
import { deterministicBytes, mimeOfPath, toBase64 } from "./fake-provider-media-bytes.ts";
import type { Avatar, MediaItem, MediaStore } from "./fake-provider-media.ts";
import type { createUrlSigner } from "./fake-provider-media-signing.ts";
import { gowaError, gowaGuard } from "./fake-provider-gowa.ts";

// Media of the WhatsApp Web bridges.
// Evolution API v2: POST /chat/getBase64FromMediaMessage/{instance} as
// BaileysStartupService.getBase64FromMediaMessage answers (201, the media
// and its metadata; errors as BadRequestException through the error
// middleware), POST /chat/fetchProfilePictureUrl/{instance} as its
// profilePicture answers ({wuid, profilePictureUrl}, null when none).
// GOWA: downloads under /statics (served before its basic auth, by file
// extension), GET /user/avatar behind basic auth and X-Device-Id
// ({code, message, results: {url, id, type}}).
// Profile pictures live at pps.whatsapp.net-like URLs that expire (oe).

type Signer = ReturnType<typeof createUrlSigner>;

const evolutionError = (status: number, error: string, message: unknown) =>
  json({ status, error, response: { message } }, status);

// mime-types' extension(), which Evolution uses for the default file name
const EVOLUTION_EXT: Record<string, string> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
  "audio/ogg": "oga",
  "audio/mpeg": "mpga",
  "audio/mp4": "m4a",
  "video/mp4": "mp4",
  "application/pdf": "pdf",
  "text/plain": "txt",
};

function messageType(mime: string): string {
  if (mime === "image/webp") return "stickerMessage";
  const top = mime.split("/")[0];
  return top === "image" || top === "audio" || top === "video"
    ? `${top}Message`
    : "documentMessage";
}

const jidOf = (number: string) =>
  number.includes("@") ? number : `${number.replace(/\D/g, "")}@s.whatsapp.net`;

export function createBridgeMedia(store: MediaStore, signer: Signer) {
  function evolutionGetBase64(instance: string, headers: Headers, body: unknown): Response {
    if (!headers.get("apikey")) return json({ status: 401, error: "Unauthorized" }, 401);
    const b = body as
      | { message?: { key?: { id?: unknown } }; convertToMp4?: boolean }
      | null;
    const id = b?.message?.key?.id;
    const m = typeof id === "string" ? store.byMessage(instance, id) : undefined;
    if (!m) return evolutionError(400, "Bad Request", ["Message not found"]);
    if (m.expired) {
      // Baileys' download and its mmg.whatsapp.net fallback both fail.
      return evolutionError(400, "Bad Request", [
        `Error: Failed to fetch stream from https://mmg.whatsapp.net/v/t62.7118-24/${m.media_id}.enc`,
      ]);
    }
    const type = messageType(m.mime_type);
    // The fake cannot transcode: the bytes stay, the type says mp4 as Evolution's would.
    const mp4 = b?.convertToMp4 === true && type === "audioMessage";
    return json({
      mediaType: type,
      fileName: m.file_name ?? `${m.message_id}.${EVOLUTION_EXT[m.mime_type] ?? "bin"}`,
      caption: m.caption,
      size: { fileLength: String(m.size) },
      mimetype: mp4 ? "audio/mp4" : m.mime_type,
      base64: toBase64(store.bytesOf(m)),
      buffer: null,
    }, 201);
  }

  async function avatarUrl(origin: string, a: Avatar): Promise<string> {
    const oe = Math.floor(Date.now() / 1000) + a.url_ttl_seconds;
    const u = new URL(`/v/t61.24694-24/${a.avatar_id}_n.jpg`, origin);
    u.searchParams.set("ccb", "11-4");
    u.searchParams.set("oh", await signer.sign(`avatar:${a.avatar_id}`, oe));
    u.searchParams.set("oe", oe.toString(16).toUpperCase());
    u.searchParams.set("_nc_cat", "1");
    return u.toString();
  }

  async function evolutionProfilePicture(
    instance: string,
    headers: Headers,
    body: unknown,
    origin: string,
  ): Promise<Response> {
    if (!headers.get("apikey")) return json({ status: 401, error: "Unauthorized" }, 401);
    const number = (body as { number?: unknown } | null)?.number;
    if (typeof number !== "string" || !number) {
      return evolutionError(400, "Bad Request", ["The parameter number is required."]);
    }
    const a = store.avatarFor("evolution", instance, number);
    return json({
      wuid: jidOf(number),
      profilePictureUrl: a.absent ? null : await avatarUrl(origin, a),
    });
  }

  // GET /v/t61.24694-24/{id}_n.jpg?oh=&oe=: the CDN answers 403 past oe.
  async function avatarFile(url: URL): Promise<Response> {
    const id = url.pathname.match(/^\/v\/t61\.24694-24\/([^/]+)_n\.jpg$/)?.[1] ?? "";
    const a = store.avatarById(id);
    const oe = parseInt(url.searchParams.get("oe") ?? "", 16);
    const state = await signer.check(`avatar:${id}`, oe, url.searchParams.get("oh"));
    if (state === "expired") return new Response("URL signature expired", { status: 403 });
    if (state === "invalid" || !a || a.absent) {
      return new Response("Bad URL hash", { status: 403 });
    }
    return new Response(
      deterministicBytes(`avatar:${id}`, a.size, a.mime_type) as Uint8Array<ArrayBuffer>,
      {
        headers: { "content-type": a.mime_type, "content-length": String(a.size) },
      },
    );
  }

  // Fiber's static handler: the file or 404, typed by its extension.
  function gowaStatic(path: string, method: string): Response {
    const m: MediaItem | undefined = store.byPath(path.replace(/^\//, ""));
    if (!m || m.expired) return new Response(`Cannot ${method} ${path}`, { status: 404 });
    const headers = {
      "content-type": mimeOfPath(m.path!) === "application/octet-stream"
        ? m.mime_type
        : mimeOfPath(m.path!),
      "content-length": String(m.size),
    };
    return new Response(
      method === "HEAD" ? null : store.bytesOf(m) as Uint8Array<ArrayBuffer>,
      { headers },
    );
  }

  async function gowaAvatar(headers: Headers, url: URL): Promise<Response> {
    const guard = gowaGuard(headers);
    if ("res" in guard) return guard.res;
    const phone = url.searchParams.get("phone")?.trim() ?? "";
    if (!phone) return gowaError(400, "VALIDATION_ERROR", "phone: cannot be blank.");
    const a = store.avatarFor("whatsmeow", guard.device, phone);
    if (a.absent) {
      // whatsmeow's ErrProfilePictureNotSet, through GOWA's recovery middleware
      return gowaError(
        500,
        "INTERNAL_SERVER_ERROR",
        "that user or group does not have a profile picture",
      );
    }
    const preview = url.searchParams.get("is_preview") === "true";
    return json({
      code: "SUCCESS",
      message: "Success get avatar",
      results: {
        url: await avatarUrl(url.origin, a),
        id: a.avatar_id,
        type: preview ? "preview" : "image",
      },
    });
  }

  return { evolutionGetBase64, evolutionProfilePicture, avatarFile, gowaStatic, gowaAvatar };
}
