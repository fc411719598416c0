import { z } from "zod";
import type { TemplateToSend } from "./types.ts";

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
