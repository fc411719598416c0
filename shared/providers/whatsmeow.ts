import { z } from "zod";

// whatsmeow bridges: go-whatsapp-web-multidevice (GOWA), as its
// docs/webhook-payload.md and src/infrastructure/whatsapp/event_*.go build
// them. Every body is {event, device_id, payload}, signed with
// X-Hub-Signature-256 (HMAC-SHA256 of the raw body, the bridge's webhook
// secret). device_id is the bridge's WhatsApp JID, left out when unknown;
// session_id is the id the device was registered under (our channel's
// device_id), also optional. Receipts, group, label, newsletter and call
// events carry a top-level RFC 3339 timestamp.
export const WhatsmeowWebhook = z.looseObject({
  event: z.string().min(1),
  device_id: z.string().optional(),
  session_id: z.string().optional(),
  timestamp: z.string().optional(),
  payload: z.record(z.string(), z.unknown()),
});
export type WhatsmeowWebhook = z.infer<typeof WhatsmeowWebhook>;

const id = z.string().min(1);
const jid = z.string().min(1);
// RFC 3339, as Go's time.Format(time.RFC3339) writes it.
const rfc3339 = z.string().min(1);

// The fields ingestion reads, per event; everything else is kept as sent.
export const GowaMessage = z.looseObject({
  id,
  chat_id: jid,
  from: z.string().optional(),
  from_name: z.string().optional(),
  timestamp: rfc3339,
  is_from_me: z.boolean().optional(),
  body: z.string().optional(),
  replied_to_id: z.string().optional(),
  quoted_body: z.string().optional(),
  forwarded: z.boolean().optional(),
});

export const GowaReaction = GowaMessage.extend({
  reaction: z.string(), // empty: the reaction was removed
  reacted_message_id: id,
});

export const GowaRevoked = z.looseObject({
  id,
  chat_id: jid,
  timestamp: rfc3339,
  revoked_message_id: id,
});

export const GowaEdited = z.looseObject({
  id,
  chat_id: jid,
  timestamp: rfc3339,
  original_message_id: id,
  body: z.string().optional(),
});

export const GowaAck = z.looseObject({
  ids: z.array(id).min(1),
  chat_id: jid,
  receipt_type: z.string().min(1),
});

export const GowaDeleted = z.looseObject({
  deleted_message_id: id,
});

const schemas: Record<string, z.ZodType> = {
  "message": GowaMessage,
  "message.reaction": GowaReaction,
  "message.revoked": GowaRevoked,
  "message.edited": GowaEdited,
  "message.ack": GowaAck,
  "message.deleted": GowaDeleted,
};

// GOWA matches event names case-insensitively in its filter; so do we.
export function checkWhatsmeowPayload(body: WhatsmeowWebhook): z.ZodError | null {
  const schema = schemas[body.event.toLowerCase()];
  if (!schema) return null; // other events are stored and acknowledged as they are
  const r = schema.safeParse(body.payload);
  return r.success ? null : r.error;
}
