// Object and bucket names as storage-api accepts them (src/storage/limits.ts):
// S3-safe characters only. Local files are kept by object id, never by
// name, so names cannot reach outside the storage folder; segments that a
// URL would rewrite (`.`, `..`) or drop (empty ones, a leading slash) are
// refused as well, since no client could address such an object.
const VALID_OBJECT_KEY = /^[A-Za-z0-9_/!.*'() &$=@;:+,?-]*$/;
const VALID_BUCKET_NAME = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]*$/;

export function isValidKey(key: string): boolean {
  if (key.length === 0 || !VALID_OBJECT_KEY.test(key)) return false;
  return key.split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

export function isValidBucketName(name: string): boolean {
  return name.length > 0 && name.length < 101 && VALID_BUCKET_NAME.test(name);
}

// "1MB", "20GB", "30KB", "3B" or a number of bytes (storage-api's
// parseFileSizeToBytes); null when the value is neither.
export function parseFileSize(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== "string") return null;
  const m = value.match(/^([0-9]+(?:\.[0-9]+)?)(gb|mb|kb|b)$/i);
  if (!m) return null;
  const n = +parseFloat(m[1]).toPrecision(3);
  const unit = { GB: 1e9, MB: 1e6, KB: 1e3, B: 1 }[m[2].toUpperCase() as "GB" | "MB" | "KB" | "B"];
  return n * unit;
}

// A bucket's allowed_mime_types: exact types or `type/*` wildcards.
export function mimeAllowed(mime: string, allowed: string[] | null): boolean {
  if (!allowed || allowed.length === 0) return true;
  const [type] = mime.split(";");
  const t = type.trim().toLowerCase();
  return allowed.some((a) => {
    const p = a.trim().toLowerCase();
    return p.endsWith("/*") ? t.startsWith(p.slice(0, -1)) : t === p;
  });
}
