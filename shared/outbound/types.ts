// What the dispatcher hands a provider client, and what it gets back. The
// database's claim (private.claim_outbox) produces OutboundMessage rows; the
// outcome decides between recording the send, retrying and dead-lettering.
import type { MessageType, Provider, TemplateCategory } from "../enums.ts";

export type { MessageType, Provider };

// A template as stored in public.message_templates, with the sender's
// parameters (already validated by the database against its placeholders):
// params.header is an array of strings (TEXT header) or {type, link} (media
// header); params.body is an array (positional {{1}}) or an object (named
// {{name}}); params.buttons maps a button index to its URL suffix parameter.
export type TemplateToSend = {
  name: string;
  language: string;
  components: unknown[];
  params: {
    // link: absent when the header is the message's stored file (media_path),
    // which reaches the provider as media_id or media_url
    header?: string[] | { type: "image" | "video" | "document"; link?: string; filename?: string };
    body?: string[] | Record<string, string>;
    buttons?: Record<string, string>;
  };
};

export type OutboundMessage = {
  outbox_id: number;
  message_id: string;
  channel_id: string;
  // digits of the wa_id for Cloud API; a JID (…@s.whatsapp.net / …@g.us) for Evolution and whatsmeow
  recipient: string;
  type: MessageType;
  content: string | null; // text body, or the caption of a media message
  media_url: string | null;
  media_id: string | null;
  // a stored file (its name in the media bucket), resolved to media_url or
  // media_id before the provider sees the message
  media_path?: string | null;
  media_mime_type: string | null;
  media_filename: string | null;
  location:
    | { latitude: number; longitude: number; name: string | null; address: string | null }
    | null;
  quoted_provider_message_id: string | null; // reply context
  reaction_emoji: string | null;
  reaction_target_id: string | null; // provider id of the message reacted to
  interactive: unknown | null; // Cloud API "interactive" object, as the sender gave it
  template: TemplateToSend | null;
  attempts: number; // including this one
};

export type ChannelTarget = {
  id: string;
  provider: Provider;
  phone_number_id: string | null;
  business_account_id: string | null;
  instance_name: string | null;
  device_id: string | null;
  api_base_url: string | null;
  credentials: { access_token?: string; api_key?: string };
};

export type SendError = {
  code: number | null; // provider error code (Meta: 130429, 131056, 100, ...)
  title: string | null;
  message: string;
  http_status: number | null; // null for network errors and timeouts
  details?: unknown;
};

export type SendOutcome =
  | { kind: "sent"; providerMessageId: string }
  // transient (network, timeout, 5xx, 408): back off and retry
  | { kind: "retry"; error: SendError; retryAfterMs?: number }
  // over a limit: 429, Meta 130429/80007/4/613 (scope channel), 131056 (scope recipient)
  | { kind: "throttled"; scope: "channel" | "recipient"; error: SendError; retryAfterMs?: number }
  // permanent (any other 4xx, a malformed answer): never retried
  | { kind: "failed"; error: SendError };

export type ProviderTemplate = {
  provider_template_id: string | null;
  name: string;
  language: string;
  category: TemplateCategory;
  status: string; // Meta's status as given (APPROVED, PENDING, REJECTED, PAUSED, DISABLED, ...)
  components: unknown[];
  rejected_reason: string | null;
  parameter_format: "POSITIONAL" | "NAMED" | null;
};

export type Fetch = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
