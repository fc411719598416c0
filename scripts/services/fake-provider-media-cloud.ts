import { json } from "../../shared/http.ts";
import type { MediaItem, MediaStore } from "./fake-provider-media.ts";
import type { createUrlSigner } from "./fake-provider-media-signing.ts";
import type { createPhoneNumberStore } from "./fake-provider-numbers.ts";
import { graphError } from "./fake-provider-sends.ts";

// Graph's media endpoints as Meta documents them (business-phone-numbers/media):
// retrieve a media URL (GET /{media-id}), download it (a lookaside URL that
// expires after 5 minutes and wants the same Bearer token), delete it, and
// upload (POST /{phone-number-id}/media, multipart) within Meta's supported
// types and sizes. Sends by id are checked against what was uploaded.

type Numbers = ReturnType<typeof createPhoneNumberStore>;
type Signer = ReturnType<typeof createUrlSigner>;

const MB = 1024 * 1024;
// "Supported media types": the MIME types an upload may have, and their caps.
const UPLOAD_LIMITS: [string[], number][] = [
  [["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"], 16 * MB],
  [[
    "text/plain",
    "application/pdf",
    "application/vnd.ms-powerpoint",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ], 100 * MB],
  [["image/jpeg", "image/png"], 5 * MB],
  [["video/mp4", "video/3gpp"], 16 * MB],
  [["image/webp"], 500 * 1024], // animated stickers; static ones are 100 KB
];
const ALL_TYPES = UPLOAD_LIMITS.flatMap(([types]) => types);
const MEDIA_TYPES = ["image", "video", "audio", "document", "sticker"];

const required = (name: string) =>
  json(graphError(`(#100) The parameter ${name} is required.`, 100), 400);

// What Meta answers for an id the token cannot see, or that is gone.
function unsupported(id: string, verb: "get" | "delete" | "post") {
  const e = graphError(
    `Unsupported ${verb} request. Object with ID '${id}' does not exist, cannot be loaded due to ` +
      "missing permissions, or does not support this operation.",
    100,
    "GraphMethodException",
  );
  return json({ error: { ...e.error, error_subcode: 33 } }, 400);
}

const tokenOf = (headers: Headers) =>
  (headers.get("authorization") ?? "").match(/^Bearer\s+(\S+)/)?.[1];

