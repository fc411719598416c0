import { parse } from "smol-toml";

export type FunctionSpec = { name: string; entrypoint: string; verifyJwt: boolean };

// Reads [functions.<name>] from supabase/config.toml, the same entries the CLI
// uses for deploys, so the local gateway serves exactly what would be deployed.
export function functionsFromConfig(configText: string, supabaseDir: string): FunctionSpec[] {
  const config = parse(configText) as { functions?: Record<string, Record<string, unknown>> };
  return Object.entries(config.functions ?? {}).map(([name, entry]) => {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) throw new Error(`bad function name ${name}`);
    const entrypoint = typeof entry.entrypoint === "string"
      ? new URL(entry.entrypoint, `file://${supabaseDir}/`).pathname
      : `${supabaseDir}/functions/${name}/index.ts`;
    return { name, entrypoint, verifyJwt: entry.verify_jwt !== false };
  });
}
