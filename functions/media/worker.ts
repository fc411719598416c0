import { createChannelCache } from "../../shared/channel-cache.ts";
import type { Sql } from "../../shared/db.ts";
import { singleDrain } from "../../shared/single-drain.ts";
import type { ChannelTarget } from "../../shared/outbound/types.ts";
import { contentPath, isDuplicate, objectUrl, type Storage } from "../../shared/storage.ts";
import { fetchAvatar } from "./avatars.ts";
import { announcedHex, type Failure, isFailure } from "./download.ts";
import { fetchFromProvider, type ProviderFetchOptions } from "./providers.ts";
import type { AvatarJob, Log, MediaJob, Removal } from "./types.ts";
import { describe } from "../../shared/errors.ts";

// Drains the media queues: received files to fetch and store, profile
// pictures to refresh, objects nothing uses to remove. Any number of
// workers may drain at once (claims are leased); a poke during a drain makes
// it look again before it stops.

export type WorkerOptions = {
  sql: Sql;
  storage: Storage;
  provider: ProviderFetchOptions;
  workerId: string;
  concurrency?: number;
  leaseSeconds?: number;
  log?: Log;
};

export type DrainSummary = {
  stored: number;
  failed: number;
  expired: number;
  avatars: number;
  removed: number;
  ms: number;
};

// Runs fn over items, at most n at a time.
async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(lanes);
}

type Outcome =
  | {
    id: string;
    kind: "stored";
    path: string;
    url: string;
    sha256: string;
    size: number;
    mime: string | null;
  }
  | { id: string; kind: Failure["kind"]; reason: string };

