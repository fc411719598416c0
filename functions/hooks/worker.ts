import type { Sql } from "../../shared/db.ts";
import { singleDrain } from "../../shared/single-drain.ts";
import type { HookJob, HookResult, Log } from "./types.ts";
import { describe } from "../../shared/errors.ts";

// Drains due hook deliveries: claims jobs, keeps up to `concurrency`
// requests in flight (more are claimed as slots free, so a receiver that
// times out holds up no other), and records results in small group
// commits. One drain at a time per instance; a poke during a drain makes it
// look again before it stops. Retries due soon (backoff, Retry-After) are
// waited for rather than left to the minute tick.

export type WorkerOptions = {
  sql: Sql;
  deliver: (job: HookJob) => Promise<HookResult>;
  workerId: string;
  concurrency?: number;
  leaseSeconds?: number;
  // deliveries of one hook in flight at most, across every worker
  perHook?: number;
  // how long a drain waits for a retry that comes due soon
  lingerMs?: number;
  log?: Log;
};

export type DrainSummary = {
  delivered: number;
  retrying: number;
  dead_lettered: number;
  replies: number;
  ignored: number;
  attempts: number;
  ms: number;
};

const POLL_MS = 200;

export function createHookWorker(opts: WorkerOptions) {
  const { sql } = opts;
  const concurrency = Math.max(1, opts.concurrency ?? 32);
  // Longer than the longest request (30 s) plus recording.
  const lease = opts.leaseSeconds ?? 60;
  const perHook = Math.max(1, opts.perHook ?? 50);
  const linger = opts.lingerMs ?? 30_000;
  const log = opts.log ?? (() => {});
  let again = false;
  let wake: () => void = () => {};

  let pending: HookResult[] = [];
  let writing: Promise<void> = Promise.resolve();
  function record(r: HookResult, s: DrainSummary) {
    s.attempts++;
    pending.push(r);
    writing = writing.then(async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const row = await recordBatch(batch);
      for (const k of ["delivered", "retrying", "dead_lettered", "replies", "ignored"] as const) {
        s[k] += Number(row.r[k] ?? 0);
      }
    }).catch((err) => {
      // Those jobs stay leased and are claimed again when the lease ends.
      log("results_not_recorded", { error: describe(err) });
    });
  }

  // A deadlock with a transaction writing events (Postgres cancels one of
  // the two) is retried at once: left to the lease, the batch's events
  // would be delivered a second time a minute later.
  async function recordBatch(batch: HookResult[]) {
    for (let attempt = 1;; attempt++) {
      try {
        const [row] = await sql<{ r: Record<string, number> }[]>`
          select private.record_hook_results(${opts.workerId}, ${
          JSON.stringify(batch)
        }::text::jsonb) as r`;
        return row;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (attempt >= 5 || (code !== "40P01" && code !== "40001")) throw err;
        log("record_retried", { attempt, code });
        await sleep(20 * attempt);
      }
    }
  }

  async function claim(n: number): Promise<HookJob[]> {
    return await sql<HookJob[]>`
      select * from private.claim_hook_jobs(${opts.workerId}, ${n}, ${lease}, ${perHook})`;
  }

  async function drainDue(s: DrainSummary) {
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      const room = concurrency - inFlight.size;
      let claimed: HookJob[] = [];
      // Claims go in batches (a quarter of the slots), not one per freed slot.
      if (inFlight.size === 0 || room >= Math.max(1, concurrency / 4)) {
        claimed = await claim(room);
      }
      for (const job of claimed) {
        const p: Promise<void> = opts.deliver(job).then((r) => record(r, s)).finally(() =>
          inFlight.delete(p)
        );
        inFlight.add(p);
      }
      if (inFlight.size === 0) break;
      if (claimed.length === 0 || inFlight.size >= concurrency) {
        await Promise.race([...inFlight, sleep(POLL_MS), new Promise<void>((r) => (wake = r))]);
      }
    }
    await writing;
  }

  // When the next retry is due, if within the linger time.
  async function nextDueIn(): Promise<number | null> {
    const [row] = await sql<{ ms: number | null }[]>`
      select extract(epoch from private.hooks_next_due() - now())::float8 * 1000 as ms`;
    return row.ms === null ? null : Math.max(0, row.ms);
  }

  async function drainOnce(): Promise<DrainSummary> {
    const started = performance.now();
    const s: DrainSummary = {
      delivered: 0,
      retrying: 0,
      dead_lettered: 0,
      replies: 0,
      ignored: 0,
      attempts: 0,
      ms: 0,
    };
    for (;;) {
      again = false;
      await drainDue(s);
      if (again) continue;
      const due = linger > 0 ? await nextDueIn() : null;
      if (due === null || due > linger) break;
      await Promise.race([sleep(due + 50), new Promise<void>((r) => (wake = r))]);
    }
    s.ms = Math.round(performance.now() - started);
    log("drained", s);
    return s;
  }

  return singleDrain(drainOnce, () => {
    again = true;
    wake();
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
