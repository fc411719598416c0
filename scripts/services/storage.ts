// Local Supabase Storage, on a loopback port the gateway serves at
// /storage/v1. It connects as supabase_storage_admin, storage-api's role,
// and keeps object bytes under THREADLINE_STORAGE_DIR.
import postgres from "postgres";
import { requireEnv } from "../../shared/env.ts";
import { serveLocal } from "./serve-local.ts";
import { createStorageApp } from "./storage/app.ts";
import { FileStore } from "./storage/files.ts";

const port = Number(requireEnv("THREADLINE_STORAGE_PORT"));
const sql = postgres(requireEnv("THREADLINE_STORAGE_DB_URL"), { max: 8, onnotice: () => {} });
// Supabase's default upload limit (the CLI's storage.file_size_limit, 50MiB).
const maxFileSize = Number(Deno.env.get("THREADLINE_STORAGE_FILE_SIZE_LIMIT") ?? 50 * 1024 * 1024);
const handle = createStorageApp({
  sql,
  files: new FileStore(requireEnv("THREADLINE_STORAGE_DIR")),
  secret: requireEnv("THREADLINE_JWT_SECRET"),
  maxFileSize,
});

serveLocal("storage", port, sql, handle);
