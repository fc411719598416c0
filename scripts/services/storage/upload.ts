// Uploads as storage-api takes them (src/storage/uploader.ts): the bucket
// must exist, the caller's policies must allow the row (insert, or insert
// and update with x-upsert) before any byte is stored, the bucket's type
// and size limits hold, and the row is written in the caller's role with
// metadata as hosted fills it.
import type postgres from "postgres";
import { asCaller, type Caller } from "./auth.ts";
import { invalidKey, invalidMimeType, invalidRequest, noSuchBucket } from "./errors.ts";
import type { FileStore, Written } from "./files.ts";
import { isValidKey, mimeAllowed } from "./keys.ts";
import { boundaryOf, parseMultipart } from "./multipart.ts";
import { entityTooLarge } from "./errors.ts";

export type Ctx = { sql: postgres.Sql; files: FileStore; secret: string; maxFileSize: number };

type Body = {
  mimetype: string;
  cacheControl: string;
  stream: ReadableStream<Uint8Array> | null;
  declaredSize: number | null;
  userMetadata: Record<string, unknown> | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseJson(s: string | null): Record<string, unknown> | null {
  if (!s) return null;
  try {
    const v = JSON.parse(s);
    return v && typeof v === "object" ? v : null;
  } catch {
    throw invalidRequest("Invalid metadata");
  }
}

// storage-js sends a Blob as multipart form data (fields cacheControl,
// metadata and the file), anything else as the raw body with its headers.
async function readBody(req: Request): Promise<Body> {
  const type = req.headers.get("content-type") ?? "";
  const boundary = type.toLowerCase().startsWith("multipart/form-data") ? boundaryOf(type) : null;
  if (boundary) {
    // Held in memory to be split into parts (raw bodies stream to disk);
    // the size limit is checked on the declared length first.
    const parts = parseMultipart(new Uint8Array(await req.arrayBuffer()), boundary);
    const field = (name: string) => {
      const p = parts.find((x) => x.name === name && x.filename === null && x.type === null);
      return p ? new TextDecoder().decode(p.data) : null;
    };
    const file = parts.find((p) => p.filename !== null || p.type !== null) ??
      parts.find((p) => p.name === "");
    const cache = field("cacheControl");
    return {
      mimetype: file?.type || "text/plain",
      cacheControl: cache ? `max-age=${cache}` : "no-cache",
      stream: file ? new Blob([file.data as Uint8Array<ArrayBuffer>]).stream() : null,
      declaredSize: file ? file.data.byteLength : 0,
      userMetadata: parseJson(field("metadata")),
    };
  }
  const meta = req.headers.get("x-metadata");
  const length = req.headers.get("content-length");
  return {
    mimetype: type || "text/plain",
    cacheControl: req.headers.get("cache-control") ?? "no-cache",
    stream: req.body,
    declaredSize: length ? Number(length) : null,
    userMetadata: meta ? parseJson(new TextDecoder().decode(decodeBase64(meta))) : null,
  };
}

function decodeBase64(s: string): Uint8Array {
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  } catch {
    throw invalidRequest("Invalid metadata");
  }
}

export type Upload = {
  bucketId: string;
  name: string;
  upsert: boolean;
  owner: string | null;
};

type RowValues = Upload & {
  id: string;
  metadata: Record<string, unknown>;
  userMetadata: Record<string, unknown> | null;
  version: string;
};

// Writes the row in the caller's transaction; the id is the existing one
// when an upsert replaces an object.
export async function writeRow(tx: postgres.TransactionSql, v: RowValues): Promise<string> {
  const owner = v.owner && UUID.test(v.owner) ? v.owner : null;
  // Typed json parameters: postgres.js would encode a string as a JSON string.
  const metadata = tx.json(v.metadata as never);
  const userMetadata = v.userMetadata ? tx.json(v.userMetadata as never) : null;
  if (!v.upsert) {
    await tx`insert into storage.objects (id, bucket_id, name, owner, owner_id, metadata, version, user_metadata)
      values (${v.id}, ${v.bucketId}, ${v.name}, ${owner}, ${v.owner}, ${metadata}, ${v.version},
              ${userMetadata})`;
    return v.id;
  }
  const [row] =
    await tx`insert into storage.objects (id, bucket_id, name, owner, owner_id, metadata, version, user_metadata)
    values (${v.id}, ${v.bucketId}, ${v.name}, ${owner}, ${v.owner}, ${metadata}, ${v.version},
            ${userMetadata})
    on conflict (bucket_id, name) do update
      set owner = excluded.owner, owner_id = excluded.owner_id, metadata = excluded.metadata,
          version = excluded.version, user_metadata = excluded.user_metadata, last_accessed_at = now()
    returning id`;
  return row.id;
}

class Probe extends Error {}

export function mustBeValidKey(name: string) {
  if (!isValidKey(name)) throw invalidKey(name);
}

export async function upload(
  ctx: Ctx,
  req: Request,
  who: Caller,
  u: Upload,
  operation: string,
): Promise<{ Id: string; Key: string }> {
  mustBeValidKey(u.name);
  const [bucket] = await ctx.sql`select id, file_size_limit, allowed_mime_types
    from storage.buckets where id = ${u.bucketId}`;
  if (!bucket) throw noSuchBucket();
  const scope = {
    method: req.method,
    path: new URL(req.url).pathname,
    operation,
    headers: req.headers,
  };
  const limit = Math.min(ctx.maxFileSize, bucket.file_size_limit ?? Infinity);
  const length = Number(req.headers.get("content-length") ?? "0");
  // A multipart body carries a little more than the file: 64 KiB of slack.
  if (req.headers.get("content-type")?.startsWith("multipart/") && length > limit + 65536) {
    throw entityTooLarge();
  }
  const body = await readBody(req);
  if (!mimeAllowed(body.mimetype, bucket.allowed_mime_types)) throw invalidMimeType(body.mimetype);
  if (body.declaredSize !== null && body.declaredSize > limit) throw entityTooLarge();

  const values = (id: string, metadata: Record<string, unknown>): RowValues => ({
    ...u,
    id,
    metadata,
    userMetadata: body.userMetadata,
    version: crypto.randomUUID(),
  });
  // The policies decide before the bytes are read, as storage-api's canUpload.
  // The service role passes every policy, so its probe could only find a
  // duplicate early; the row's insert below finds it as well.
  if (who.role !== "service_role") {
    await asCaller(ctx.sql, who, scope, async (tx) => {
      await writeRow(tx, values(crypto.randomUUID(), {}));
      throw new Probe();
    }).catch((e) => {
      if (!(e instanceof Probe)) throw e;
    });
  }

  const written: Written = await ctx.files.write(body.stream, limit);
  try {
    const metadata = {
      eTag: `"${written.md5}"`,
      size: written.size,
      mimetype: body.mimetype,
      cacheControl: body.cacheControl,
      lastModified: new Date().toISOString(),
      contentLength: written.size,
      httpStatusCode: 200,
    };
    const id = await asCaller(ctx.sql, who, scope, async (tx) => {
      const id = await writeRow(tx, values(crypto.randomUUID(), metadata));
      await ctx.files.commit(written, id);
      return id;
    });
    return { Id: id, Key: `${u.bucketId}/${u.name}` };
  } finally {
    await ctx.files.discard(written);
  }
}
