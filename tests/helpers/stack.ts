import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// e2e tests run against the stack `npm test` builds (its variables are in the
// environment) or, when run by hand, against the one `npm start` left running.
export type Stack = {
  apiUrl: string;
  dbUrl: string;
  authDbUrl: string;
  fakeProviderUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
};

function fromFile(): Record<string, string> {
  const file = fileURLToPath(new URL("../../.threadline/run/stack.env", import.meta.url));
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => {
      const i = l.indexOf("=");
      return [l.slice(0, i), l.slice(i + 1)];
    }),
  );
}

export function stack(): Stack {
  const env = process.env.THREADLINE_DB_URL ? process.env : fromFile();
  const need = (k: string) => {
    const v = env[k];
    if (!v) throw new Error(`${k} is not set: run through npm test, or npm start first`);
    return v;
  };
  return {
    apiUrl: need("SUPABASE_URL"),
    dbUrl: need("THREADLINE_DB_URL"),
    authDbUrl: need("THREADLINE_AUTH_DB_URL"),
    fakeProviderUrl: need("THREADLINE_FAKE_PROVIDER_URL"),
    anonKey: need("SUPABASE_ANON_KEY"),
    serviceRoleKey: need("SUPABASE_SERVICE_ROLE_KEY"),
    jwtSecret: need("THREADLINE_JWT_SECRET"),
  };
}
