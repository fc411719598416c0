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
import { renderTemplateBody, templateAsMedia } from "./template-text.ts";
import type { ChannelTarget, Fetch, OutboundMessage, SendError, SendOutcome } from "./types.ts";

// Evolution API v2 (Baileys): one endpoint per kind of message, authenticated
// by the instance's apikey header.

export type EvolutionOptions = { fetch?: Fetch };

export type EvolutionClient = {
  send(channel: ChannelTarget, msg: OutboundMessage, signal?: AbortSignal): Promise<SendOutcome>;
};

const SendAnswer = z.looseObject({ key: z.looseObject({ id: z.string().min(1) }) });

const EvolutionError = z.looseObject({
  status: z.number().optional(),
  error: z.string().optional(),
  response: z.looseObject({ message: z.unknown() }).optional(),
});

type Call = { endpoint: string; body: Record<string, unknown> } | string;

function call(msg: OutboundMessage): Call {
  const number = msg.recipient;
  // Every v2 send body accepts `quoted`; reactions name their target in `key` instead.
  const quoted = msg.quoted_provider_message_id
    ? { quoted: { key: { id: msg.quoted_provider_message_id } } }
    : {};
  switch (msg.type) {
    case "text":
      if (!msg.content) return "a text message needs content";
      return { endpoint: "sendText", body: { number, text: msg.content, ...quoted } };
    case "template": {
      const media = templateAsMedia(msg);
      if (media) return call(media);
      const text = msg.template ? renderTemplateBody(msg.template) : "";
      if (!text) return "the template has no BODY text to send";
      return { endpoint: "sendText", body: { number, text, ...quoted } };
    }
    case "image":
    case "video":
    case "audio":
    case "document": {
      // Evolution takes a URL or base64; a Cloud API media id means nothing to it.
      if (!msg.media_url) return `a ${msg.type} message needs media_url`;
      const body: Record<string, unknown> = { number, mediatype: msg.type, media: msg.media_url };
      if (msg.content && msg.type !== "audio") body.caption = msg.content;
      if (msg.media_filename) body.fileName = msg.media_filename;
      if (msg.media_mime_type) body.mimetype = msg.media_mime_type;
      return { endpoint: "sendMedia", body: { ...body, ...quoted } };
    }
    case "sticker":
      if (!msg.media_url) return "a sticker message needs media_url";
      return { endpoint: "sendSticker", body: { number, sticker: msg.media_url, ...quoted } };
    case "location": {
      if (!msg.location) return "a location message needs a location";
      const { latitude, longitude, name, address } = msg.location;
      // v2's schema requires name and address as strings.
      return {
        endpoint: "sendLocation",
        body: { number, latitude, longitude, name: name ?? "", address: address ?? "", ...quoted },
      };
    }
    case "reaction":
      if (!msg.reaction_target_id || msg.reaction_emoji === null) {
        return "a reaction needs reaction_target_id and reaction_emoji";
      }
      return {
        endpoint: "sendReaction",
        body: {
          key: { remoteJid: number, fromMe: true, id: msg.reaction_target_id },
          reaction: msg.reaction_emoji,
        },
      };
    default:
      return `messages of type ${msg.type} cannot be sent through Evolution`;
  }
}

export function evolutionSendError(answer: Answer): SendError {
  const parsed = EvolutionError.safeParse(answer.body);
  const raw = parsed.success ? parsed.data.response?.message : undefined;
  const items = raw === undefined ? [] : (Array.isArray(raw) ? raw.flat() : [raw]);
  const joined = items.map((m) => typeof m === "string" ? m : JSON.stringify(m)).join("; ");
  return {
    code: null,
    title: parsed.success ? parsed.data.error ?? null : null,
    message: joined || excerpt(answer),
    http_status: answer.res.status,
    details: parsed.success ? parsed.data.response : undefined,
  };
}

export function createEvolutionClient(opts: EvolutionOptions = {}): EvolutionClient {
  const fetch = opts.fetch ?? globalThis.fetch;

  async function send(
    channel: ChannelTarget,
    msg: OutboundMessage,
    signal?: AbortSignal,
  ): Promise<SendOutcome> {
    const apiKey = channel.credentials.api_key;
    if (!channel.api_base_url) return failed("the channel has no api_base_url");
    if (!channel.instance_name) return failed("the channel has no instance_name");
    if (!apiKey) return failed("the channel has no api_key");
    const c = call(msg);
    if (typeof c === "string") return failed(c);

    const base = channel.api_base_url.replace(/\/+$/, "");
    const url = `${base}/message/${c.endpoint}/${encodeURIComponent(channel.instance_name)}`;
    const answer = await request(fetch, url, {
      method: "POST",
      headers: { apikey: apiKey, "content-type": "application/json" },
      body: JSON.stringify(c.body),
      signal,
    });
    if (isOutcome(answer)) return answer;
    if (!answer.res.ok) return classify(answer.res, evolutionSendError(answer));
    const ok = SendAnswer.safeParse(answer.body);
    if (!ok.success) return malformedSuccess(answer, "expected key.id");
    return { kind: "sent", providerMessageId: ok.data.key.id };
  }

  return { send };
}
