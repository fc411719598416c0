import { z } from "zod";

// Evolution API webhook bodies: {event, instance, data, date_time, sender,
// server_url, apikey}. Event names arrive dotted (messages.upsert) or, with
// some settings, upper-case with underscores (MESSAGES_UPSERT).
export const EvolutionWebhook = z.looseObject({
  event: z.string().min(1),
  instance: z.string().optional(),
  data: z.unknown(),
  date_time: z.string().optional(),
  sender: z.string().optional(),
  server_url: z.string().optional(),
  apikey: z.string().optional(),
});
export type EvolutionWebhook = z.infer<typeof EvolutionWebhook>;

const messageKey = z.looseObject({ remoteJid: z.string(), fromMe: z.boolean(), id: z.string() });

// The events whose data we read field by field get a stricter check.
export const EvolutionMessageData = z.looseObject({
  key: messageKey,
  pushName: z.string().nullish(),
  messageType: z.string().optional(),
  message: z.record(z.string(), z.unknown()).nullish(),
  messageTimestamp: z.union([z.number(), z.string(), z.looseObject({ low: z.number() })])
    .optional(),
});

export function evolutionEventName(event: string): string {
  return event.toLowerCase().replaceAll("_", ".");
}

export function checkEvolutionData(body: EvolutionWebhook): z.ZodError | null {
  const ev = evolutionEventName(body.event);
  if (ev !== "messages.upsert" && ev !== "send.message") return null;
  const items = Array.isArray(body.data) ? body.data : [body.data];
  for (const item of items) {
    const r = EvolutionMessageData.safeParse(item);
    if (!r.success) return r.error;
  }
  return null;
}
