import { createClient } from "@supabase/supabase-js";
import { inBackground } from "../../shared/background.ts";
import { db } from "../../shared/db.ts";
import { createDrainHandler, type DrainDeps } from "../../shared/drain-handler.ts";
import { readEnv, requireEnv } from "../../shared/env.ts";
import { storage } from "../../shared/storage.ts";
import { type ConnectDeps, createConnectHandler } from "./connect.ts";
import { createInstagram } from "./instagram.ts";
import { createPoster } from "./poster.ts";
import { createTiktok } from "./tiktok.ts";
import { createSocialWorker, type DrainSummary } from "./worker.ts";

// POST /social: the shared drain handler over the cross-posting worker
// (service role). POST /social/connect: a user connects an account with an
// OAuth authorization code (connect.ts). The platforms' base URLs come from
// the environment: the real ones on a hosted project, the fake provider
// locally (scripts/lib/common.sh).

export type Deps = DrainDeps<DrainSummary> & { connect: ConnectDeps };

export function createHandler(deps: Deps) {
  const drain = createDrainHandler("social", deps);
  const connect = createConnectHandler(deps.connect);
  return (req: Request): Promise<Response> =>
    new URL(req.url).pathname.replace(/\/+$/, "").endsWith("/connect") ? connect(req) : drain(req);
}

export function defaultDeps(): Deps {
  const log = (event: string, fields: Record<string, unknown>) =>
    console.log(JSON.stringify({ fn: "social", event, ...fields }));
  const instagram = createInstagram({
    baseUrl: readEnv("THREADLINE_INSTAGRAM_API_URL") ?? "https://graph.instagram.com",
    version: readEnv("THREADLINE_INSTAGRAM_API_VERSION") ?? "v21.0",
    oauthUrl: readEnv("THREADLINE_INSTAGRAM_OAUTH_URL") ?? "https://api.instagram.com",
    appId: readEnv("THREADLINE_INSTAGRAM_APP_ID") ?? "",
    appSecret: readEnv("THREADLINE_INSTAGRAM_APP_SECRET") ?? "",
  });
  const tiktok = createTiktok({
    baseUrl: readEnv("THREADLINE_TIKTOK_API_URL") ?? "https://open.tiktokapis.com",
    clientKey: readEnv("THREADLINE_TIKTOK_CLIENT_KEY") ?? "",
    clientSecret: readEnv("THREADLINE_TIKTOK_CLIENT_SECRET") ?? "",
  });
  const ttl = Number(readEnv("THREADLINE_SOCIAL_SIGNED_URL_SECONDS") ?? 3600);
  const post = createPoster({
    instagram,
    tiktok,
    polls: Number(readEnv("THREADLINE_SOCIAL_POLLS") ?? 5),
    pollMs: Number(readEnv("THREADLINE_SOCIAL_POLL_MS") ?? 2000),
    async signedUrl(path) {
      const { data, error } = await storage().from("media").createSignedUrl(path, ttl);
      if (error || !data?.signedUrl) {
        throw new Error(`cannot sign ${path}: ${error?.message ?? "no URL"}`);
      }
      return data.signedUrl;
    },
  });
  const worker = createSocialWorker({
    sql: db(),
    instagram,
    tiktok,
    post,
    workerId: `social-${crypto.randomUUID().slice(0, 8)}`,
    log,
  });
  const connect: ConnectDeps = {
    exchange: { instagram: instagram.exchangeCode, tiktok: tiktok.exchangeCode },
    async connect(jwt, args) {
      const client = createClient(requireEnv("SUPABASE_URL"), requireEnv("SUPABASE_ANON_KEY"), {
        global: { headers: { Authorization: `Bearer ${jwt}` } },
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      });
      // deno-lint-ignore no-explicit-any
      return await client.rpc("connect_social_account", args as any);
    },
  };
  return { worker, background: inBackground("[social] drain failed"), connect };
}
