import { z } from "zod";
import type { Fetch } from "../../shared/outbound/types.ts";
import { hubSignature } from "../../shared/signature.ts";

// Status webhooks after Cloud API sends, signed as Meta signs them, so the
// whole loop (send, then sent/delivered/read) can run without Meta.

export const CallbackSpec = z.object({
  phone_number_id: z.string().min(1),
  url: z.url(),
  app_secret: z.string().min(1),
  statuses: z.array(z.enum(["sent", "delivered", "read"])).default(["sent", "delivered", "read"]),
  delay_ms: z.number().int().min(0).default(50),
});
export type CallbackSpec = z.infer<typeof CallbackSpec>;

export function statusWebhook(phoneNumberId: string, wamid: string, to: string, status: string) {
  return {
    object: "whatsapp_business_account",
    entry: [{
      id: "0",
      changes: [{
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "0", phone_number_id: phoneNumberId },
          statuses: [{
            id: wamid,
            status,
            timestamp: String(Math.floor(Date.now() / 1000)),
            recipient_id: to,
          }],
        },
      }],
    }],
  };
}

export function createCallbackRegistry(fetch: Fetch) {
  const byPhone = new Map<string, CallbackSpec>();

  async function deliver(spec: CallbackSpec, wamid: string, to: string) {
    for (const status of spec.statuses) {
      await new Promise((r) => setTimeout(r, spec.delay_ms));
      // Cleared or replaced meanwhile: the test that registered it is over.
      if (byPhone.get(spec.phone_number_id) !== spec) return;
      const body = JSON.stringify(statusWebhook(spec.phone_number_id, wamid, to, status));
      try {
        const res = await fetch(spec.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-hub-signature-256": await hubSignature(spec.app_secret, body),
          },
          body,
        });
        await res.body?.cancel();
        if (!res.ok) console.error(`[fake-provider] ${status} callback got HTTP ${res.status}`);
      } catch (err) {
        console.error(`[fake-provider] ${status} callback to ${spec.url} failed:`, err);
      }
    }
  }

  return {
    register(spec: CallbackSpec) {
      byPhone.set(spec.phone_number_id, spec);
    },
    // One number's, or every number's: tests sharing a stack remove only
    // their own (npm start registers the demo number's).
    clear(phoneNumberId?: string) {
      if (phoneNumberId) byPhone.delete(phoneNumberId);
      else byPhone.clear();
    },
    // Fire and forget: the send's answer must not wait for its statuses.
    afterSend(phoneNumberId: string, wamid: string, to: string) {
      const spec = byPhone.get(phoneNumberId);
      if (spec) void deliver(spec, wamid, to);
    },
  };
}
