import { z } from "zod";
import { json } from "../../shared/http.ts";
import type { Fetch } from "../../shared/outbound/types.ts";
import { hubSignature } from "../../shared/signature.ts";
import { randomId, type SendResult } from "./fake-provider-sends.ts";

// The fake's GOWA (go-whatsapp-web-multidevice): its send endpoints as
// docs/openapi.yaml describes them, checked as src/validations/*.go check
// them, behind its basic auth and X-Device-Id, answered as its REST layer
// answers ({code, message, results}); and, after a send, the message.ack
// webhooks GOWA posts (src/infrastructure/whatsapp/event_receipt.go),
// signed as src/infrastructure/whatsapp/webhook.go signs them.

type Fields = Record<string, unknown>;

export const gowaError = (status: number, code: string, message: string) =>
  json({ code, message, results: null }, status);
const invalid = (message: string) => ({ res: gowaError(400, "VALIDATION_ERROR", message) });

const blank = (v: unknown) => v === undefined || v === null || String(v).trim() === "";
const isUrl = (v: unknown) => {
  try {
    return ["http:", "https:"].includes(new URL(String(v)).protocol);
  } catch {
    return false;
  }
};
const inRange = (v: unknown, max: number) =>
  /^[-+]?\d+(\.\d+)?$/.test(String(v)) && Math.abs(Number(v)) <= max;

// ozzo-validation's wording: "phone: cannot be blank; message: cannot be blank."
function required(body: Fields, names: string[]): string | null {
  const missing = names.filter((n) => blank(body[n]));
  return missing.length ? missing.map((n) => `${n}: cannot be blank`).join("; ") + "." : null;
}

function phoneError(phone: unknown): string | null {
  const p = String(phone).trim().replace(/^\+/, "");
  if (!p) return "phone number cannot be empty";
  if (p.startsWith("0")) {
    return "phone number must be in international format (should not start with 0). For Indonesian numbers, use 62xxx format instead of 08xxx";
  }
  return null;
}

// utils.SanitizePhone: a bare number becomes a user JID.
const jidOf = (phone: string) => phone.includes("@") ? phone : `${phone}@s.whatsapp.net`;

type Endpoint = { check(b: Fields): string | null; status: string };

function media(field: string, label: string, status: string): Endpoint {
  return {
    check: (b) =>
      blank(b[field])
        ? `either ${label} or ${label}URL must be provided`
        : !isUrl(b[field])
        ? `${label}URL must be a valid URL`
        : null,
    status,
  };
}

const ENDPOINTS: Record<string, Endpoint> = {
  "/send/message": { check: (b) => required(b, ["message"]), status: "Message sent to" },
  "/send/image": media("image_url", "Image", "Message sent to"),
  "/send/video": media("video_url", "Video", "Video sent to"),
  "/send/audio": media("audio_url", "Audio", "Audio sent to"),
  "/send/file": media("file_url", "File", "Document sent to"),
  "/send/sticker": media("sticker_url", "Sticker", "Sticker sent to"),
  "/send/location": {
    check: (b) =>
      required(b, ["latitude", "longitude"]) ??
        (!inRange(b.latitude, 90)
          ? "latitude: must be a valid latitude."
          : !inRange(b.longitude, 180)
          ? "longitude: must be a valid longitude."
          : null),
    status: "Send location success",
  },
  "/send/contact": {
    check: (b) => required(b, ["contact_phone", "contact_name"]),
    status: "Contact sent to",
  },
};

export const isGowaPath = (path: string) =>
  path in ENDPOINTS || /^\/message\/[^/]+\/(reaction|revoke)$/.test(path);

// Fiber's basicauth middleware: 401 with a plain "Unauthorized".
function authorized(headers: Headers): boolean {
  const m = (headers.get("authorization") ?? "").match(/^Basic\s+(\S+)$/);
  if (!m) return false;
  try {
    return /^[^:]+:.+$/s.test(atob(m[1]));
  } catch {
    return false;
  }
}

