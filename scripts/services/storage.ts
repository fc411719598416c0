// Local Supabase Storage, on a loopback port the gateway serves at
// /storage/v1. It connects as supabase_storage_admin, storage-api's role,
// and keeps object bytes under THREADLINE_STORAGE_DIR.
import postgres from "postgres";
import { createStorageApp } from "./storage/app.ts";
import { FileStore } from "./storage/files.ts";

const need = (k: string) => {
  const v = Deno.env.get(k);
  if (!v) throw new Error(`${k} is required`);
  return v;
};

const port = Number(need("THREADLINE_STORAGE_PORT"));
const sql = postgres(need("THREADLINE_STORAGE_DB_URL"), { max: 8, onnotice: () => {} });
// Supabase's default upload limit (the CLI's storage.file_size_limit, 50MiB).
const maxFileSize = Number(Deno.env.get("THREADLINE_STORAGE_FILE_SIZE_LIMIT") ?? 50 * 1024 * 1024);
const handle = createStorageApp({
  sql,
  files: new FileStore(need("THREADLINE_STORAGE_DIR")),
  secret: need("THREADLINE_JWT_SECRET"),
  maxFileSize,
});

const server = Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: () => console.log(`[storage] listening on 127.0.0.1:${port}`),
}, handle);

const stop = async () => {
  await server.shutdown();
  await sql.end({ timeout: 1 });
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
