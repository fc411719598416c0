import { z } from "zod";
import {
  type Answer,
  classify,
  excerpt,
  failed,
  isOutcome,
  malformedSuccess,
  request,
} from "./http-outcome.ts";
import { renderTemplateBody } from "./template-text.ts";
import type { ChannelTarget, Fetch, OutboundMessage, SendError, SendOutcome } from "./types.ts";

// A whatsmeow bridge in the style of WhatsHooked. Its send API could not be
// checked against the project's source, so this targets one generic endpoint
// that such bridges expose and the fake provider implements:
//   POST {api_base_url}/api/send   Authorization: Bearer {api_key}
//   {account_id, to, type, text?, media_url?, caption?, filename?, mime_type?,
//    latitude?, longitude?, reply_to?}  ->  {message_id} (some builds: {id})
// A bridge with another shape needs an adapter here, not in the dispatcher.

export type WhatsmeowOptions = { fetch?: Fetch };

export type WhatsmeowClient = {
  send(channel: ChannelTarget, msg: OutboundMessage, signal?: AbortSignal): Promise<SendOutcome>;
};

const SendAnswer = z.looseObject({
  message_id: z.string().min(1).optional(),
  id: z.string().min(1).optional(),
}).transform((a) => a.message_id ?? a.id).pipe(z.string());

const BridgeError = z.looseObject({
  error: z.union([z.string(), z.looseObject({ message: z.string() })]).optional(),
  message: z.string().optional(),
});

function payload(msg: OutboundMessage): Record<string, unknown> | string {
  switch (msg.type) {
    case "text":
      if (!msg.content) return "a text message needs content";
      return { type: "text", text: msg.content };
    case "template": {
      const text = msg.template ? renderTemplateBody(msg.template) : "";
      if (!text) return "the template has no BODY text to send";
      return { type: "text", text };
    }
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker": {
      if (!msg.media_url) return `a ${msg.type} message needs media_url`;
      const body: Record<string, unknown> = { type: msg.type, media_url: msg.media_url };
      if (msg.content && msg.type !== "audio" && msg.type !== "sticker") body.caption = msg.content;
      if (msg.media_filename) body.filename = msg.media_filename;
      if (msg.media_mime_type) body.mime_type = msg.media_mime_type;
      return body;
    }
    case "location":
      if (!msg.location) return "a location message needs a location";
      return {
        type: "location",
        latitude: msg.location.latitude,
        longitude: msg.location.longitude,
      };
    default:
      return `messages of type ${msg.type} cannot be sent through the whatsmeow bridge`;
  }
}

export function bridgeSendError(answer: Answer): SendError {
  const parsed = BridgeError.safeParse(answer.body);
  const e = parsed.success ? parsed.data : {};
  const message = typeof e.error === "string" ? e.error : e.error?.message ?? e.message;
  // A bridge's own codes are not Meta's: classifying them as such could read
  // an unrelated 4 as a rate limit, so only the HTTP status decides.
  return {
    code: null,
    title: null,
    message: message || excerpt(answer),
    http_status: answer.res.status,
    details: parsed.success ? parsed.data : undefined,
  };
}

export function createWhatsmeowClient(opts: WhatsmeowOptions = {}): WhatsmeowClient {
  const fetch = opts.fetch ?? globalThis.fetch;

  async function send(
    channel: ChannelTarget,
    msg: OutboundMessage,
    signal?: AbortSignal,
  ): Promise<SendOutcome> {
    const apiKey = channel.credentials.api_key;
    if (!channel.api_base_url) return failed("the channel has no api_base_url");
    if (!channel.device_id) return failed("the channel has no device_id");
    if (!apiKey) return failed("the channel has no api_key");
    const p = payload(msg);
    if (typeof p === "string") return failed(p);

    const body = {
      account_id: channel.device_id,
      to: msg.recipient,
      ...p,
      ...(msg.quoted_provider_message_id ? { reply_to: msg.quoted_provider_message_id } : {}),
    };
    const answer = await request(fetch, `${channel.api_base_url.replace(/\/+$/, "")}/api/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    if (isOutcome(answer)) return answer;
    if (!answer.res.ok) return classify(answer.res, bridgeSendError(answer));
    const ok = SendAnswer.safeParse(answer.body);
    if (!ok.success) return malformedSuccess(answer, "expected message_id");
    return { kind: "sent", providerMessageId: ok.data };
  }

  return { send };
}
