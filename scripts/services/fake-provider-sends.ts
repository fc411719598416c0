import { z } from "zod";
import { json } from "../../shared/http.ts";

// The fake's send endpoints: Meta Cloud API and Evolution API v2 (GOWA's
// are in fake-provider-gowa.ts). Each checks a request about as strictly as the real
// provider would, so a client that builds a wrong body fails in tests.

export type SendResult = { res: Response; sent?: { id: string; to: string } };

export const graphError = (message: string, code: number, type = "OAuthException") => ({
  error: { message, type, code, fbtrace_id: crypto.randomUUID().replace(/-/g, "").slice(0, 22) },
});

export function randomId(prefix: string, bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return prefix + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("").toUpperCase();
}

export function bearer(headers: Headers): boolean {
  return /^Bearer\s+\S+/.test(headers.get("authorization") ?? "");
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const key of path) v = (v as Record<PropertyKey, unknown> | null)?.[key];
  return v;
}

// Meta's wording: "The parameter x is required." for absent fields.
function describeIssue(issue: z.core.$ZodIssue, input: unknown, prefix: string[] = []): string {
  const path = [...prefix, ...issue.path.map(String)].join(".") || "body";
  if (issue.code === "custom") return `Param ${path}: ${issue.message}`;
  return valueAt(input, issue.path) === undefined
    ? `The parameter ${path} is required.`
    : `Param ${path} is invalid: ${issue.message}`;
}

// ---- Meta Cloud API ----

const CLOUD_TYPES = [
  "text",
  "image",
  "video",
  "audio",
  "document",
  "sticker",
  "location",
  "reaction",
  "interactive",
  "template",
] as const;

const CloudEnvelope = z.looseObject({
  messaging_product: z.literal("whatsapp"),
  to: z.string().min(1),
  type: z.enum(CLOUD_TYPES),
});

const CloudMedia = z.looseObject({
  link: z.string().min(1).optional(),
  id: z.string().min(1).optional(),
}).refine((m) => m.link || m.id, { message: "one of link or id is required" });

const CloudContent: Record<(typeof CLOUD_TYPES)[number], z.ZodType> = {
  text: z.looseObject({ body: z.string().min(1) }),
  image: CloudMedia,
  video: CloudMedia,
  audio: CloudMedia,
  document: CloudMedia,
  sticker: CloudMedia,
  location: z.looseObject({ latitude: z.number(), longitude: z.number() }),
  reaction: z.looseObject({ message_id: z.string().min(1), emoji: z.string() }),
  interactive: z.looseObject({}),
  template: z.looseObject({
    name: z.string().min(1),
    language: z.looseObject({ code: z.string().min(1) }),
  }),
};

export function cloudSend(phoneNumberId: string, headers: Headers, body: unknown): SendResult {
  if (!bearer(headers)) return { res: json(graphError("An access token is required", 190), 401) };
  const invalid = (issue: z.core.$ZodIssue, input: unknown, prefix: string[] = []) => ({
    res: json(graphError(`(#100) ${describeIssue(issue, input, prefix)}`, 100), 400),
  });
  const envelope = CloudEnvelope.safeParse(body);
  if (!envelope.success) return invalid(envelope.error.issues[0], body);
  const { to, type } = envelope.data;
  const content = CloudContent[type].safeParse(envelope.data[type]);
  if (!content.success) return invalid(content.error.issues[0], envelope.data[type], [type]);

  const wamid = "wamid." + btoa(`${phoneNumberId}:${to}:${randomId("", 12)}`);
  return {
    res: json({
      messaging_product: "whatsapp",
      contacts: [{ input: to, wa_id: to.replace(/^\+/, "") }],
      messages: [{ id: wamid }],
    }),
    sent: { id: wamid, to },
  };
}

// ---- Evolution API v2 ----

const number = z.string().min(1);
const EvolutionBodies: Record<string, z.ZodType> = {
  sendText: z.looseObject({ number, text: z.string() }),
  sendMedia: z.looseObject({
    number,
    mediatype: z.enum(["image", "video", "audio", "document"]),
    media: z.string().min(1),
  }),
  sendLocation: z.looseObject({ number, latitude: z.number(), longitude: z.number() }),
  sendReaction: z.looseObject({
    key: z.looseObject({
      remoteJid: z.string().min(1),
      fromMe: z.boolean(),
      id: z.string().min(1),
    }),
    reaction: z.string(),
  }),
  sendSticker: z.looseObject({ number, sticker: z.string().min(1) }),
};
export const EVOLUTION_ENDPOINTS = Object.keys(EvolutionBodies);

const messageTypes: Record<string, string> = {
  sendText: "extendedTextMessage",
  sendLocation: "locationMessage",
  sendReaction: "reactionMessage",
  sendSticker: "stickerMessage",
};

export function evolutionSend(
  endpoint: string,
  instance: string,
  headers: Headers,
  body: unknown,
): SendResult {
  if (!headers.get("apikey")) return { res: json({ status: 401, error: "Unauthorized" }, 401) };
  const r = EvolutionBodies[endpoint].safeParse(body);
  if (!r.success) {
    const message = r.error.issues.map((i) => describeIssue(i, body));
    return { res: json({ status: 400, error: "Bad Request", response: { message } }, 400) };
  }
  const b = r.data as Record<string, unknown>;
  const target = endpoint === "sendReaction"
    ? (b.key as { remoteJid: string }).remoteJid
    : b.number as string;
  const remoteJid = target.includes("@") ? target : `${target.replace(/\D/g, "")}@s.whatsapp.net`;
  const messageType = messageTypes[endpoint] ?? `${b.mediatype}Message`;
  const { number: _n, ...content } = b;
  const id = randomId("BAE5", 6);
  return {
    res: json({
      key: { remoteJid, fromMe: true, id },
      pushName: "",
      message: endpoint === "sendText" ? { extendedTextMessage: { text: b.text } } : {
        [messageType]: content,
      },
      messageType,
      messageTimestamp: Math.floor(Date.now() / 1000),
      instanceId: instance,
      status: "PENDING",
    }, 201),
    sent: { id, to: remoteJid },
  };
}
