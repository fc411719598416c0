import type { Sql } from "../../shared/db.ts";
import type { Claimed } from "./types.ts";

// The database's side of draining: claim due messages (send slots at each
// channel's rate, leased to this worker), ask when something is next due,
// and feed running campaigns while sweeping statuses that lost a race.
export type Claimer = {
  claim(limit: number): Promise<Claimed[]>;
  // epoch ms of the next due message, or null when the queue is empty
  nextDue(): Promise<number | null>;
  // Running campaigns' next recipients become queued messages; statuses
  // that lost a race with their send's answer are applied. Returns how many
  // messages were fed.
  feedAndSweep(): Promise<number>;
};

export function createClaimer(opts: {
  sql: Sql;
  workerId: string;
  leaseSeconds: number;
  horizonMs: number;
}): Claimer {
  const { sql } = opts;
  return {
    async claim(limit) {
      const [row] = await sql<{ items: Claimed[] | null }[]>`
        select private.claim_outbox(${opts.workerId}, ${limit}, ${opts.leaseSeconds}, ${opts.horizonMs}) as items`;
      return row?.items ?? [];
    },
    async nextDue() {
      const [row] = await sql<{ at: Date | null }[]>`select private.outbox_next_due() as at`;
      return row?.at ? row.at.getTime() : null;
    },
    async feedAndSweep() {
      const [r] = await sql<{ n: number }[]>`
        select private.feed_campaigns() as n, private.apply_stranded_statuses() as s`;
      return r.n;
    },
  };
}
