import { z } from "zod";
import { json } from "../../shared/http.ts";
import {
  deterministicBytes,
  extensionOf,
  fromBase64,
  sha256Of,
} from "./fake-provider-media-bytes.ts";
import { randomId } from "./fake-provider-sends.ts";

// The fake's media: files a test registers (inbound media a provider would
// hold for a message) or a client uploads (Cloud API), each reachable the
// way its provider reaches it: a Graph media id, an Evolution message key
// id, a GOWA statics path. Content is generated from the id unless given.

export const MediaSpec = z.object({
  provider: z.enum(["cloud_api", "evolution", "whatsmeow"]),
  phone_number_id: z.string().min(1).optional(),
  device_id: z.string().min(1).optional(),
  instance: z.string().min(1).optional(),
  media_id: z.string().min(1).optional(),
  message_id: z.string().min(1).optional(),
  path: z.string().regex(/^statics\/[\w.\/-]+$/, "a path under statics/").optional(),
  mime_type: z.string().min(1),
  size: z.number().int().min(0).max(2 ** 31).optional(),
  base64: z.string().optional(),
  sha256_override: z.string().min(1).optional(),
  expired: z.boolean().default(false),
  url_ttl_seconds: z.number().int().min(0).default(300),
  file_name: z.string().min(1).optional(),
  caption: z.string().optional(),
})
  .refine((m) => (m.size === undefined) !== (m.base64 === undefined), {
    message: "give exactly one of size or base64",
  })
  .refine((m) => m.provider !== "cloud_api" || m.phone_number_id, {
    message: "cloud_api media needs phone_number_id",
  })
  .refine((m) => m.provider !== "evolution" || m.instance, {
    message: "evolution media needs instance",
  });
type MediaSpec = z.infer<typeof MediaSpec>;

export type MediaItem = Omit<MediaSpec, "base64" | "size"> & {
  media_id: string;
  size: number;
  bytes?: Uint8Array;
  sha256: { hex: string; base64: string };
  deleted?: boolean;
};

export const AvatarSpec = z.object({
  provider: z.enum(["evolution", "whatsmeow"]),
  instance: z.string().min(1).optional(),
  device_id: z.string().min(1).optional(),
  number: z.string().min(1),
  size: z.number().int().min(1).max(5_000_000).default(4096),
  mime_type: z.string().default("image/jpeg"),
  // the contact shows no picture (or hides it)
  absent: z.boolean().default(false),
  url_ttl_seconds: z.number().int().min(0).default(3600),
});
export type Avatar = z.infer<typeof AvatarSpec> & { avatar_id: string };

const digits = (n: number) =>
  Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join("");
const phoneDigits = (number: string) => number.split("@")[0].replace(/\D/g, "");

