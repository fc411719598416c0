import { z } from "zod";

// whatsmeow bridges (WhatsHooked-style) post {event, device_id, payload},
// signed with X-Hub-Signature-256 using the channel's webhook secret.
export const WhatsmeowWebhook = z.object({
  event: z.enum(["message", "receipt", "connected", "disconnected", "logged_out", "pairing", "qr"]),
  device_id: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
});
export type WhatsmeowWebhook = z.infer<typeof WhatsmeowWebhook>;

export const WhatsmeowMessage = z.looseObject({
  id: z.string().min(1),
  chat: z.string().min(1),
  sender: z.string().optional(),
  is_from_me: z.boolean().optional(),
  is_group: z.boolean().optional(),
  push_name: z.string().optional(),
  timestamp: z.union([z.number(), z.string()]),
  type: z.string().optional(),
});

export const WhatsmeowReceipt = z.looseObject({
  message_ids: z.array(z.string()).min(1),
  type: z.enum(["sent", "delivered", "read", "played"]),
  timestamp: z.union([z.number(), z.string()]).optional(),
});

export function checkWhatsmeowPayload(body: WhatsmeowWebhook): z.ZodError | null {
  const schema = body.event === "message"
    ? WhatsmeowMessage
    : body.event === "receipt"
    ? WhatsmeowReceipt
    : null;
  if (!schema) return null;
  const r = schema.safeParse(body.payload);
  return r.success ? null : r.error;
}
