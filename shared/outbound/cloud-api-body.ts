import type { OutboundMessage, TemplateToSend } from "./types.ts";

// The JSON body of a Cloud API send (POST /{phone_number_id}/messages).

export type Built = { ok: true; body: Record<string, unknown> } | { ok: false; message: string };

type Json = Record<string, unknown>;

// Meta rejects explicit nulls in places where it accepts an absent field.
function compact(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

const URL_IN_TEXT = /https?:\/\/\S/i;

function content(msg: OutboundMessage): Json | string {
  switch (msg.type) {
    case "text":
      if (!msg.content) return "a text message needs content";
      return { body: msg.content, preview_url: URL_IN_TEXT.test(msg.content) };
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker": {
      if (!msg.media_url && !msg.media_id) {
        return `a ${msg.type} message needs media_url or media_id`;
      }
      const captioned = msg.type !== "audio" && msg.type !== "sticker";
      return compact({
        // A link is fetched by Meta on each send; an uploaded id is preferred when both exist.
        ...(msg.media_id ? { id: msg.media_id } : { link: msg.media_url }),
        caption: captioned ? msg.content : null,
        filename: msg.type === "document" ? msg.media_filename : null,
      });
    }
    case "location":
      if (!msg.location) return "a location message needs a location";
      return compact({ ...msg.location });
    case "reaction":
      // An empty emoji is how Meta removes a reaction, so only null is missing.
      if (!msg.reaction_target_id || msg.reaction_emoji === null) {
        return "a reaction needs reaction_target_id and reaction_emoji";
      }
      return { message_id: msg.reaction_target_id, emoji: msg.reaction_emoji };
    case "interactive":
      if (msg.interactive === null || typeof msg.interactive !== "object") {
        return "an interactive message needs its interactive object";
      }
      return msg.interactive as Json;
    case "template":
      if (!msg.template) return "a template message needs its template";
      return templatePayload(msg.template, msg);
    default:
      return `messages of type ${msg.type} cannot be sent through the Cloud API`;
  }
}

export function cloudApiBody(msg: OutboundMessage): Built {
  const c = content(msg);
  if (typeof c === "string") return { ok: false, message: c };
  return {
    ok: true,
    body: {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: msg.recipient,
      type: msg.type,
      [msg.type]: c,
      ...(msg.quoted_provider_message_id
        ? { context: { message_id: msg.quoted_provider_message_id } }
        : {}),
    },
  };
}

const text = (t: string) => ({ type: "text", text: t });

// A media header without a link is the message's stored file: uploaded to
// Meta (media_id) or a signed URL by then (shared/outbound/stored-media.ts).
export function templatePayload(
  t: TemplateToSend,
  file: Pick<OutboundMessage, "media_id" | "media_url"> = { media_id: null, media_url: null },
): Json {
  const components: Json[] = [];
  const { header, body, buttons } = t.params;
  if (Array.isArray(header)) {
    if (header.length) components.push({ type: "header", parameters: header.map(text) });
  } else if (header) {
    const media = compact({
      ...(header.link
        ? { link: header.link }
        : file.media_id
        ? { id: file.media_id }
        : { link: file.media_url }),
      filename: header.type === "document" ? header.filename : null,
    });
    components.push({ type: "header", parameters: [{ type: header.type, [header.type]: media }] });
  }
  const bodyParams = Array.isArray(body)
    ? body.map(text)
    : Object.entries(body ?? {}).map(([name, value]) => ({ ...text(value), parameter_name: name }));
  if (bodyParams.length) components.push({ type: "body", parameters: bodyParams });
  const indexes = Object.keys(buttons ?? {}).sort((a, b) => Number(a) - Number(b));
  for (const index of indexes) {
    components.push({
      type: "button",
      sub_type: "url",
      index: String(index),
      parameters: [text(buttons![index])],
    });
  }
  return compact({
    name: t.name,
    language: { code: t.language },
    components: components.length ? components : null,
  });
}
