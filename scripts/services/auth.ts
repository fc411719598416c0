// Local stand-in for Supabase Auth, on a loopback port the gateway serves at
// /auth/v1. It connects as supabase_auth_admin, GoTrue's role.
import postgres from "postgres";
import { requireEnv } from "../../shared/env.ts";
import { serveLocal } from "./serve-local.ts";
import { createAuthApp } from "./auth/app.ts";
import { authSettings } from "./auth/settings.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

const port = Number(requireEnv("THREADLINE_AUTH_PORT"));
const sql = postgres(requireEnv("THREADLINE_AUTH_DB_URL"), { max: 4, onnotice: () => {} });
const handle = createAuthApp({
  sql,
  jwtSecret: requireEnv("THREADLINE_JWT_SECRET"),
  issuer: `${requireEnv("SUPABASE_URL")}/auth/v1`,
  settings: authSettings(await Deno.readTextFile(`${root}/supabase/config.toml`)),
});

serveLocal("auth", port, sql, handle);
