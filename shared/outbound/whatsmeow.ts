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

// A whatsmeow bridge: go-whatsapp-web-multidevice (GOWA), through the REST
// API its docs/openapi.yaml describes. One endpoint per kind of message;
// text, location and reactions take JSON, media multipart/form-data with a
// URL the bridge downloads (image_url, video_url, audio_url, file_url,
// sticker_url). The device is named by the X-Device-Id header (the
// channel's device_id, the id it was registered under in GOWA), and GOWA's
// basic auth takes the channel's api_key as its "user:password" pair
// (APP_BASIC_AUTH). Every answer is {code, message, results}; a send's
// results.message_id is the id GOWA's message.ack receipts then carry.

export type WhatsmeowOptions = { fetch?: Fetch };

export type WhatsmeowClient = {
  send(channel: ChannelTarget, msg: OutboundMessage, signal?: AbortSignal): Promise<SendOutcome>;
};

const SendAnswer = z.looseObject({
  code: z.literal("SUCCESS"),
  results: z.looseObject({ message_id: z.string().min(1) }),
});

// {code: "VALIDATION_ERROR" | "INTERNAL_SERVER_ERROR" | "DEVICE_NOT_FOUND" | ..., message}
const GowaError = z.looseObject({
  code: z.union([z.string(), z.number()]).optional(),
  message: z.string().optional(),
});

export type GowaCall = {
  path: string;
  body: Record<string, string>;
  form: boolean; // multipart/form-data, as GOWA documents its media endpoints
};

const MEDIA: Record<string, { path: string; field: string; caption: boolean }> = {
  image: { path: "/send/image", field: "image_url", caption: true },
  video: { path: "/send/video", field: "video_url", caption: true },
  audio: { path: "/send/audio", field: "audio_url", caption: false },
  document: { path: "/send/file", field: "file_url", caption: true },
  sticker: { path: "/send/sticker", field: "sticker_url", caption: false },
};

// The request for one message, or why it cannot be sent through GOWA.
export function gowaCall(msg: OutboundMessage): GowaCall | string {
  const phone = msg.recipient; // a JID; GOWA takes JIDs and bare numbers alike
  // Replies: text and media other than stickers take reply_message_id.
  const reply: Record<string, string> = msg.quoted_provider_message_id
    ? { reply_message_id: msg.quoted_provider_message_id }
    : {};
  switch (msg.type) {
    case "text":
      if (!msg.content) return "a text message needs content";
      return {
        path: "/send/message",
        body: { phone, message: msg.content, ...reply },
        form: false,
      };
    case "template": {
      const media = templateAsMedia(msg);
      if (media) return gowaCall(media);
      const text = msg.template ? renderTemplateBody(msg.template) : "";
      if (!text) return "the template has no BODY text to send";
      return { path: "/send/message", body: { phone, message: text, ...reply }, form: false };
    }
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker": {
      // GOWA fetches a URL or takes an upload; a Cloud API media id means nothing to it.
      if (!msg.media_url) return `a ${msg.type} message needs media_url`;
      const m = MEDIA[msg.type];
      const body: Record<string, string> = { phone, [m.field]: msg.media_url };
      if (m.caption && msg.content) body.caption = msg.content;
      return {
        path: m.path,
        body: msg.type === "sticker" ? body : { ...body, ...reply },
        form: true,
      };
    }
    case "location":
      if (!msg.location) return "a location message needs a location";
      // GOWA validates both as strings (ozzo is.Latitude / is.Longitude).
      return {
        path: "/send/location",
        body: {
          phone,
          latitude: String(msg.location.latitude),
          longitude: String(msg.location.longitude),
        },
        form: false,
      };
    case "reaction":
      if (!msg.reaction_target_id) return "a reaction needs the message it reacts to";
      // An empty emoji removes our reaction, as in WhatsApp.
      return {
        path: `/message/${encodeURIComponent(msg.reaction_target_id)}/reaction`,
        body: { phone, emoji: msg.reaction_emoji ?? "" },
        form: false,
      };
    default:
      return `messages of type ${msg.type} cannot be sent through GOWA`;
  }
}

export function gowaSendError(answer: Answer): SendError {
  const parsed = GowaError.safeParse(answer.body);
  const e = parsed.success ? parsed.data : {};
  // GOWA's codes are names (VALIDATION_ERROR) or the HTTP status, never
  // Meta's numbers: only the HTTP status decides how to go on.
  return {
    code: null,
    title: e.code === undefined ? null : String(e.code),
    message: e.message || excerpt(answer),
    http_status: answer.res.status,
    details: parsed.success ? parsed.data : undefined,
  };
}

// "user:password" as APP_BASIC_AUTH holds it, as an Authorization header.
export function basicAuth(pair: string): string | null {
  if (!/^[^:]+:.+$/s.test(pair)) return null;
  const bytes = new TextEncoder().encode(pair);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

export function createWhatsmeowClient(opts: WhatsmeowOptions = {}): WhatsmeowClient {
  const fetch = opts.fetch ?? globalThis.fetch;

  async function send(
    channel: ChannelTarget,
    msg: OutboundMessage,
    signal?: AbortSignal,
  ): Promise<SendOutcome> {
    if (!channel.api_base_url) return failed("the channel has no api_base_url");
    if (!channel.device_id) return failed("the channel has no device_id");
    const pair = channel.credentials.api_key;
    if (!pair) return failed("the channel has no api_key (GOWA's basic auth, user:password)");
    const authorization = basicAuth(pair);
    if (!authorization) {
      return failed("the channel's api_key must be GOWA's basic auth pair, user:password");
    }
    const c = gowaCall(msg);
    if (typeof c === "string") return failed(c);

    const headers: Record<string, string> = {
      authorization,
      "x-device-id": channel.device_id,
      accept: "application/json",
    };
    let body: BodyInit;
    if (c.form) {
      const form = new FormData();
      for (const [k, v] of Object.entries(c.body)) form.append(k, String(v));
      body = form; // fetch sets the multipart content-type with its boundary
    } else {
      headers["content-type"] = "application/json";
      body = JSON.stringify(c.body);
    }
    const answer = await request(fetch, `${channel.api_base_url.replace(/\/+$/, "")}${c.path}`, {
      method: "POST",
      headers,
      body,
      signal,
    });
    if (isOutcome(answer)) return answer;
    if (!answer.res.ok) return classify(answer.res, gowaSendError(answer));
    const ok = SendAnswer.safeParse(answer.body);
    if (!ok.success) return malformedSuccess(answer, "expected results.message_id");
    return { kind: "sent", providerMessageId: ok.data.results.message_id };
  }

  return { send };
}
