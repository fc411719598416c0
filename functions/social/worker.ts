import type { Sql } from "../../shared/db.ts";
import { singleDrain } from "../../shared/single-drain.ts";
import { describe } from "../../shared/errors.ts";
import type { createInstagram } from "./instagram.ts";
import type { createTiktok } from "./tiktok.ts";
import type { ClaimedPost, Log, Metrics, Platform, PostOutcome, RefreshResult } from "./types.ts";

// A drain: tokens due for refresh, due cross-posts, stale metrics; claimed
// from the database with a lease (FOR UPDATE SKIP LOCKED), so overlapping
// drains never work on one row twice, and recorded back. Rounds go on while
// anything was due (a retry due at once is taken in the same drain).

export type WorkerOptions = {
  sql: Sql;
  instagram: ReturnType<typeof createInstagram>;
  tiktok: ReturnType<typeof createTiktok>;
  post: (p: ClaimedPost) => Promise<PostOutcome>;
  workerId: string;
  batch?: number;
  maxRounds?: number;
  log?: Log;
};

export type DrainSummary = {
  refreshed: number;
  refresh_failed: number;
  posted: number;
  processing: number;
  retrying: number;
  failed: number;
  metrics: number;
  ms: number;
};

type RefreshRow = {
  id: string;
  platform: Platform;
  access_token: string | null;
  refresh_token: string | null;
};
type MetricsRow = {
  id: string;
  platform: Platform;
  platform_post_id: string;
  access_token: string | null;
};

export function createSocialWorker(opts: WorkerOptions) {
  const { sql } = opts;
  const batch = opts.batch ?? 10;
  const log = opts.log ?? (() => {});
  let again = false;

  async function refreshes(s: DrainSummary): Promise<number> {
    const rows = await sql<RefreshRow[]>`
      select * from private.claim_social_refreshes(${opts.workerId}, ${batch}, 60)`;
    await Promise.all(rows.map(async (r) => {
      const result: RefreshResult = !r.access_token
        ? { ok: false, transient: false, error: "no token stored" }
        : r.platform === "instagram"
        ? await opts.instagram.refresh(r.access_token)
        : await opts.tiktok.refresh(r.refresh_token);
      await sql`select private.record_social_refresh(${r.id}, ${
        JSON.stringify(result)
      }::text::jsonb)`;
      if (result.ok) s.refreshed++;
      else s.refresh_failed++;
      if (!result.ok) {
        log("refresh_failed", {
          connection: r.id,
          transient: result.transient,
          error: result.error,
        });
      }
    }));
    return rows.length;
  }

  async function posts(s: DrainSummary): Promise<number> {
    const rows = await sql<ClaimedPost[]>`
      select * from private.claim_cross_posts(${opts.workerId}, ${batch}, 300)`;
    await Promise.all(rows.map(async (p) => {
      let outcome: PostOutcome;
      try {
        outcome = await opts.post(p);
      } catch (err) {
        outcome = {
          kind: "retry",
          error: describe(err).split(p.access_token ?? "\u0000").join("[redacted]"),
        };
      }
      const [r] = await sql<{ status: string }[]>`
        select private.record_cross_post(${p.id}, ${opts.workerId}, ${
        JSON.stringify(outcome)
      }::text::jsonb)::text as status`;
      if (outcome.kind === "posted") s.posted++;
      else if (outcome.kind === "processing") s.processing++;
      else if (r.status === "failed") s.failed++;
      else s.retrying++;
      if (outcome.kind === "retry" || outcome.kind === "failed") {
        log("cross_post_error", { id: p.id, status: r.status, error: outcome.error });
      }
    }));
    // processing rows come back later; they do not keep this drain going
    return rows.length - s.processing;
  }

  async function metrics(s: DrainSummary): Promise<number> {
    const rows = await sql<MetricsRow[]>`
      select * from private.claim_cross_post_metrics(${opts.workerId}, ${batch * 5}, 60)`;
    await Promise.all(rows.map(async (r) => {
      let m: Metrics | null = null;
      try {
        if (r.access_token) {
          m = r.platform === "instagram"
            ? await opts.instagram.metrics(r.access_token, r.platform_post_id)
            : await opts.tiktok.metrics(r.access_token, r.platform_post_id);
        }
      } catch (err) {
        log("metrics_failed", { id: r.id, error: describe(err) });
      }
      await sql`select private.record_cross_post_metrics(${r.id}, ${opts.workerId}, ${
        m ? JSON.stringify(m) : null
      }::text::jsonb)`;
      if (m) s.metrics++;
    }));
    return rows.length;
  }

  async function drainOnce(): Promise<DrainSummary> {
    const started = performance.now();
    const s: DrainSummary = {
      refreshed: 0,
      refresh_failed: 0,
      posted: 0,
      processing: 0,
      retrying: 0,
      failed: 0,
      metrics: 0,
      ms: 0,
    };
    for (let round = 0; round < (opts.maxRounds ?? 50); round++) {
      again = false;
      const processingBefore = s.processing;
      const n = (await refreshes(s)) + (await posts(s)) + (await metrics(s));
      if (n - (s.processing - processingBefore) <= 0 && !again) break;
    }
    s.ms = Math.round(performance.now() - started);
    log("drained", s);
    return s;
  }

  return singleDrain(drainOnce, () => {
    again = true;
  });
}
