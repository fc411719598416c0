// Local stand-in for Supabase Auth, on a loopback port the gateway serves at
// /auth/v1. It connects as supabase_auth_admin, GoTrue's role.
import postgres from "postgres";
import { createAuthApp } from "./auth/app.ts";
import { authSettings } from "./auth/settings.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const need = (k: string) => {
  const v = Deno.env.get(k);
  if (!v) throw new Error(`${k} is required`);
  return v;
};

const port = Number(need("THREADLINE_AUTH_PORT"));
const sql = postgres(need("THREADLINE_AUTH_DB_URL"), { max: 4, onnotice: () => {} });
const handle = createAuthApp({
  sql,
  jwtSecret: need("THREADLINE_JWT_SECRET"),
  issuer: `${need("SUPABASE_URL")}/auth/v1`,
  settings: authSettings(await Deno.readTextFile(`${root}/supabase/config.toml`)),
});

const server = Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: () => console.log(`[auth] listening on 127.0.0.1:${port}`),
}, handle);

const stop = async () => {
  await server.shutdown();
  await sql.end({ timeout: 1 });
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
