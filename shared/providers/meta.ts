import { z } from "zod";

// Meta WhatsApp Cloud API webhook payloads. Objects are loose: Meta adds
// fields over time and a new field must never make us drop a message.
export const MetaError = z.looseObject({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});

// Since April 2026 a sender also has a business-scoped user id (from_user_id,
// a contact's user_id); a user who adopted a username may come with that id
// only, no phone number (no from, no wa_id).
export const MetaMessage = z.looseObject({
  from: z.string().min(1).optional(),
  from_user_id: z.string().min(1).optional(),
  id: z.string().min(1),
  timestamp: z.string().regex(/^\d+$/),
  type: z.string().min(1),
  context: z.looseObject({ from: z.string().optional(), id: z.string().optional() }).optional(),
  errors: z.array(MetaError).optional(),
}).refine((m) => m.from !== undefined || m.from_user_id !== undefined, {
  message: "a message needs its sender: from or from_user_id",
  path: ["from"],
});

// Any status is taken: the ones we know (sent, delivered, read, played,
// failed, deleted) move the message, others (warning, and any Meta adds)
// are kept with the event.
export const MetaStatus = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: z.string().regex(/^\d+$/),
  recipient_id: z.string().optional(),
  errors: z.array(MetaError).optional(),
});

export const MetaMessagesValue = z.looseObject({
  messaging_product: z.literal("whatsapp"),
  metadata: z.looseObject({
    phone_number_id: z.string().min(1),
    display_phone_number: z.string().optional(),
  }),
  contacts: z.array(z.looseObject({
    wa_id: z.string().optional(),
    user_id: z.string().optional(),
    profile: z.looseObject({ name: z.string().optional() }).optional(),
  })).optional(),
  messages: z.array(MetaMessage).optional(),
  statuses: z.array(MetaStatus).optional(),
  errors: z.array(MetaError).optional(),
});

const MetaChange = z.object({ field: z.string(), value: z.unknown() }).superRefine(
  (change, ctx) => {
    if (change.field !== "messages") return;
    const parsed = MetaMessagesValue.safeParse(change.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ ...issue, path: ["value", ...issue.path] } as never);
      }
    }
  },
);

export const MetaWebhook = z.object({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(z.object({ id: z.string(), changes: z.array(MetaChange) })).min(1),
});
export type MetaWebhook = z.infer<typeof MetaWebhook>;
