import type { ChannelTarget, OutboundMessage, SendOutcome } from "../../shared/outbound/types.ts";
import type { Claimed, Log, SendResult, Verdict } from "./types.ts";

// Sends each claimed message at its slot: waits for the slot, gives up on a
// claim whose lease is nearly over, holds back a channel the provider said
// is over its limit, caps concurrent provider requests, and turns each
// provider outcome into the result to record. Every scheduled message is
// finished exactly once.

export type SenderOptions = {
  send: (channel: ChannelTarget, msg: OutboundMessage, signal: AbortSignal) => Promise<SendOutcome>;
  channel: (id: string) => Promise<ChannelTarget | null>;
  // Called once per scheduled message, with how many were pending before it
  // left; its promise is awaited by the send that finished it.
  finish: (result: SendResult, pendingBefore: number) => Promise<void>;
  leaseSeconds: number;
  // a send not answered by then is abandoned (and retried); no send starts
  // later than this before its lease ends, so none outlives its claim
  sendTimeoutMs: number;
  // concurrent provider requests
  maxInFlight: number;
  abort: AbortSignal;
  log: Log;
};

type Pending = {
  msg: Claimed;
  timer?: ReturnType<typeof setTimeout>;
  started: boolean;
  deadline: number;
};

export type Sender = {
  schedule(msg: Claimed): void;
  readonly pending: number;
  // Hands back every message whose send has not started (stopping).
  releaseUnstarted(): void;
};

export function createSender(opts: SenderOptions): Sender {
  const pending = new Map<number, Pending>();
  const throttledUntil = new Map<string, number>();
  const slots = createSlots(opts.maxInFlight);

  function finish(p: Pending, verdict: Verdict): Promise<void> {
    const before = pending.size;
    pending.delete(p.msg.outbox_id);
    return opts.finish({
      outbox_id: p.msg.outbox_id,
      message_id: p.msg.message_id,
      channel_id: p.msg.channel_id,
      ...verdict,
    }, before);
  }

  // The provider said the channel is over its limit: what has not started
  // goes back to the queue, due when the throttle ends.
  function throttleChannel(channelId: string, ms: number) {
    const until = Date.now() + ms;
    throttledUntil.set(channelId, Math.max(throttledUntil.get(channelId) ?? 0, until));
    for (const p of [...pending.values()]) {
      if (p.msg.channel_id !== channelId || p.started) continue;
      clearTimeout(p.timer);
      finish(p, { kind: "release", retry_after_ms: ms });
    }
  }

  async function sendOne(p: Pending) {
    p.started = true;
    const msg = p.msg;
    if (Date.now() > p.deadline || opts.abort.aborted) {
      // Too late for this claim (the process stalled): let it go back.
      await finish(p, { kind: "release" });
      return;
    }
    const throttled = throttledUntil.get(msg.channel_id) ?? 0;
    if (throttled > Date.now()) {
      await finish(p, { kind: "release", retry_after_ms: throttled - Date.now() });
      return;
    }
    let outcome: SendOutcome;
    try {
      const ch = await opts.channel(msg.channel_id);
      if (!ch) {
        outcome = { kind: "failed", error: errorOf("the channel no longer exists") };
      } else {
        await slots.acquire();
        try {
          outcome = await opts.send(
            ch,
            msg,
            AbortSignal.any([opts.abort, AbortSignal.timeout(opts.sendTimeoutMs)]),
          );
        } finally {
          slots.release();
        }
      }
    } catch (err) {
      outcome = { kind: "retry", error: errorOf(String(err)) };
    }
    if (outcome.kind === "throttled" && outcome.scope === "channel") {
      throttleChannel(msg.channel_id, outcome.retryAfterMs ?? 1000);
    }
    await finish(p, verdictOf(outcome));
  }

  return {
    schedule(msg) {
      const p: Pending = {
        msg,
        started: false,
        deadline: Date.now() + opts.leaseSeconds * 1000 - opts.sendTimeoutMs,
      };
      pending.set(msg.outbox_id, p);
      const delay = Math.max(0, Date.parse(msg.send_at) - Date.now());
      const go = () =>
        void sendOne(p).catch((err) => opts.log("send_crashed", { error: String(err) }));
      if (delay === 0) go();
      else p.timer = setTimeout(go, delay);
    },
    get pending() {
      return pending.size;
    },
    releaseUnstarted() {
      for (const p of [...pending.values()]) {
        if (p.started) continue;
        clearTimeout(p.timer);
        finish(p, { kind: "release" });
      }
    },
  };
}

// What to record for a provider's outcome.
export function verdictOf(outcome: SendOutcome): Verdict {
  switch (outcome.kind) {
    case "sent":
      return { kind: "sent", provider_message_id: outcome.providerMessageId };
    case "throttled":
      return {
        kind: "throttled",
        scope: outcome.scope,
        error: outcome.error,
        retry_after_ms: outcome.retryAfterMs,
      };
    case "retry":
      return { kind: "retry", error: outcome.error, retry_after_ms: outcome.retryAfterMs };
    case "failed":
      return { kind: "failed", error: outcome.error };
  }
}

// At most `max` provider requests at once; the rest wait their turn.
export function createSlots(max: number) {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  return {
    async acquire() {
      while (inFlight >= max) await new Promise<void>((r) => waiters.push(r));
      inFlight++;
    },
    release() {
      inFlight--;
      const woken = waiters;
      waiters = [];
      woken.forEach((w) => w());
    },
    get inFlight() {
      return inFlight;
    },
  };
}

function errorOf(message: string) {
  return { code: null, title: null, message, http_status: null };
}
