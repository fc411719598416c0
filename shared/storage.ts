import { createClient } from "@supabase/supabase-js";
import { requireEnv } from "./env.ts";

// Storage as product code sees it: supabase-js with the service role key,
// against the project's own URL, so the same code runs on hosted.

export type Storage = ReturnType<typeof createClient>["storage"];

let shared: Storage | undefined;

export function storage(): Storage {
  shared ??= createClient(requireEnv("SUPABASE_URL"), requireEnv("SUPABASE_SERVICE_ROLE_KEY"), {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  }).storage;
  return shared;
}

// The object's URL for an authenticated download: a GET with a member's JWT
// (and the apikey) answers the bytes, under the bucket's policies.
export function objectUrl(bucket: string, name: string): string {
  const path = name.split("/").map(encodeURIComponent).join("/");
  return `${requireEnv("SUPABASE_URL")}/storage/v1/object/authenticated/${bucket}/${path}`;
}

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/aac": "aac",
  "audio/amr": "amr",
  "application/pdf": "pdf",
  "text/plain": "txt",
  "application/zip": "zip",
  "application/msword": "doc",
  "application/vnd.ms-excel": "xls",
  "application/vnd.ms-powerpoint": "ppt",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
};

// A file extension for a MIME type, so that a downloaded object opens.
export function extensionFor(mime: string | null | undefined): string {
  return EXTENSIONS[(mime ?? "").split(";")[0].trim().toLowerCase()] ?? "bin";
}

// Where a received file lives: named by its content, so the same file
// received twice in a workspace is one object.
export function contentPath(workspaceId: string, sha256: string, mime: string | null): string {
  return `${workspaceId}/sha256/${sha256}.${extensionFor(mime)}`;
}

// Storage answers an upload of an existing name without upsert with 409
// ("The resource already exists"); for a content-named object that is success.
export function isDuplicate(error: unknown): boolean {
  const e = error as { statusCode?: unknown; status?: unknown; message?: unknown } | null;
  return String(e?.statusCode) === "409" || e?.status === 409 ||
    /already exists|duplicate/i.test(String(e?.message ?? ""));
}
