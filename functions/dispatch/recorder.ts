import type { Sql } from "../../shared/db.ts";
import { createBatcher } from "../../shared/batcher.ts";
import type { Log, SendResult } from "./types.ts";

// Records the providers' answers in group commits
// (private.record_send_results). A lost write would let the lease lapse and
// the message go out twice, so a failed write is tried again, briefly.
export type Recorder = {
  // Resolves once the result is on record, or once recording gave up (logged).
  record(result: SendResult): Promise<void>;
  // Resolves when every result submitted so far is settled.
  settled(): Promise<void>;
};

export function createRecorder(opts: {
  sql: Sql;
  workerId: string;
  log: Log;
  // Answers are recorded in batches of up to 50 ms: one call per answer or
  // two (each about a millisecond of overhead) cost a campaign more than
  // its sending. A lease lasts a minute; the record is safe.
  gatherMs?: number;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}): Recorder {
  const maxAttempts = opts.maxAttempts ?? 5;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const recording = new Set<Promise<void>>();

  const batcher = createBatcher<SendResult, true>({
    maxBatch: 500,
    concurrency: 1,
    gatherMs: opts.gatherMs ?? 50,
    run: async (results) => {
      for (let attempt = 1;; attempt++) {
        try {
          await opts.sql`select private.record_send_results(${opts.workerId}, ${
            JSON.stringify(results)
          }::text::jsonb)`;
          return results.map(() => true as const);
        } catch (err) {
          if (attempt >= maxAttempts) throw err;
          opts.log("record_retry", { attempt, error: String(err) });
          await sleep(200 * attempt);
        }
      }
    },
  });

  return {
    record(result) {
      const done = batcher.submit(result).then(
        () => {},
        (err) => {
          opts.log("record_failed", { error: String(err) });
        },
      );
      recording.add(done);
      done.finally(() => recording.delete(done));
      return done;
    },
    async settled() {
      await Promise.all([...recording]);
    },
  };
}
