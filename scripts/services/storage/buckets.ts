// Bucket routes, in the caller's role as storage-api runs them: policies
// on storage.buckets decide (service_role bypasses them).
import { asCaller, type Caller } from "./auth.ts";
import {
  bucketExists,
  bucketNotEmpty,
  invalidBucketName,
  invalidRequest,
  noSuchBucket,
} from "./errors.ts";
import { isValidBucketName, parseFileSize } from "./keys.ts";
import type { Ctx } from "./upload.ts";
import { json } from "../../../shared/http.ts";

const COLUMNS = [
  "id",
  "name",
  "owner",
  "public",
  "type",
  "file_size_limit",
  "allowed_mime_types",
  "created_at",
  "updated_at",
];

const scopeOf = (req: Request, operation: string) => ({
  method: req.method,
  path: new URL(req.url).pathname,
  operation,
  headers: req.headers,
});

type BucketBody = {
  id?: string;
  name?: string;
  public?: boolean;
  file_size_limit?: number | string | null;
  allowed_mime_types?: string[] | null;
  type?: string;
};

function limits(b: BucketBody) {
  const out: Record<string, unknown> = {};
  if (b.public !== undefined) out.public = Boolean(b.public);
  if (b.file_size_limit !== undefined) {
    const n = b.file_size_limit === null ? null : parseFileSize(b.file_size_limit);
    if (b.file_size_limit !== null && n === null) {
      throw invalidRequest("Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B");
    }
    out.file_size_limit = n;
  }
  if (b.allowed_mime_types !== undefined) out.allowed_mime_types = b.allowed_mime_types;
  return out;
}

export async function listBuckets(ctx: Ctx, req: Request, who: Caller) {
  const rows = await asCaller(
    ctx.sql,
    who,
    scopeOf(req, "storage.bucket.list"),
    (tx) => tx`select ${tx(COLUMNS)} from storage.buckets order by name`,
  );
  return json(rows);
}

export async function getBucket(ctx: Ctx, req: Request, who: Caller, id: string) {
  const [row] = await asCaller(
    ctx.sql,
    who,
    scopeOf(req, "storage.bucket.get"),
    (tx) => tx`select ${tx(COLUMNS)} from storage.buckets where id = ${id}`,
  );
  if (!row) throw noSuchBucket();
  return json(row);
}

export async function createBucket(ctx: Ctx, req: Request, who: Caller) {
  const b = (await req.json().catch(() => ({}))) as BucketBody;
  const name = b.name ?? "";
  const id = b.id ?? name;
  if (!isValidBucketName(name) || !isValidBucketName(id)) throw invalidBucketName();
  const row = {
    id,
    name,
    owner: null,
    owner_id: who.sub,
    ...limits(b),
    ...(b.type ? { type: b.type } : {}),
  };
  try {
    await asCaller(
      ctx.sql,
      who,
      scopeOf(req, "storage.bucket.create"),
      (tx) => tx`insert into storage.buckets ${tx(row)}`,
    );
  } catch (e) {
    if ((e as { code?: string }).code === "Duplicate") throw bucketExists();
    throw e;
  }
  return json({ name: id });
}

export async function updateBucket(ctx: Ctx, req: Request, who: Caller, id: string) {
  const set = limits((await req.json().catch(() => ({}))) as BucketBody);
  const updated = await asCaller(
    ctx.sql,
    who,
    scopeOf(req, "storage.bucket.update"),
    (tx) =>
      Object.keys(set).length
        ? tx`update storage.buckets set ${
          tx(set)
        }, updated_at = now() where id = ${id} returning id`
        : tx`select id from storage.buckets where id = ${id}`,
  );
  if (!updated[0]) throw noSuchBucket();
  return json({ message: "Successfully updated" });
}

export async function emptyBucket(ctx: Ctx, req: Request, who: Caller, id: string) {
  const deleted = await asCaller(ctx.sql, who, scopeOf(req, "storage.bucket.empty"), async (tx) => {
    const [bucket] = await tx`select id from storage.buckets where id = ${id}`;
    if (!bucket) throw noSuchBucket();
    return await tx`delete from storage.objects where bucket_id = ${id} returning id`;
  });
  for (const row of deleted) await ctx.files.remove(row.id);
  return json({ message: "Successfully emptied" });
}

export async function deleteBucket(ctx: Ctx, req: Request, who: Caller, id: string) {
  await asCaller(ctx.sql, who, scopeOf(req, "storage.bucket.delete"), async (tx) => {
    const [bucket] = await tx`select id from storage.buckets where id = ${id}`;
    if (!bucket) throw noSuchBucket();
    const [used] = await ctx.sql`select 1 from storage.objects where bucket_id = ${id} limit 1`;
    if (used) throw bucketNotEmpty();
    const gone = await tx`delete from storage.buckets where id = ${id} returning id`;
    if (!gone[0]) throw noSuchBucket();
  });
  return json({ message: "Successfully deleted" });
}
