import { z } from "zod";
import type { OutboundMessage, TemplateToSend } from "./types.ts";

// Providers without Meta templates (Evolution, whatsmeow bridges) get the
// template's body as plain text, with its placeholders filled in.

const TextComponent = z.looseObject({ type: z.string(), text: z.string() });

export function renderTemplateBody(template: TemplateToSend): string {
  const body = template.components
    .map((c) => TextComponent.safeParse(c))
    .find((r) => r.success && r.data.type.toUpperCase() === "BODY");
  if (!body?.success) return "";
  const params = template.params.body;
  return body.data.text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (placeholder, key: string) => {
    const value = Array.isArray(params)
      ? (/^\d+$/.test(key) ? params[Number(key) - 1] : undefined)
      : params?.[key];
    // The database checked the parameters; a gap left visible beats a guess.
    return value ?? placeholder;
  });
}

// A template's image, video or document header, for providers without
// templates: they send it as that media with the body as caption, so the
// file (an invoice's PDF) reaches the client as it would on the Cloud API.
// The file is the message's own (a stored file, already made a URL) or the
// header's link.
export function templateAsMedia(msg: OutboundMessage): OutboundMessage | null {
  const header = msg.template?.params.header;
  if (!header || Array.isArray(header)) return null;
  const url = msg.media_url ?? header.link ?? null;
  if (!url) return null;
  return {
    ...msg,
    type: header.type,
    media_url: url,
    media_filename: header.filename ?? msg.media_filename,
    content: renderTemplateBody(msg.template!) || null,
    template: null,
  };
}
