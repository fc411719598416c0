import type { createInstagram } from "./instagram.ts";
import { describe } from "../../shared/errors.ts";
import { sleep } from "./http.ts";
import type { createTiktok } from "./tiktok.ts";
import { type ClaimedPost, PlatformError, type PostOutcome } from "./types.ts";

// One claimed cross-post taken as far as it goes now: the media container
// (Instagram) or publish (TikTok) is created once and its id kept, so a
// retry or a later look continues it instead of posting again.

export type PosterOptions = {
  instagram: ReturnType<typeof createInstagram>;
  tiktok: ReturnType<typeof createTiktok>;
  // a signed URL the platform can fetch the stored object from
  signedUrl: (path: string) => Promise<string>;
  // looks at the platform's processing before leaving it to a later drain
  polls: number;
  pollMs: number;
};

export function createPoster(opts: PosterOptions) {
  async function urls(post: ClaimedPost) {
    const out: { url: string; path: string }[] = [];
    for (const path of post.media_paths) out.push({ url: await opts.signedUrl(path), path });
    return out;
  }

  function caption(post: ClaimedPost): string {
    const tags = (post.tags ?? []).map((t) => `#${t.replace(/^#/, "")}`).join(" ");
    return [post.caption ?? "", tags].filter(Boolean).join("\n\n");
  }

  async function instagram(
    post: ClaimedPost,
    token: string,
    keep: (id: string) => void,
  ): Promise<PostOutcome> {
    const ig = opts.instagram;
    const waitFinished = async (container: string) => {
      for (let i = 0;; i++) {
        const s = await ig.status(token, container);
        if (s.code === "FINISHED") return;
        if (s.code === "ERROR" || s.code === "EXPIRED") {
          throw new PlatformError(
            s.text ?? `Instagram could not process the media (${s.code})`,
            false,
            s.code,
          );
        }
        if (i >= opts.polls) throw new StillProcessing(container);
        await sleep(opts.pollMs);
      }
    };
    let container = post.container_id;
    if (!container) {
      container = await ig.createContainer(
        token,
        post.platform_user_id,
        post.feed_type,
        await urls(post),
        caption(post),
        waitFinished,
      );
      keep(container);
    }
    await waitFinished(container);
    const m = await ig.publish(token, post.platform_user_id, container);
    return { kind: "posted", post_id: m.id, url: m.url };
  }

  async function tiktok(
    post: ClaimedPost,
    token: string,
    keep: (id: string) => void,
  ): Promise<PostOutcome> {
    const tt = opts.tiktok;
    let publishId = post.container_id;
    if (!publishId) {
      publishId = await tt.init(
        token,
        post.feed_type,
        (await urls(post)).map((u) => u.url),
        caption(post),
        post.visibility,
      );
      keep(publishId);
    }
    for (let i = 0;; i++) {
      const s = await tt.status(token, publishId);
      if (s.status === "PUBLISH_COMPLETE" && s.postId) {
        const kind = post.feed_type === "video" ? "video" : "photo";
        return {
          kind: "posted",
          post_id: s.postId,
          url: `https://www.tiktok.com/@${
            post.username ?? post.platform_user_id
          }/${kind}/${s.postId}`,
        };
      }
      if (s.status === "FAILED") {
        throw new PlatformError(
          `TikTok could not publish the post (${s.reason ?? "unknown reason"})`,
          false,
          s.reason,
        );
      }
      if (i >= opts.polls) throw new StillProcessing(publishId);
      await sleep(opts.pollMs);
    }
  }

  return async function run(post: ClaimedPost): Promise<PostOutcome> {
    if (!post.access_token) {
      return { kind: "failed", error: "the connection has no token stored", invalid_token: true };
    }
    let kept: string | undefined;
    const keep = (id: string) => (kept = id);
    try {
      return post.platform === "instagram"
        ? await instagram(post, post.access_token, keep)
        : await tiktok(post, post.access_token, keep);
    } catch (err) {
      if (err instanceof StillProcessing) {
        return { kind: "processing", container_id: err.container };
      }
      const e = err instanceof PlatformError ? err : new PlatformError(describe(err), true);
      const message = e.message.split(post.access_token).join("[redacted]");
      if (e.transient && !e.invalidToken) {
        return { kind: "retry", error: message, code: e.code, container_id: kept };
      }
      return { kind: "failed", error: message, code: e.code, invalid_token: e.invalidToken };
    }
  };
}

class StillProcessing extends Error {
  constructor(readonly container: string) {
    super("still processing");
  }
}