export function createCloudMedia(store: MediaStore, numbers: Numbers, signer: Signer) {
  // null when the token may act for the number. A number nobody registered
  // takes any token, as the fake's sends do.
  function denied(
    headers: Headers,
    owner: string | undefined,
    id: string,
    verb: "get" | "delete" | "post",
  ): Response | null {
    const token = tokenOf(headers);
    if (!token) {
      return json(graphError("An access token is required to request this resource.", 190), 401);
    }
    const ownerToken = owner ? numbers.tokenOf(owner) : undefined;
    if (ownerToken === undefined || token === ownerToken) return null;
    if (!numbers.knowsToken(token)) {
      return json(graphError("Invalid OAuth access token - Cannot parse access token", 190), 401);
    }
    return unsupported(id, verb);
  }

  const cloudItem = (id: string) => {
    const m = store.byId(id);
    return m?.provider === "cloud_api" ? m : undefined;
  };

  // GET /{version}/{media-id}; null leaves the id to the phone-number route.
  async function retrieve(req: Request, url: URL, id: string): Promise<Response | null> {
    const m = cloudItem(id);
    if (!m) return null;
    const no = denied(req.headers, m.phone_number_id, id, "get");
    if (no) return no;
    const only = url.searchParams.get("phone_number_id");
    if (m.expired || (only && only !== m.phone_number_id)) return unsupported(id, "get");
    const ext = Math.floor(Date.now() / 1000) + m.url_ttl_seconds;
    const download = new URL("/whatsapp_business/attachments/", url.origin);
    download.searchParams.set("mid", m.media_id);
    download.searchParams.set("ext", String(ext));
    download.searchParams.set("hash", await signer.sign(`mid:${m.media_id}`, ext));
    return json({
      messaging_product: "whatsapp",
      url: download.toString(),
      mime_type: m.mime_type,
      sha256: m.sha256_override ?? m.sha256.hex,
      file_size: m.size,
      id: m.media_id,
    });
  }

  // The lookaside URL: Meta answers 404 for an expired (or altered) URL and
  // refuses a request without the token.
  async function download(req: Request, url: URL): Promise<Response> {
    const notFound = () => new Response("Not Found", { status: 404 });
    const mid = url.searchParams.get("mid") ?? "";
    const m = cloudItem(mid);
    const token = tokenOf(req.headers);
    const ownerToken = m?.phone_number_id ? numbers.tokenOf(m.phone_number_id) : undefined;
    if (!token || (ownerToken !== undefined && token !== ownerToken)) {
      return json(graphError("Invalid OAuth access token - Cannot parse access token", 190), 401);
    }
    const state = await signer.check(
      `mid:${mid}`,
      Number(url.searchParams.get("ext")),
      url.searchParams.get("hash"),
    );
    if (state !== "ok" || !m || m.expired) return notFound();
    return new Response(store.bytesOf(m) as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": m.mime_type, "content-length": String(m.size) },
    });
  }

  function remove(req: Request, id: string): Response {
    const m = cloudItem(id);
    const no = denied(req.headers, m?.phone_number_id, id, "delete");
    if (no) return no;
    if (!m) return unsupported(id, "delete");
    store.remove(m);
    return json({ success: true });
  }

  async function upload(req: Request, raw: Request | null, phoneNumberId: string) {
    const no = denied(req.headers, phoneNumberId, phoneNumberId, "post");
    if (no) return no;
    let form: FormData;
    try {
      form = await raw!.formData();
    } catch {
      return required("messaging_product");
    }
    if (form.get("messaging_product") !== "whatsapp") return required("messaging_product");
    const file = form.get("file");
    if (!file || typeof file === "string") return required("file");
    if (!form.get("type")) return required("type");
    // Meta goes by the file part's own type; the `type` field does not override it.
    const mime = (file.type || "application/octet-stream").split(";")[0].trim().toLowerCase();
    const limit = UPLOAD_LIMITS.find(([types]) => types.includes(mime))?.[1];
    if (limit === undefined) {
      return json(
        graphError(
          `(#100) Param file must be a file with one of the following types: ${
            ALL_TYPES.join(", ")
          }. Received file of type '${mime}'.`,
          100,
        ),
        400,
      );
    }
    if (file.size > limit) {
      const e = graphError("(#131053) Media upload error", 131053);
      return json({
        error: {
          ...e.error,
          error_data: {
            messaging_product: "whatsapp",
            details: `File of type ${mime} is ${file.size} bytes; the limit is ${limit} bytes.`,
          },
        },
      }, 400);
    }
    const item = await store.add({
      provider: "cloud_api",
      phone_number_id: phoneNumberId,
      mime_type: mime,
      file_name: file.name || undefined,
      expired: false,
      url_ttl_seconds: 300,
    }, new Uint8Array(await file.arrayBuffer()));
    return json({ id: item.media_id });
  }

  // A send naming media by id: Meta takes only ids it holds for the number.
  function checkSend(
    phoneNumberId: string,
    body: unknown,
  ): { res?: Response; media?: { id: string; sha256: string; mime_type: string; size: number } } {
    const refs = mediaRefs(body);
    let used: MediaItem | undefined;
    for (const { param, ref } of refs) {
      if (typeof ref.id !== "string") continue;
      const m = cloudItem(ref.id);
      if (!m || m.expired || m.phone_number_id !== phoneNumberId) {
        return {
          res: json(
            graphError(
              `(#100) Param ${param}['id'] is not a valid whatsapp business account media attachment ID`,
              100,
            ),
            400,
          ),
        };
      }
      used ??= m;
    }
    return used
      ? {
        media: {
          id: used.media_id,
          sha256: used.sha256.hex,
          mime_type: used.mime_type,
          size: used.size,
        },
      }
      : {};
  }

  return { retrieve, download, remove, upload, checkSend };
}

type Ref = { param: string; ref: Record<string, unknown> };

// The media objects of a Cloud API send: the message's own, or a template's
// header parameters, each with the parameter path Meta names in its errors.
export function mediaRefs(body: unknown): Ref[] {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== "object") return [];
  const type = String(b.type);
  const own = b[type];
  if (MEDIA_TYPES.includes(type) && own && typeof own === "object") {
    return [{ param: type, ref: own as Record<string, unknown> }];
  }
  if (type !== "template") return [];
  const components = (b.template as { components?: unknown[] } | undefined)?.components ?? [];
  const refs: Ref[] = [];
  components.forEach((c, ci) => {
    const params = (c as { parameters?: unknown[] })?.parameters ?? [];
    params.forEach((p, pi) => {
      const t = String((p as Record<string, unknown>)?.type);
      const ref = (p as Record<string, unknown>)?.[t];
      if (MEDIA_TYPES.includes(t) && ref && typeof ref === "object") {
        refs.push({
          param: `template['components'][${ci}]['parameters'][${pi}]['${t}']`,
          ref: ref as Record<string, unknown>,
        });
      }
    });
  });
  return refs;
}
