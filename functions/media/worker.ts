import type { Sql } from "../../shared/db.ts";
import { contentPath, isDuplicate, objectUrl, type Storage } from "../../shared/storage.ts";
import { fetchAvatar } from "./avatars.ts";
import { announcedHex, type Failure, isFailure } from "./download.ts";
import { fetchFromProvider, type ProviderFetchOptions } from "./providers.ts";
import type { AvatarJob, Log, MediaJob, Removal } from "./types.ts";

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
  claimLimit?: number;
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

export function createMediaWorker(opts: WorkerOptions) {
  const { sql, storage } = opts;
  const concurrency = opts.concurrency ?? 8;
  const claimLimit = opts.claimLimit ?? 32;
  const lease = opts.leaseSeconds ?? 180;
  const log = opts.log ?? (() => {});
  let running: Promise<DrainSummary> | null = null;
  let again = false;

  async function storeObject(path: string, bytes: Uint8Array, mime: string | null) {
    const { error } = await storage.from("media").upload(path, bytes, {
      contentType: mime ?? "application/octet-stream",
      upsert: false,
    });
    if (error && !isDuplicate(error)) throw error;
  }

  async function fail(job: MediaJob, f: Failure, s: DrainSummary) {
    await sql`select private.media_fetch_failed(${job.id}::uuid, ${f.reason}, ${f.kind})`;
    if (f.kind === "expired") s.expired++;
    else s.failed++;
    log("media_failed", { id: job.id, kind: f.kind, reason: f.reason });
  }

  async function stored(
    job: MediaJob,
    path: string,
    sha: string,
    size: number,
    mime: string | null,
  ) {
    await sql`select private.media_fetched(${job.id}::uuid, ${path}, ${
      objectUrl("media", path)
    }, ${sha}, ${size}, ${mime})`;
  }

  async function processMedia(job: MediaJob, s: DrainSummary) {
    try {
      // A file whose content is already stored in the workspace (the same
      // photo forwarded twice, or inline bytes the webhook stored) is not
      // fetched again.
      const known = announcedHex(job.provider_sha256);
      if (known) {
        const [row] = await sql<{ path: string | null; size: number | null }[]>`
          select f.storage_path as path, f.size_bytes as size from public.media_files f
           where f.workspace_id = ${job.workspace_id}::uuid and f.sha256 = ${known}
             and f.status = 'stored' limit 1`;
        const path = row?.path ??
          (job.came_inline ? await inlineObject(job, known) : null);
        if (path) {
          await stored(job, path, known, row?.size ?? job.size_bytes ?? 0, job.mime_type);
          s.stored++;
          return;
        }
      }
      const got = await fetchFromProvider(job, opts.provider);
      if (isFailure(got)) return await fail(job, got, s);
      const mime = job.mime_type ?? got.mime;
      const path = contentPath(job.workspace_id, got.sha256, mime);
      const [dup] = await sql<{ path: string | null }[]>`
        select private.media_object_for(${job.workspace_id}::uuid, ${got.sha256}) as path`;
      if (!dup?.path) await storeObject(path, got.bytes, mime);
      await stored(job, dup?.path ?? path, got.sha256, got.bytes.length, mime);
      s.stored++;
    } catch (err) {
      // The project's own upload limit is below the workspace's: no retry helps.
      const kind = storageStatus(err) === "413" ? "final" : "retry";
      await fail(job, { kind, reason: `storing failed: ${describe(err)}` }, s);
    }
  }

  // Inline bytes (Evolution webhookBase64) were stored by the webhook
  // function under their content's name.
  async function inlineObject(job: MediaJob, sha: string): Promise<string | null> {
    const path = contentPath(job.workspace_id, sha, job.mime_type);
    const [row] = await sql<{ found: boolean }[]>`
      select exists (select 1 from storage.objects o where o.bucket_id = 'media' and o.name = ${path}) as found`;
    return row?.found ? path : null;
  }

  async function processAvatar(job: AvatarJob, s: DrainSummary) {
    try {
      const got = await fetchAvatar(job, opts.provider);
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

  async function round(s: DrainSummary): Promise<boolean> {
    const [c] = await sql<{ media: MediaJob[]; avatars: AvatarJob[]; removals: Removal[] }[]>`
      select private.claim_media(${opts.workerId}, ${claimLimit}, ${lease}) as media,
             private.claim_avatars(${opts.workerId}, ${
      Math.ceil(claimLimit / 4)
    }, ${lease}) as avatars,
             private.claim_storage_removals(100) as removals`;
    const work = c.media.length + c.avatars.length + c.removals.length;
    if (work === 0) return false;
    await Promise.all([
      pool(c.media, concurrency, (j) => processMedia(j, s)),
      pool(c.avatars, 2, (j) => processAvatar(j, s)),
      c.removals.length ? processRemovals(c.removals, s) : Promise.resolve(),
    ]);
    return true;
  }

  async function drainOnce(): Promise<DrainSummary> {
    const started = performance.now();
    const s: DrainSummary = { stored: 0, failed: 0, expired: 0, avatars: 0, removed: 0, ms: 0 };
    do {
      again = false;
      while (await round(s)) { /* until nothing is due */ }
    } while (again);
    s.ms = Math.round(performance.now() - started);
    log("drained", s);
    return s;
  }

  return {
    get running() {
      return running !== null;
    },
    drain(): Promise<DrainSummary> {
      if (running) {
        again = true;
        return running;
      }
      running = drainOnce().finally(() => {
        running = null;
      });
      return running;
    },
  };
}

function describe(err: unknown): string {
  const m = (err as { message?: unknown })?.message;
  return typeof m === "string" ? m : String(err);
}

// storage-js errors carry Storage's own code in statusCode ("409", "413").
function storageStatus(err: unknown): string | null {
  const e = err as { statusCode?: unknown; status?: unknown } | null;
  const code = e?.statusCode ?? e?.status;
  return code === undefined || code === null ? null : String(code);
}
