import type { Sql } from "../../shared/db.ts";
import { createBatcher } from "../../shared/batcher.ts";
import type { ChannelTarget, OutboundMessage, SendOutcome } from "../../shared/outbound/types.ts";

// Drains private.outbox: claims due messages (the database hands out send
// slots at each channel's rate), sends each at its slot, and records the
// answers in small group commits. Any number of dispatchers may drain at
// once; a killed one's claims come back after their lease.

export type Claimed = OutboundMessage & { send_at: string };

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

export type DispatcherOptions = {
  sql: Sql;
  send: (channel: ChannelTarget, msg: OutboundMessage, signal: AbortSignal) => Promise<SendOutcome>;
  workerId: string;
  leaseSeconds?: number;
  horizonMs?: number;
  claimLimit?: number;
  // claimed but not yet answered, across channels
  maxPending?: number;
  // concurrent provider requests
  maxInFlight?: number;
  // stop draining when nothing is due sooner than this (the tick re-pokes)
  idleExitMs?: number;
  // a send not answered by then is abandoned (and retried); no send starts
  // later than this before its lease ends, so none outlives its claim
  sendTimeoutMs?: number;
  channelTtlMs?: number;
  log?: (event: string, data?: Record<string, unknown>) => void;
};

export type DrainSummary = {
  worker: string;
  claimed: number;
  sent: number;
  retried: number;
  throttled: number;
  failed: number;
  released: number;
  ms: number;
};