export function createMediaWorker(opts: WorkerOptions) {
  const { sql, storage } = opts;
  const concurrency = opts.concurrency ?? 16;
  const lease = opts.leaseSeconds ?? 180;
  const log = opts.log ?? (() => {});
  let again = false;
  // Credentials come from Vault once per channel and half-minute, not per file.
  const channel = createChannelCache({
    lookup: (id) =>
      sql<{ c: ChannelTarget | null }[]>`select private.dispatch_channel(${id}::uuid) as c`
        .then((rows) => rows[0]?.c ?? null),
    ttlMs: 30_000,
  });

  // Outcomes are written in small group commits: one transaction for
  // whatever finished while the previous one was being written.
  let pending: Outcome[] = [];
  let writing: Promise<void> = Promise.resolve();
  function record(o: Outcome, s: DrainSummary) {
    if (o.kind === "stored") s.stored++;
    else if (o.kind === "expired") s.expired++;
    else s.failed++;
    if (o.kind !== "stored") log("media_failed", { id: o.id, kind: o.kind, reason: o.reason });
    pending.push(o);
    writing = writing.then(async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      await sql`select private.media_results(${JSON.stringify(batch)}::text::jsonb)`;
    }).catch((err) => {
      // Those files stay leased and are taken again when their lease ends.
      log("results_not_recorded", { error: describe(err) });
    });
  }

  async function storeObject(path: string, bytes: Uint8Array, mime: string | null) {
    const { error } = await storage.from("media").upload(path, bytes, {
      contentType: mime ?? "application/octet-stream",
      upsert: false,
    });
    if (error && !isDuplicate(error)) throw error;
  }

  async function fetchOne(job: MediaJob): Promise<Outcome> {
    const stored = (path: string, sha: string, size: number, mime: string | null): Outcome => ({
      id: job.id,
      kind: "stored",
      path,
      url: objectUrl("media", path),
      sha256: sha,
      size,
      mime,
    });
    try {
      // The content the provider announced is already stored in the
      // workspace (the same photo forwarded twice), or came inline and the
      // webhook function stored it: not fetched again.
      if (job.existing) {
        return stored(job.existing.path, job.existing.sha256, job.existing.size, job.mime_type);
      }
      const inline = job.came_inline ? await inlineObject(job) : null;
      if (inline) return stored(inline.path, inline.sha256, inline.size, job.mime_type);
      const got = await fetchFromProvider(await withChannel(job), opts.provider);
      if (isFailure(got)) return { id: job.id, ...got };
      try {
        const mime = job.mime_type ?? got.mime;
        const path = contentPath(job.workspace_id, got.sha256, mime);
        await storeObject(path, got.bytes, mime);
        return stored(path, got.sha256, got.bytes.length, mime);
      } finally {
        got.release?.();
      }
    } catch (err) {
      // The project's own upload limit is below the workspace's: no retry helps.
      const kind = storageStatus(err) === "413" ? "final" : "retry";
      return { id: job.id, kind, reason: `storing failed: ${describe(err)}` };
    }
  }

  async function withChannel<J extends { channel_id: string | null }>(job: J): Promise<J> {
    return { ...job, channel: job.channel_id ? await channel(job.channel_id) : null };
  }

  // Inline bytes (Evolution webhookBase64) were stored by the webhook
  // function under their content's name.
  async function inlineObject(job: MediaJob) {
    const sha = announcedHex(job.provider_sha256);
    if (!sha) return null;
    const path = contentPath(job.workspace_id, sha, job.mime_type);
    const [row] = await sql<{ size: string | null }[]>`
      select o.metadata ->> 'size' as size from storage.objects o
       where o.bucket_id = 'media' and o.name = ${path}`;
    return row ? { path, sha256: sha, size: Number(row.size ?? 0) } : null;
  }

  async function processAvatar(job: AvatarJob, s: DrainSummary) {
    try {
      const got = await fetchAvatar(await withChannel(job), opts.provider);
      if (isFailure(got)) {
        await sql`select private.avatar_failed(${job.contact_id}::uuid, ${got.reason})`;
        return;
      }
      let path: string | null = null;
      if (got) {
        path = `${job.workspace_id}/contacts/${job.contact_id}`;
        const { error } = await storage.from("avatars").upload(path, got.bytes, {
          contentType: got.mime ?? "image/jpeg",
          upsert: true,
        });
        if (error) throw error;
      }
      await sql`select private.avatar_fetched(${job.contact_id}::uuid, ${path}, ${
        path ? objectUrl("avatars", path) : null
      })`;
      s.avatars++;
    } catch (err) {
      await sql`select private.avatar_failed(${job.contact_id}::uuid, ${describe(err)})`;
    }
  }

  async function processRemovals(items: Removal[], s: DrainSummary) {
    const [row] = await sql<{ ids: string[] }[]>`
      select private.storage_removals_still_unused(${items.map((r) => r.id)}::bigint[]) as ids`;
    const unused = new Set(row.ids.map(Number));
    const byBucket = new Map<string, Removal[]>();
    for (const r of items.filter((r) => unused.has(Number(r.id)))) {
      byBucket.set(r.bucket_id, [...(byBucket.get(r.bucket_id) ?? []), r]);
    }
    for (const [bucket, list] of byBucket) {
      const { error } = await storage.from(bucket).remove(list.map((r) => r.name));
      // Left in the queue, they come back after their backoff.
      if (error) {
        log("removal_failed", { bucket, error: describe(error) });
        continue;
      }
      await sql`select private.storage_removals_done(${list.map((r) => r.id)}::bigint[])`;
      s.removed += list.length;
    }
  }

  // Received files: `concurrency` fetches in flight, more claimed as slots
  // free up, so one slow file holds up no other. While draining, each claim
  // promises the database another within BUSY_MS, so new files need no poke;
  // once the queue has been dry for a while the promises stop, and the
  // worker polls on until the last one is GRACE_MS past (a transaction that
  // skipped its poke has committed by then) before it stops.
  const BUSY_MS = 1000;
  const POLL_MS = 200;
  const GRACE_MS = 2000;
  async function drainMedia(s: DrainSummary) {
    const inFlight = new Set<Promise<void>>();
    let idleSince: number | null = null;
    let promisedAt = 0;
    for (;;) {
      const now = performance.now();
      const idleFor = idleSince === null ? 0 : now - idleSince;
      const promise = idleFor < BUSY_MS ? BUSY_MS : 0;
      const room = concurrency - inFlight.size;
      let claimed: MediaJob[] = [];
      // Claims go in batches (a quarter of the slots), not one per freed slot.
      const batch = inFlight.size === 0 || room >= Math.max(1, concurrency / 4);
      if ((room > 0 && batch) || (promise && now - promisedAt > BUSY_MS / 2)) {
        const [c] = await sql<{ jobs: MediaJob[] }[]>`
          select private.claim_media(${opts.workerId}, ${room}, ${lease}, ${promise}) as jobs`;
        claimed = c.jobs;
        if (promise) promisedAt = now;
      }
      for (const job of claimed) {
        const p: Promise<void> = fetchOne(job).then((o) => record(o, s)).finally(() =>
          inFlight.delete(p)
        );
        inFlight.add(p);
      }
      if (claimed.length > 0 || inFlight.size > 0) idleSince = null;
      else idleSince ??= now;
      if (inFlight.size === 0 && claimed.length === 0) {
        if (idleFor >= 2 * BUSY_MS + GRACE_MS) break;
        await sleep(POLL_MS);
        continue;
      }
      // Claim again when a slot frees, or to keep the promise.
      if (claimed.length === 0 || inFlight.size >= concurrency) {
        await Promise.race([...inFlight, sleep(POLL_MS)]);
      }
    }
    await writing;
  }

  async function drainRest(s: DrainSummary) {
    for (;;) {
      const [c] = await sql<{ avatars: AvatarJob[]; removals: Removal[] }[]>`
        select private.claim_avatars(${opts.workerId}, 8, ${lease}) as avatars,
               private.claim_storage_removals(100) as removals`;
      if (c.avatars.length + c.removals.length === 0) return;
      await Promise.all([
        pool(c.avatars, 2, (j) => processAvatar(j, s)),
        c.removals.length ? processRemovals(c.removals, s) : Promise.resolve(),
      ]);
    }
  }

  async function drainOnce(): Promise<DrainSummary> {
    const started = performance.now();
    const s: DrainSummary = { stored: 0, failed: 0, expired: 0, avatars: 0, removed: 0, ms: 0 };
    do {
      again = false;
      await Promise.all([drainMedia(s), drainRest(s)]);
    } while (again);
    s.ms = Math.round(performance.now() - started);
    log("drained", s);
    return s;
  }

  return singleDrain(drainOnce, () => {
    again = true;
  });
}

// storage-js errors carry Storage's own code in statusCode ("409", "413").
function storageStatus(err: unknown): string | null {
  const e = err as { statusCode?: unknown; status?: unknown } | null;
  const code = e?.statusCode ?? e?.status;
  return code === undefined || code === null ? null : String(code);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
