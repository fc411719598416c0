import { Webhook } from "standardwebhooks";

// Standard Webhooks headers for one attempt. The library signs with one
// secret; during a rotation's overlap each secret signs and the signatures
// go space-separated in one header, as the specification allows, so a
// receiver holding either secret verifies.
const signers = new Map<string, Webhook>();

function signer(secret: string): Webhook {
  let w = signers.get(secret);
  if (!w) {
    w = new Webhook(secret);
    // Rotated secrets leave; the map stays small.
    if (signers.size > 1000) signers.clear();
    signers.set(secret, w);
  }
  return w;
}

export function signatureHeaders(
  webhookId: string,
  at: Date,
  body: string,
  secrets: string[],
): Record<string, string> {
  if (secrets.length === 0) throw new Error("the hook has no signing secret");
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((s) => signer(s).sign(webhookId, at, body)).join(" "),
  };
}
