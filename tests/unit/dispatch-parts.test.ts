import { describe, expect, it } from "vitest";
import type { Sql } from "../../shared/db.ts";
import type { ChannelTarget, OutboundMessage, SendOutcome } from "../../shared/outbound/types.ts";
import { createClaimer } from "../../functions/dispatch/claimer.ts";
import { createRecorder } from "../../functions/dispatch/recorder.ts";
import { createChannelCache } from "../../shared/channel-cache.ts";
import { createSender, createSlots, verdictOf } from "../../functions/dispatch/sender.ts";
import type { Claimed, SendResult } from "../../functions/dispatch/types.ts";

// The dispatcher's parts, each against fakes: no database, no provider.

type Call = { text: string; values: unknown[] };

// A tagged-template stand-in for postgres.js: records each query and answers
// with what `answer` returns (or throws).
function fakeSql(answer: (call: Call, n: number) => unknown[] | Error) {
  const calls: Call[] = [];
  const sql = (strings: TemplateStringsArray, ...values: unknown[]) => {
    const call = { text: strings.join("$"), values };
    calls.push(call);
    const out = answer(call, calls.length);
    return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
  };
  return { sql: sql as unknown as Sql, calls };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function claimed(id: number, over: Partial<Claimed> = {}): Claimed {
  return {
    outbox_id: id,
    message_id: `m${id}`,
    channel_id: "ch-1",
    recipient: "5511900000000",
    type: "text",
    content: "hi",
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
    send_at: new Date(Date.now() - 1).toISOString(),
    ...over,
  };
}

const channel: ChannelTarget = {
  id: "ch-1",
  provider: "cloud_api",
  phone_number_id: "1",
  business_account_id: null,
  instance_name: null,
  device_id: null,
  api_base_url: null,
  credentials: { access_token: "t" },
};

const error = { code: 1, title: "t", message: "m", http_status: 500 };

describe("claimer", () => {
  it("claims with the worker, limit, lease and horizon, and reads what comes back", async () => {
    const { sql, calls } = fakeSql((c) =>
      c.text.includes("claim_outbox") ? [{ items: [claimed(7)] }] : []
    );
    const claimer = createClaimer({ sql, workerId: "w1", leaseSeconds: 30, horizonMs: 800 });
    const got = await claimer.claim(25);
    expect(got.map((m) => m.outbox_id)).toEqual([7]);
    expect(calls[0].values).toEqual(["w1", 25, 30, 800]);
  });

  it("reads an empty claim, the next due time and what feeding fed", async () => {
    const at = new Date("2026-01-01T00:00:05Z");
    const { sql } = fakeSql((c) =>
      c.text.includes("claim_outbox")
        ? [{ items: null }]
        : c.text.includes("outbox_next_due")
        ? [{ at }]
        : [{ n: 42, s: 0 }]
    );
    const claimer = createClaimer({ sql, workerId: "w", leaseSeconds: 60, horizonMs: 1000 });
    expect(await claimer.claim(10)).toEqual([]);
    expect(await claimer.nextDue()).toBe(at.getTime());
    expect(await claimer.feedAndSweep()).toBe(42);
  });

  it("says nothing is due when the queue is empty", async () => {
    const { sql } = fakeSql(() => [{ at: null }]);
    const claimer = createClaimer({ sql, workerId: "w", leaseSeconds: 60, horizonMs: 1000 });
    expect(await claimer.nextDue()).toBeNull();
  });
});

describe("recorder", () => {
  const result = (id: number): SendResult => ({
    outbox_id: id,
    message_id: `m${id}`,
    channel_id: "ch-1",
    kind: "sent",
    provider_message_id: `wamid.${id}`,
  });

  it("records answers that arrive together in one call", async () => {
    const { sql, calls } = fakeSql(() => []);
    const recorder = createRecorder({ sql, workerId: "w9", log: () => {}, gatherMs: 20 });
    await Promise.all([
      recorder.record(result(1)),
      recorder.record(result(2)),
      recorder.record(result(3)),
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0].values[0]).toBe("w9");
    expect(JSON.parse(calls[0].values[1] as string).map((r: SendResult) => r.outbox_id)).toEqual([
      1,
      2,
      3,
    ]);
  });

  it("tries a failed write again, then succeeds", async () => {
    const logged: string[] = [];
    const { sql, calls } = fakeSql((_c, n) => n < 3 ? new Error("connection reset") : []);
    const recorder = createRecorder({
      sql,
      workerId: "w",
      log: (e) => logged.push(e),
      gatherMs: 0,
      sleep: () => Promise.resolve(),
    });
    await recorder.record(result(1));
    expect(calls).toHaveLength(3);
    expect(logged).toEqual(["record_retry", "record_retry"]);
  });

  it("gives up after five attempts, logs it, and still settles", async () => {
    const logged: string[] = [];
    const slept: number[] = [];
    const { sql, calls } = fakeSql(() => new Error("down"));
    const recorder = createRecorder({
      sql,
      workerId: "w",
      log: (e) => logged.push(e),
      gatherMs: 0,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    await expect(recorder.record(result(1))).resolves.toBeUndefined();
    await recorder.settled();
    expect(calls).toHaveLength(5);
    expect(slept).toEqual([200, 400, 600, 800]);
    expect(logged).toEqual([...Array(4).fill("record_retry"), "record_failed"]);
  });
});

describe("channel cache", () => {
  it("looks a channel up once per TTL, and forgets a failed lookup", async () => {
    let clock = 0;
    let lookups = 0;
    let fail = false;
    const get = createChannelCache({
      lookup: () => {
        lookups++;
        return fail ? Promise.reject(new Error("db down")) : Promise.resolve(channel);
      },
      ttlMs: 1000,
      now: () => clock,
    });
    expect(await get("ch-1")).toBe(channel);
    clock = 999;
    expect(await get("ch-1")).toBe(channel);
    expect(lookups).toBe(1);
    clock = 1000;
    fail = true;
    await expect(get("ch-1")).rejects.toThrow("db down");
    await tick();
    fail = false;
    expect(await get("ch-1")).toBe(channel);
    expect(lookups).toBe(3);
  });
});

describe("sender", () => {
  type Finished = { result: SendResult; before: number };

  function harness(
    send: (ch: ChannelTarget, msg: OutboundMessage) => Promise<SendOutcome>,
    over: {
      leaseSeconds?: number;
      sendTimeoutMs?: number;
      maxInFlight?: number;
      channel?: ChannelTarget | null;
    } = {},
  ) {
    const finished: Finished[] = [];
    const abort = new AbortController();
    const sender = createSender({
      send,
      channel: () => Promise.resolve(over.channel === undefined ? channel : over.channel),
      finish: (result, before) => {
        finished.push({ result, before });
        return Promise.resolve();
      },
      leaseSeconds: over.leaseSeconds ?? 60,
      sendTimeoutMs: over.sendTimeoutMs ?? 1000,
      maxInFlight: over.maxInFlight ?? 10,
      abort: abort.signal,
      log: () => {},
    });
    return { sender, finished, abort };
  }

  it("maps every provider outcome to what is recorded", () => {
    expect(verdictOf({ kind: "sent", providerMessageId: "wamid.1" })).toEqual({
      kind: "sent",
      provider_message_id: "wamid.1",
    });
    expect(verdictOf({ kind: "retry", error, retryAfterMs: 500 })).toEqual({
      kind: "retry",
      error,
      retry_after_ms: 500,
    });
    expect(verdictOf({ kind: "throttled", scope: "recipient", error })).toEqual({
      kind: "throttled",
      scope: "recipient",
      error,
      retry_after_ms: undefined,
    });
    expect(verdictOf({ kind: "failed", error })).toEqual({ kind: "failed", error });
  });

  it("sends a due message and finishes it once, with the pending count before", async () => {
    const { sender, finished } = harness(() =>
      Promise.resolve({ kind: "sent", providerMessageId: "wamid.A" })
    );
    sender.schedule(claimed(1));
    expect(sender.pending).toBe(1);
    await tick(5);
    expect(sender.pending).toBe(0);
    expect(finished).toEqual([{
      result: {
        outbox_id: 1,
        message_id: "m1",
        channel_id: "ch-1",
        kind: "sent",
        provider_message_id: "wamid.A",
      },
      before: 1,
    }]);
  });

  it("waits for the message's slot", async () => {
    const sentAt: number[] = [];
    const { sender } = harness(() => {
      sentAt.push(Date.now());
      return Promise.resolve({ kind: "sent", providerMessageId: "x" });
    });
    const slot = Date.now() + 60;
    sender.schedule(claimed(1, { send_at: new Date(slot).toISOString() }));
    await tick(20);
    expect(sentAt).toEqual([]);
    await tick(80);
    expect(sentAt).toHaveLength(1);
    expect(sentAt[0]).toBeGreaterThanOrEqual(slot - 2);
  });

  it("fails a message whose channel is gone, and retries one whose send threw", async () => {
    const gone = harness(() => Promise.reject(new Error("unused")), { channel: null });
    gone.sender.schedule(claimed(1));
    const threw = harness(() => Promise.reject(new Error("socket hang up")));
    threw.sender.schedule(claimed(2));
    await tick(5);
    expect(gone.finished[0].result).toMatchObject({
      kind: "failed",
      error: { message: "the channel no longer exists" },
    });
    expect(threw.finished[0].result).toMatchObject({
      kind: "retry",
      error: { message: "Error: socket hang up" },
    });
  });

  it("lets a claim go back when its lease is too close to its end", async () => {
    let sends = 0;
    const { sender, finished } = harness(() => {
      sends++;
      return Promise.resolve({ kind: "sent", providerMessageId: "x" });
    }, { leaseSeconds: 1, sendTimeoutMs: 1500 });
    sender.schedule(claimed(1));
    await tick(5);
    expect(sends).toBe(0);
    expect(finished.map((f) => f.result.kind)).toEqual(["release"]);
  });

  it("holds a throttled channel back: what has not started goes back, other channels go on", async () => {
    const { sender, finished } = harness((_ch, msg) =>
      Promise.resolve(
        msg.outbox_id === 1
          ? { kind: "throttled", scope: "channel", error, retryAfterMs: 5000 }
          : { kind: "sent", providerMessageId: `wamid.${msg.outbox_id}` },
      )
    );
    const later = new Date(Date.now() + 50).toISOString();
    sender.schedule(claimed(1));
    sender.schedule(claimed(2, { send_at: later }));
    sender.schedule(claimed(3, { send_at: later, channel_id: "ch-2" }));
    await tick(5);
    const byId = () => Object.fromEntries(finished.map((f) => [f.result.outbox_id, f.result]));
    expect(byId()[1]).toMatchObject({ kind: "throttled", scope: "channel", retry_after_ms: 5000 });
    expect(byId()[2]).toMatchObject({ kind: "release", retry_after_ms: 5000 });
    expect(byId()[3]).toBeUndefined();
    await tick(80);
    expect(byId()[3]).toMatchObject({ kind: "sent", provider_message_id: "wamid.3" });
    // A message claimed for the throttled channel meanwhile goes straight back.
    sender.schedule(claimed(4));
    await tick(5);
    expect(byId()[4].kind).toBe("release");
    expect(byId()[4].retry_after_ms).toBeGreaterThan(4000);
  });

  it("keeps concurrent provider requests under the cap", async () => {
    let now = 0;
    let most = 0;
    const { sender, finished } = harness(async () => {
      most = Math.max(most, ++now);
      await tick(10);
      now--;
      return { kind: "sent", providerMessageId: "x" };
    }, { maxInFlight: 2 });
    for (let i = 1; i <= 6; i++) sender.schedule(claimed(i));
    await tick(80);
    expect(finished).toHaveLength(6);
    expect(most).toBe(2);
  });

  it("hands back what has not started when stopping", () => {
    const { sender, finished } = harness(() =>
      Promise.resolve({ kind: "sent", providerMessageId: "x" })
    );
    sender.schedule(claimed(1, { send_at: new Date(Date.now() + 10_000).toISOString() }));
    sender.schedule(claimed(2, { send_at: new Date(Date.now() + 10_000).toISOString() }));
    sender.releaseUnstarted();
    expect(finished.map((f) => [f.result.outbox_id, f.result.kind])).toEqual([
      [1, "release"],
      [2, "release"],
    ]);
    expect(sender.pending).toBe(0);
  });
});

describe("slots", () => {
  it("lets waiters in as slots free up", async () => {
    const slots = createSlots(1);
    await slots.acquire();
    let second = false;
    const waiting = slots.acquire().then(() => {
      second = true;
    });
    await tick();
    expect(second).toBe(false);
    slots.release();
    await waiting;
    expect(second).toBe(true);
    expect(slots.inFlight).toBe(1);
  });
});
