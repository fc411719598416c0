import type { Sql } from "../../shared/db.ts";
import type { ChannelTarget, OutboundMessage, SendOutcome } from "../../shared/outbound/types.ts";
import { createChannelCache } from "../../shared/channel-cache.ts";
import { createClaimer } from "./claimer.ts";
import { createRecorder } from "./recorder.ts";
import { createSender } from "./sender.ts";
import type { Log, SendResult } from "./types.ts";

export type { Claimed, SendResult } from "./types.ts";

// Drains private.outbox: claims due messages (the database hands out send
// slots at each channel's rate), sends each at its slot, and records the
// answers in small group commits. Any number of dispatchers may drain at
// once; a killed one's claims come back after their lease. The parts:
// claimer.ts (the database's queue), sender.ts (slots, throttling, outcomes),
// recorder.ts (group commits of the answers); this file is the loop that
// decides when to claim again.

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
  log?: Log;
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

const statKey = {
  sent: "sent",
  retry: "retried",
  throttled: "throttled",
  failed: "failed",
  release: "released",
} as const;

export function createDispatcher(opts: DispatcherOptions) {
  const leaseSeconds = opts.leaseSeconds ?? 60;
  const horizonMs = opts.horizonMs ?? 1000;
  const claimLimit = opts.claimLimit ?? 500;
  const maxPending = opts.maxPending ?? 2000;
  const idleExitMs = opts.idleExitMs ?? 10_000;
  const log = opts.log ?? (() => {});
  const abort = new AbortController();

  const claimer = createClaimer({
    sql: opts.sql,
    workerId: opts.workerId,
    leaseSeconds,
    horizonMs,
  });
  const recorder = createRecorder({ sql: opts.sql, workerId: opts.workerId, log });
  const sender = createSender({
    send: opts.send,
    channel: createChannelCache({
      lookup: (id) =>
        opts.sql<{ c: ChannelTarget | null }[]>`select private.dispatch_channel(${id}::uuid) as c`
          .then((rows) => rows[0]?.c ?? null),
      ttlMs: opts.channelTtlMs ?? 30_000,
    }),
    finish,
    leaseSeconds,
    sendTimeoutMs: Math.min(opts.sendTimeoutMs ?? 15_000, leaseSeconds * 500),
    maxInFlight: opts.maxInFlight ?? 256,
    abort: abort.signal,
    log,
  });

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

  function finish(result: SendResult, pendingBefore: number): Promise<void> {
    // Claims follow the clock (the rate's slots), not each answer: waking
    // the loop on every answer made a claim per handful of messages, and
    // claiming cost more than sending. Wake it when room opens in a full
    // window, or when nothing is left to wait for.
    if (pendingBefore >= maxPending || sender.pending === 0) signal();
    stats[statKey[result.kind]]++;
    return recorder.record(result);
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

  async function run(): Promise<DrainSummary> {
    const started = Date.now();
    stats = emptyStats();
    while (!abort.signal.aborted) {
      woken = false;
      // Running campaigns turn their next recipients into queued messages,
      // alongside the claims (a large chunk takes a while).
      if (!feeding && Date.now() - fedAt >= horizonMs / 2) {
        fedAt = Date.now();
        feeding = claimer.feedAndSweep()
          .then((n) => {
            if (n > 0) signal();
          }, (err) => log("feed_failed", { error: String(err) }))
          .finally(() => {
            feeding = null;
          });
      }
      const room = Math.min(claimLimit, maxPending - sender.pending);
      const got = room > 0 ? await claimer.claim(room) : [];
      stats.claimed += got.length;
      got.forEach(sender.schedule);
      if (got.length > 0 || sender.pending > 0) {
        // Slots free up as time passes; claim again before the claimed run out.
        await waitFor(got.length >= room ? horizonMs / 4 : horizonMs / 2);
        continue;
      }
      // What was just answered must be on record before asking what is due.
      await recorder.settled();
      if (feeding) {
        await feeding;
        continue;
      }
      const due = await claimer.nextDue();
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
        if ((await claimer.feedAndSweep()) > 0 || woken) {
          lingered = false;
          continue;
        }
        break;
      }
      lingered = false;
      const wait = due - Date.now();
      await waitFor(Math.max(wait, 10));
    }
    while (sender.pending > 0) await waitFor(100);
    await recorder.settled();
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
      sender.releaseUnstarted();
      signal();
      await loop;
    },
  };
}
