// Errors as storage-api renders them: the HTTP status is 400 for every
// client error (500 for its own), the real status travels as a string in
// `statusCode`, next to `error` and `message`
// (supabase/storage: src/internal/errors, src/http/error-handler.ts).
export class StorageError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly error: string,
    message: string,
    readonly httpStatus = statusCode >= 500 ? 500 : 400,
  ) {
    super(message);
  }

  toResponse(): Response {
    const body = {
      statusCode: String(this.statusCode),
      code: this.code,
      error: this.error,
      message: this.message,
    };
    return new Response(JSON.stringify(body), {
      status: this.httpStatus,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
  }
}

export const noSuchBucket = () =>
  new StorageError(404, "NoSuchBucket", "Bucket not found", "Bucket not found");
export const noSuchKey = () => new StorageError(404, "NoSuchKey", "not_found", "Object not found");
export const accessDenied = (message = "Access denied") =>
  new StorageError(403, "AccessDenied", "Unauthorized", message);
export const duplicate = () =>
  new StorageError(409, "Duplicate", "Duplicate", "The resource already exists");
export const bucketExists = () =>
  new StorageError(409, "BucketAlreadyExists", "Duplicate", "The resource already exists");
export const bucketNotEmpty = () =>
  new StorageError(
    409,
    "InvalidRequest",
    "InvalidRequest",
    "The bucket you tried to delete is not empty",
  );
export const entityTooLarge = () =>
  new StorageError(
    413,
    "EntityTooLarge",
    "Payload too large",
    "The object exceeded the maximum allowed size",
  );
export const invalidMimeType = (mime: string) =>
  new StorageError(
    415,
    "InvalidMimeType",
    "invalid_mime_type",
    `mime type ${mime} is not supported`,
  );
export const invalidKey = (key: string) =>
  new StorageError(400, "InvalidKey", "InvalidKey", `Invalid key: ${key}`);
export const invalidBucketName = () =>
  new StorageError(400, "InvalidBucketName", "InvalidBucketName", "Bucket name invalid");
export const invalidJwt = (message = "Invalid JWT") =>
  new StorageError(400, "InvalidJWT", "InvalidJWT", message);
export const invalidSignature = (message = "Invalid signature") =>
  new StorageError(400, "InvalidSignature", "InvalidSignature", message);
export const expiredSignature = () =>
  new StorageError(400, "ExpiredToken", "ExpiredToken", "The provided token has expired.");
export const invalidRequest = (message: string) =>
  new StorageError(400, "InvalidRequest", "InvalidRequest", message);
export const notFoundRoute = (method: string, path: string) =>
  new StorageError(404, "NotFound", "Not Found", `Route ${method}:${path} not found`, 404);

// Database errors as storage-api maps them (src/storage/database/errors.ts).
export function fromDbError(e: unknown): StorageError | null {
  const err = e as { code?: string; message?: string };
  switch (err?.code) {
    case "42501":
      return accessDenied(
        err.message?.includes("row-level security")
          ? "new row violates row-level security policy"
          : err.message,
      );
    case "23505":
      return duplicate();
    case "23503":
      return new StorageError(
        400,
        "InvalidRequest",
        "InvalidRequest",
        "The resource could not be updated or removed due to a foreign key constraint",
      );
    case "22P02":
      return invalidRequest(err.message ?? "Invalid parameter");
    default:
      return null;
  }
}