type Pending = {
  msg: Claimed;
  timer?: ReturnType<typeof setTimeout>;
  started: boolean;
  deadline: number;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createDispatcher(opts: DispatcherOptions) {
  const leaseSeconds = opts.leaseSeconds ?? 60;
  const horizonMs = opts.horizonMs ?? 1000;
  const claimLimit = opts.claimLimit ?? 500;
  const maxPending = opts.maxPending ?? 2000;
  const maxInFlight = opts.maxInFlight ?? 256;
  const idleExitMs = opts.idleExitMs ?? 10_000;
  const channelTtlMs = opts.channelTtlMs ?? 30_000;
  const sendTimeoutMs = Math.min(opts.sendTimeoutMs ?? 15_000, leaseSeconds * 500);
  const log = opts.log ?? (() => {});
  const sql = opts.sql;

  const pending = new Map<number, Pending>();
  const channels = new Map<string, { at: number; value: Promise<ChannelTarget | null> }>();
  const throttledUntil = new Map<string, number>();
  const recording = new Set<Promise<void>>();
  const abort = new AbortController();
  let inFlight = 0;
  let slotWaiters: (() => void)[] = [];
  let wake: (() => void) | null = null;
  let woken = false;
  let loop: Promise<DrainSummary> | null = null;
  let stats = emptyStats();
  let fedAt = 0;
  let feeding: Promise<void> | null = null;
  let lingered = false;

  function emptyStats() {
    return { claimed: 0, sent: 0, retried: 0, throttled: 0, failed: 0, released: 0 };
  }

  const recorder = createBatcher<SendResult, true>({
    maxBatch: 500,
    concurrency: 1,
    // Answers are recorded in batches of up to 50 ms: one call per answer
    // or two (each about a millisecond of overhead) cost a campaign more
    // than its sending. A lease lasts a minute; the record is safe.
    gatherMs: 50,
    run: async (results) => {
      // A lost write here would let the lease lapse and the message go out
      // twice: insist, briefly.
      for (let attempt = 1;; attempt++) {
        try {
          await sql`select private.record_send_results(${opts.workerId}, ${
            JSON.stringify(results)
          }::text::jsonb)`;
          return results.map(() => true as const);
        } catch (err) {
          if (attempt >= 5) throw err;
          log("record_retry", { attempt, error: String(err) });
          await sleep(200 * attempt);
        }
      }
    },
  });

  function channel(id: string): Promise<ChannelTarget | null> {
    const hit = channels.get(id);
    if (hit && Date.now() - hit.at < channelTtlMs) return hit.value;
    const value = sql<
      { c: ChannelTarget | null }[]
    >`select private.dispatch_channel(${id}::uuid) as c`
      .then((rows) => rows[0]?.c ?? null);
    channels.set(id, { at: Date.now(), value });
    value.catch(() => channels.delete(id));
    return value;
  }

  function record(result: SendResult): Promise<void> {
    const key = ({
      sent: "sent",
      retry: "retried",
      throttled: "throttled",
      failed: "failed",
      release: "released",
    } as const)[
      result.kind
    ];
    stats[key]++;
    const done = recorder.submit(result).then(
      () => {},
      (err) => log("record_failed", { error: String(err) }),
    );
    recording.add(done);
    done.finally(() => recording.delete(done));
    return done;
  }

  async function acquireSlot() {
    while (inFlight >= maxInFlight) await new Promise<void>((r) => slotWaiters.push(r));
    inFlight++;
  }
  function releaseSlot() {
    inFlight--;
    const waiters = slotWaiters;
    slotWaiters = [];
    waiters.forEach((w) => w());
  }

  function finish(p: Pending, result: Omit<SendResult, "outbox_id" | "message_id" | "channel_id">) {
    const wasFull = pending.size >= maxPending;
    pending.delete(p.msg.outbox_id);
    // Claims follow the clock (the rate's slots), not each answer: waking
    // the loop on every answer made a claim per handful of messages, and
    // claiming cost more than sending. Wake it when room opens in a full
    // window, or when nothing is left to wait for.
    if (wasFull || pending.size === 0) signal();
    return record({
      outbox_id: p.msg.outbox_id,
      message_id: p.msg.message_id,
      channel_id: p.msg.channel_id,
      ...result,
    });
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
    if (Date.now() > p.deadline || abort.signal.aborted) {
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
      const ch = await channel(msg.channel_id);
      if (!ch) {
        outcome = { kind: "failed", error: errorOf("the channel no longer exists") };
      } else {
        await acquireSlot();
        try {
          outcome = await opts.send(
            ch,
            msg,
            AbortSignal.any([abort.signal, AbortSignal.timeout(sendTimeoutMs)]),
          );
        } finally {
          releaseSlot();
        }
      }
    } catch (err) {
      outcome = { kind: "retry", error: errorOf(String(err)) };
    }
    switch (outcome.kind) {
      case "sent":
        await finish(p, { kind: "sent", provider_message_id: outcome.providerMessageId });
        break;
      case "throttled":
        if (outcome.scope === "channel") {
          throttleChannel(msg.channel_id, outcome.retryAfterMs ?? 1000);
        }
        await finish(p, {
          kind: "throttled",
          scope: outcome.scope,
          error: outcome.error,
          retry_after_ms: outcome.retryAfterMs,
        });
        break;
      case "retry":
        await finish(p, {
          kind: "retry",
          error: outcome.error,
          retry_after_ms: outcome.retryAfterMs,
        });
        break;
      case "failed":
        await finish(p, { kind: "failed", error: outcome.error });
        break;
    }
  }

  function schedule(msg: Claimed) {
    const p: Pending = {
      msg,
      started: false,
      deadline: Date.now() + leaseSeconds * 1000 - sendTimeoutMs,
    };
    pending.set(msg.outbox_id, p);
    const delay = Math.max(0, Date.parse(msg.send_at) - Date.now());
    const go = () => void sendOne(p).catch((err) => log("send_crashed", { error: String(err) }));
    if (delay === 0) go();
    else p.timer = setTimeout(go, delay);
  }

  function signal() {
    woken = true;
    wake?.();
  }

  function waitFor(ms: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = null;
        woken = false;
        resolve();
      }
      wake = done;
    });
  }

  async function claim(limit: number): Promise<Claimed[]> {
    const [row] = await sql<{ items: Claimed[] }[]>`
      select private.claim_outbox(${opts.workerId}, ${limit}, ${leaseSeconds}, ${horizonMs}) as items`;
    return row?.items ?? [];
  }

  async function nextDue(): Promise<number | null> {
    const [row] = await sql<{ at: Date | null }[]>`select private.outbox_next_due() as at`;
    return row?.at ? row.at.getTime() : null;
  }

  // Running campaigns' next recipients become queued messages; statuses
  // that lost a race with their send's answer are applied. Returns how many
  // messages were fed.
  async function feedAndSweep(): Promise<number> {
    const [r] = await sql<{ n: number }[]>`
      select private.feed_campaigns() as n, private.apply_stranded_statuses() as s`;
    return r.n;
  }

  async function run(): Promise<DrainSummary> {
    const started = Date.now();
    stats = emptyStats();
    while (!abort.signal.aborted) {
      woken = false;
      // Running campaigns turn their next recipients into queued messages,
      // alongside the claims (a large chunk takes a while).
      if (!feeding && Date.now() - fedAt >= horizonMs / 2) {
        fedAt = Date.now();
        feeding = feedAndSweep()
          .then((n) => {
            if (n > 0) signal();
          }, (err) => log("feed_failed", { error: String(err) }))
          .finally(() => {
            feeding = null;
          });
      }
      const room = Math.min(claimLimit, maxPending - pending.size);
      const got = room > 0 ? await claim(room) : [];
      stats.claimed += got.length;
      got.forEach(schedule);
      if (got.length > 0 || pending.size > 0) {
        // Slots free up as time passes; claim again before the claimed run out.
        await waitFor(got.length >= room ? horizonMs / 4 : horizonMs / 2);
        continue;
      }
      // What was just answered must be on record before asking what is due.
      await Promise.all([...recording]);
      if (feeding) {
        await feeding;
        continue;
      }
      const due = await nextDue();
      // A poke during that query may be for a message it did not see yet.
      if (woken) continue;
      if (due === null || due - Date.now() > idleExitMs) {
        // Before going idle, one more look a second later: a campaign
        // started since the last feed, a status that lost a race.
        if (!lingered) {
          lingered = true;
          await waitFor(1000);
          continue;
        }
        fedAt = Date.now();
        if ((await feedAndSweep()) > 0 || woken) {
          lingered = false;
          continue;
        }
        break;
      }
      lingered = false;
      const wait = due - Date.now();
      await waitFor(Math.max(wait, 10));
    }
    while (pending.size > 0) await waitFor(100);
    await Promise.all([...recording]);
    return { worker: opts.workerId, ...stats, ms: Date.now() - started };
  }

  return {
    // Starts draining, or tells a running drain to look again now.
    drain(): Promise<DrainSummary> {
      if (loop) {
        signal();
        return loop;
      }
      loop = run().finally(() => {
        loop = null;
      });
      return loop;
    },
    get running() {
      return loop !== null;
    },
    // Stops claiming; what has not started is handed back to the queue.
    async stop(): Promise<void> {
      abort.abort();
      for (const p of [...pending.values()]) {
        if (p.started) continue;
        clearTimeout(p.timer);
        finish(p, { kind: "release" });
      }
      signal();
      await loop;
    },
  };
}

function errorOf(message: string) {
  return { code: null, title: null, message, http_status: null };
}
