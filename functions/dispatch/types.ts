import type { OutboundMessage } from "../../shared/outbound/types.ts";

// A message claimed from private.outbox, with the send slot the channel's
// rate gave it.
export type Claimed = OutboundMessage & { send_at: string };

// What the dispatcher records for one claimed message
// (private.record_send_results).
export type SendResult = {
  outbox_id: number;
  message_id: string;
  channel_id: string;
  kind: "sent" | "retry" | "throttled" | "failed" | "release";
  provider_message_id?: string;
  error?: unknown;
  scope?: "channel" | "recipient";
  retry_after_ms?: number;
};

// A result before it is tied to its message.
export type Verdict = Omit<SendResult, "outbox_id" | "message_id" | "channel_id">;

export type Log = (event: string, data?: Record<string, unknown>) => void;
