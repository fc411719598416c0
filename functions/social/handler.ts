import { inBackground } from "../../shared/background.ts";
import { db } from "../../shared/db.ts";
import { createDrainHandler, type DrainDeps } from "../../shared/drain-handler.ts";
import { readEnv } from "../../shared/env.ts";
import { storage } from "../../shared/storage.ts";
import { createInstagram } from "./instagram.ts";
import { createPoster } from "./poster.ts";
import { createTiktok } from "./tiktok.ts";
import { createSocialWorker, type DrainSummary } from "./worker.ts";

// POST /social: the shared drain handler over the cross-posting worker. The
// platforms' base URLs come from the environment: the real ones on a hosted
// project, the fake provider locally (scripts/lib/common.sh).

export type Deps = DrainDeps<DrainSummary>;

export function createHandler(deps: Deps) {
  return createDrainHandler("social", deps);
}

export function defaultDeps(): Deps {
  const log = (event: string, fields: Record<string, unknown>) =>
    console.log(JSON.stringify({ fn: "social", event, ...fields }));
  const instagram = createInstagram({
    baseUrl: readEnv("THREADLINE_INSTAGRAM_API_URL") ?? "https://graph.instagram.com",
    version: readEnv("THREADLINE_INSTAGRAM_API_VERSION") ?? "v21.0",
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
  return { worker, background: inBackground("[social] drain failed") };
}
