import { z } from "zod";

// Meta WhatsApp Cloud API webhook payloads. Objects are loose: Meta adds
// fields over time and a new field must never make us drop a message.
export const MetaError = z.looseObject({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});

export const MetaMessage = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().regex(/^\d+$/),
  type: z.string().min(1),
  context: z.looseObject({ from: z.string().optional(), id: z.string().optional() }).optional(),
  errors: z.array(MetaError).optional(),
});

export const MetaStatus = z.looseObject({
  id: z.string().min(1),
  status: z.enum(["sent", "delivered", "read", "failed", "deleted", "warning"]),
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
    wa_id: z.string(),
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