// Basic auth (401), then the device a multi-device GOWA must be told about.
export function gowaGuard(headers: Headers): { res: Response } | { device: string } {
  if (!authorized(headers)) {
    return {
      res: new Response("Unauthorized", {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="Restricted"', "content-type": "text/plain" },
      }),
    };
  }
  // With several devices registered, GOWA needs to be told which one.
  const device = headers.get("x-device-id")?.trim();
  if (!device) {
    return {
      res: gowaError(
        400,
        "DEVICE_ID_REQUIRED",
        "device_id is required via X-Device-Id header or device_id query",
      ),
    };
  }
  return { device };
}

export function gowaSend(
  path: string,
  headers: Headers,
  body: unknown,
): SendResult & { device?: string } {
  const guard = gowaGuard(headers);
  if ("res" in guard) return guard;
  const { device } = guard;
  const b: Fields = body && typeof body === "object" ? body as Fields : {};
  const action = path.match(/^\/message\/([^/]+)\/(reaction|revoke)$/);
  const endpoint = action
    ? {
      check: () => null,
      status: action[2] === "reaction" ? "Reaction sent to" : "Revoke success",
    }
    : ENDPOINTS[path];
  const problem = required(b, ["phone"]) ?? phoneError(b.phone) ?? endpoint.check(b);
  if (problem) return invalid(problem);

  const to = jidOf(String(b.phone).trim());
  const id = randomId("3EB0", 9); // whatsmeow's GenerateMessageID: 3EB0 and 18 hex digits
  const status = `${endpoint.status} ${to} (server timestamp: ${new Date().toISOString()})`;
  return {
    res: json({ code: "SUCCESS", message: status, results: { message_id: id, status } }),
    sent: { id, to },
    device,
  };
}

// ---- message.ack webhooks back ----

export const GowaCallbackSpec = z.object({
  device_id: z.string().min(1), // the X-Device-Id sends name
  url: z.url(),
  webhook_secret: z.string().min(1),
  // the envelope's device_id: the device's own JID
  device_jid: z.string().min(1).default("15550009999@s.whatsapp.net"),
  receipts: z.array(z.enum(["delivered", "read"])).default(["delivered", "read"]),
  delay_ms: z.number().int().min(0).default(50),
});
export type GowaCallbackSpec = z.infer<typeof GowaCallbackSpec>;

const DESCRIPTIONS = {
  delivered: "means the message was delivered to the device (but the user might not have noticed).",
  read: "the user opened the chat and saw the message.",
};

// Go's json.Marshal of a map writes keys in sorted order.
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v).sort().map((k) => [k, sorted((v as Fields)[k])]),
    );
  }
  return v;
}

export function gowaAck(
  spec: GowaCallbackSpec,
  id: string,
  to: string,
  receipt: "delivered" | "read",
) {
  return sorted({
    event: "message.ack",
    device_id: spec.device_jid,
    session_id: spec.device_id,
    timestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    payload: {
      ids: [id],
      chat_id: to,
      from: to,
      sender_display_name: to.split("@")[0],
      receipt_type: receipt,
      receipt_type_description: DESCRIPTIONS[receipt],
    },
  });
}

export function createGowaCallbacks(fetch: Fetch) {
  const byDevice = new Map<string, GowaCallbackSpec>();

  async function deliver(spec: GowaCallbackSpec, id: string, to: string) {
    for (const receipt of spec.receipts) {
      await new Promise((r) => setTimeout(r, spec.delay_ms));
      if (byDevice.get(spec.device_id) !== spec) return;
      const body = JSON.stringify(gowaAck(spec, id, to, receipt));
      try {
        const res = await fetch(spec.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-hub-signature-256": await hubSignature(spec.webhook_secret, body),
          },
          body,
        });
        await res.body?.cancel();
        if (!res.ok) console.error(`[fake-provider] GOWA ${receipt} ack got HTTP ${res.status}`);
      } catch (err) {
        console.error(`[fake-provider] GOWA ${receipt} ack to ${spec.url} failed:`, err);
      }
    }
  }

  return {
    register(spec: GowaCallbackSpec) {
      byDevice.set(spec.device_id, spec);
    },
    // One device's, or every device's: tests sharing a stack remove only their own.
    clear(device?: string) {
      if (device) byDevice.delete(device);
      else byDevice.clear();
    },
    afterSend(device: string, id: string, to: string) {
      const spec = byDevice.get(device);
      if (spec) void deliver(spec, id, to);
    },
  };
}
