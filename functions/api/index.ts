import { db } from "../../shared/db.ts";
import { requireEnv } from "../../shared/env.ts";
import { createApp } from "./app.ts";

const app = createApp({ sql: db, publicUrl: () => requireEnv("SUPABASE_URL") });
Deno.serve(app.fetch);
