import { describe, expect, it } from "vitest";
import { createHookWorker } from "../../functions/hooks/worker.ts";
import type { HookJob, HookResult } from "../../functions/hooks/types.ts";
import type { Sql } from "../../shared/db.ts";

// The drain loop against a stand-in for the three worker functions.
function fakeSql(opts: { jobs: HookJob[][]; recordFailures?: unknown[] }) {
  const calls = { claims: [] as number[], records: [] as HookResult[][] };
  const failures = [...(opts.recordFailures ?? [])];
  const sql = ((strings: TemplateStringsArray, ...values: unknown[]) => {
    const text = strings.join("?");
    if (text.includes("claim_hook_jobs")) {
      const limit = values[1] as number;
      calls.claims.push(limit);
      const next = opts.jobs.shift() ?? [];
      if (next.length > limit) opts.jobs.unshift(next.slice(limit));
      return Promise.resolve(next.slice(0, limit));
    }
    if (text.includes("record_hook_results")) {
      const batch = JSON.parse(values[1] as string) as HookResult[];
      calls.records.push(batch);
      if (failures.length) return Promise.reject(failures.shift());
      const n = (o: string) => batch.filter((r) => r.outcome === o).length;
      return Promise.resolve([{
        r: { delivered: n("delivered"), retrying: n("retry"), dead_lettered: n("permanent") },
      }]);
    }
    if (text.includes("hooks_next_due")) return Promise.resolve([{ ms: null }]);
    return Promise.reject(new Error(`unexpected query ${text}`));
  }) as unknown as Sql;
  return { sql, calls };
}

const job = (id: number): HookJob => ({
  job_id: String(id),
  hook_id: "h",
  webhook_id: `msg_${id}`,
  event_type: "hook.test",
  body: "{}",
  url: "https://hooks.example.com",
  method: "POST",
  headers: {},
  secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
  timeout_ms: 1000,
  allow_insecure: false,
  attempt: 1,
  max_attempts: 3,
});

const ok = (j: HookJob): Promise<HookResult> =>
  Promise.resolve({
    job_id: Number(j.job_id),
    outcome: "delivered",
    status_code: 200,
    latency_ms: 1,
    response_body: "",
    error: null,
    retry_after_seconds: null,
    reply: null,
  });

describe("hook worker", () => {
  it("claims until nothing is left and records every result", async () => {
    const { sql, calls } = fakeSql({ jobs: [[job(1), job(2)], [job(3)]] });
    const w = createHookWorker({ sql, deliver: ok, workerId: "w", concurrency: 4, lingerMs: 0 });
    const s = await w.drain();
    expect(s).toMatchObject({ delivered: 3, attempts: 3 });
    expect(calls.records.flat().map((r) => r.job_id).sort()).toEqual([1, 2, 3]);
  });

  it("keeps at most `concurrency` deliveries in flight", async () => {
    const { sql, calls } = fakeSql({ jobs: [[job(1), job(2)], [job(3), job(4)]] });
    let inFlight = 0;
    let most = 0;
    const slow = async (j: HookJob) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return ok(j);
    };
    const w = createHookWorker({ sql, deliver: slow, workerId: "w", concurrency: 2, lingerMs: 0 });
    await w.drain();
    expect(most).toBe(2);
    expect(Math.max(...calls.claims)).toBeLessThanOrEqual(2);
  });

  it("records a batch again after a deadlock instead of leaving it to the lease", async () => {
    const deadlock = Object.assign(new Error("deadlock detected"), { code: "40P01" });
    const { sql, calls } = fakeSql({ jobs: [[job(1)]], recordFailures: [deadlock] });
    const w = createHookWorker({ sql, deliver: ok, workerId: "w", lingerMs: 0 });
    const s = await w.drain();
    expect(calls.records).toHaveLength(2);
    expect(s.delivered).toBe(1);
  });

  it("one drain at a time: a poke during a drain joins it", async () => {
    const { sql } = fakeSql({ jobs: [[job(1)]] });
    const w = createHookWorker({ sql, deliver: ok, workerId: "w", lingerMs: 0 });
    const a = w.drain();
    expect(w.running).toBe(true);
    expect(w.drain()).toBe(a);
    await a;
    expect(w.running).toBe(false);
  });
});
