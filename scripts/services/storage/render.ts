// An object's bytes or headers as storage-api serves them (its asset and
// head renderers): type, length, cache-control, ETag and Last-Modified from
// the row's metadata; ?download asks the browser to save it.
import type { FileStore } from "./files.ts";
import { noSuchKey } from "./errors.ts";

export type ObjectRow = {
  id: string;
  name: string;
  bucket_id: string;
  version: string | null;
  metadata: Record<string, unknown> | null;
  user_metadata: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
};

export const OBJECT_COLUMNS = [
  "id",
  "name",
  "bucket_id",
  "version",
  "metadata",
  "user_metadata",
  "created_at",
  "updated_at",
];

function headers(row: ObjectRow, url: URL): Headers {
  const m = row.metadata ?? {};
  const h = new Headers();
  h.set("content-type", String(m.mimetype ?? "application/octet-stream"));
  if (m.cacheControl) h.set("cache-control", String(m.cacheControl));
  if (m.eTag) h.set("etag", String(m.eTag));
  if (m.lastModified) h.set("last-modified", new Date(String(m.lastModified)).toUTCString());
  if (m.size !== undefined) h.set("content-length", String(m.size));
  h.set("accept-ranges", "bytes");
  const download = url.searchParams.get("download");
  if (download !== null) {
    const name = download || row.name.split("/").pop() || row.name;
    h.set("content-disposition", `attachment; filename=${encodeURIComponent(name)};`);
  }
  return h;
}

export async function renderAsset(
  files: FileStore,
  row: ObjectRow,
  req: Request,
  extra: HeadersInit = {},
): Promise<Response> {
  const url = new URL(req.url);
  const h = headers(row, url);
  for (const [k, v] of new Headers(extra)) h.set(k, v);
  if (req.method === "HEAD") return new Response(null, { status: 200, headers: h });
  const file = await files.open(row.id);
  if (!file) throw noSuchKey();
  return new Response(file.readable, { status: 200, headers: h });
}

export function renderInfo(row: ObjectRow): Response {
  const m = row.metadata ?? {};
  const body = {
    id: row.id,
    name: row.name,
    version: row.version,
    bucket_id: row.bucket_id,
    size: m.size ?? null,
    content_type: m.mimetype ?? null,
    cache_control: m.cacheControl ?? null,
    etag: m.eTag ?? null,
    metadata: row.user_metadata,
    last_modified: row.updated_at,
    created_at: row.created_at,
  };
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "content-type": "application/json", ...(m.eTag ? { etag: String(m.eTag) } : {}) },
  });
}
