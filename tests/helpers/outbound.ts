import { createFakeProvider } from "../../scripts/services/fake-provider-app.ts";
import type {
  ChannelTarget,
  Fetch,
  OutboundMessage,
  TemplateToSend,
} from "../../shared/outbound/types.ts";

// Fixtures for the outbound provider clients, run against the fake provider.

export type Fake = ReturnType<typeof createFakeProvider>;

// The fake's handler as fetch; like a real fetch, it gives up when the signal
// aborts instead of waiting for the answer.
export function viaFake(fake: Fake): Fetch {
  return (input, init) => {
    const req = new Request(input, init);
    const aborted = new Promise<never>((_, reject) => {
      if (req.signal.aborted) reject(req.signal.reason);
      req.signal.addEventListener("abort", () => reject(req.signal.reason), { once: true });
    });
    return Promise.race([fake.handle(req), aborted]);
  };
}

export const answering =
  (status: number, body: unknown, headers: Record<string, string> = {}): Fetch => () =>
    Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json", ...headers },
      }),
    );

export const fault = (fake: Fake, f: Record<string, unknown>) =>
  fake.handle(
    new Request("http://fake/__fake/faults", { method: "POST", body: JSON.stringify(f) }),
  );

export function msg(over: Partial<OutboundMessage>): OutboundMessage {
  return {
    outbox_id: 1,
    message_id: "00000000-0000-0000-0000-000000000001",
    channel_id: "c1",
    recipient: "5511999990000",
    type: "text",
    content: null,
    media_url: null,
    media_id: null,
    media_mime_type: null,
    media_filename: null,
    location: null,
    quoted_provider_message_id: null,
    reaction_emoji: null,
    reaction_target_id: null,
    interactive: null,
    template: null,
    attempts: 1,
    ...over,
  };
}

export const channel = (over: Partial<ChannelTarget>): ChannelTarget => ({
  id: "c1",
  provider: "cloud_api",
  phone_number_id: "PN1",
  business_account_id: "WABA1",
  instance_name: "inst1",
  device_id: "dev1",
  api_base_url: "http://fake/",
  credentials: { access_token: "token", api_key: "key" },
  ...over,
});
export const cloudCh = channel({});
export const evoCh = channel({ provider: "evolution" });
// GOWA's basic auth pair (APP_BASIC_AUTH user:password) is the channel's api_key.
export const bridgeCh = channel({ provider: "whatsmeow", credentials: { api_key: "gowa:pass" } });

export const template = (params: TemplateToSend["params"]): TemplateToSend => ({
  name: "order_update",
  language: "pt_BR",
  components: [{ type: "BODY", text: "Hi {{1}}, order {{2}} ships {{ when }}" }],
  params,
});