export function createMediaStore() {
  const byId = new Map<string, MediaItem>();
  const byMessage = new Map<string, MediaItem>(); // instance \0 key id
  const byPath = new Map<string, MediaItem>();
  const avatars = new Map<string, Avatar>(); // provider:scope:digits
  const avatarsById = new Map<string, Avatar>();

  const bytesOf = (m: MediaItem) => m.bytes ?? deterministicBytes(m.media_id, m.size, m.mime_type);

  async function add(spec: MediaSpec, bytes?: Uint8Array): Promise<MediaItem> {
    const media_id = spec.media_id ?? digits(16); // Graph ids are long decimal numbers
    const content = bytes ?? (spec.base64 !== undefined ? fromBase64(spec.base64) : undefined);
    const size = content?.length ?? spec.size!;
    const { base64: _b, size: _s, ...rest } = spec;
    const item: MediaItem = {
      ...rest,
      media_id,
      size,
      bytes: content,
      sha256: await sha256Of(content ?? deterministicBytes(media_id, size, spec.mime_type)),
    };
    if (spec.provider === "evolution") {
      item.message_id ??= randomId("3EB0", 10);
      byMessage.set(`${spec.instance}\0${item.message_id}`, item);
    }
    if (spec.provider === "whatsmeow") {
      // GOWA names downloads statics/media/<unix>-<uuid><ext> (utils.ExtractMedia)
      item.path ??= `statics/media/${Math.floor(Date.now() / 1000)}-${crypto.randomUUID()}${
        extensionOf(spec.mime_type)
      }`;
      byPath.set(item.path, item);
    }
    byId.set(media_id, item);
    return item;
  }

  function avatarKey(provider: string, scope: string | undefined, number: string) {
    return `${provider}:${scope ?? ""}:${phoneDigits(number)}`;
  }

  // A contact nobody registered still has a picture: the same one each time.
  function avatarFor(
    provider: "evolution" | "whatsmeow",
    scope: string | undefined,
    number: string,
  ) {
    const key = avatarKey(provider, scope, number);
    let a = avatars.get(key);
    if (!a) {
      a = {
        ...AvatarSpec.parse({ provider, number }),
        instance: provider === "evolution" ? scope : undefined,
        device_id: provider === "whatsmeow" ? scope : undefined,
        avatar_id: `${phoneDigits(number) || "0"}${digits(4)}`,
      };
      avatars.set(key, a);
      avatarsById.set(a.avatar_id, a);
    }
    return a;
  }

  async function admin(req: Request, url: URL): Promise<Response | null> {
    const route = `${req.method} ${url.pathname}`;
    const body = async () => await req.json().catch(() => null);
    switch (route) {
      case "POST /__fake/media": {
        const m = MediaSpec.safeParse(await body());
        if (!m.success) return json({ error: z.prettifyError(m.error) }, 400);
        const item = await add(m.data);
        return json(describe(item, url.origin), 201);
      }
      case "DELETE /__fake/media":
        byId.clear();
        byMessage.clear();
        byPath.clear();
        return json({ cleared: true });
      case "POST /__fake/avatars": {
        const a = AvatarSpec.safeParse(await body());
        if (!a.success) return json({ error: z.prettifyError(a.error) }, 400);
        const scope = a.data.provider === "evolution" ? a.data.instance : a.data.device_id;
        const avatar = { ...a.data, avatar_id: `${phoneDigits(a.data.number) || "0"}${digits(4)}` };
        const key = avatarKey(a.data.provider, scope, a.data.number);
        const old = avatars.get(key);
        if (old) avatarsById.delete(old.avatar_id);
        avatars.set(key, avatar);
        avatarsById.set(avatar.avatar_id, avatar);
        return json(avatar, 201);
      }
      case "DELETE /__fake/avatars":
        avatars.clear();
        avatarsById.clear();
        return json({ cleared: true });
    }
    return null;
  }

  return {
    add,
    admin,
    bytesOf,
    byId: (id: string) => byId.get(id),
    byMessage: (instance: string, id: string) => byMessage.get(`${instance}\0${id}`),
    byPath: (path: string) => byPath.get(path),
    remove(item: MediaItem) {
      item.deleted = true;
      byId.delete(item.media_id);
    },
    avatarFor,
    avatarById: (id: string) => avatarsById.get(id),
  };
}
export type MediaStore = ReturnType<typeof createMediaStore>;

// What a test needs to build the provider's webhook for this file.
function describe(m: MediaItem, origin: string) {
  return {
    provider: m.provider,
    media_id: m.media_id,
    mime_type: m.mime_type,
    size: m.size,
    sha256: m.sha256,
    ...(m.sha256_override ? { claimed_sha256: m.sha256_override } : {}),
    ...(m.phone_number_id ? { phone_number_id: m.phone_number_id } : {}),
    ...(m.instance ? { instance: m.instance, message_id: m.message_id } : {}),
    ...(m.device_id ? { device_id: m.device_id } : {}),
    ...(m.path ? { path: m.path, url: `${origin}/${m.path}` } : {}),
    expired: m.expired,
  };
}
