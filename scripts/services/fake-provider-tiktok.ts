import { json } from "../../shared/http.ts";
import {
  type Account,
  logId,
  type PlatformContext,
  type SocialFault,
} from "./fake-provider-social.ts";

// TikTok (open.tiktokapis.com): Content Posting API direct posts by
// PULL_FROM_URL (video/init, content/init for photos), status/fetch, the
// OAuth refresh (POST /v2/oauth/token/, grant_type=refresh_token) and
// video/query for metrics. Answers carry {"data":...,"error":{"code","message","log_id"}};
// OAuth errors are flat {"error","error_description","log_id"}.

type Publish = {
  id: string;
  owner: string;
  kind: "video" | "photo";
  title?: string;
  polls_left: number;
  status: "PROCESSING_DOWNLOAD" | "PUBLISH_COMPLETE" | "FAILED";
  fail_reason?: string;
  post_id?: string;
};

function answer(status: number, data: unknown, code = "ok", message = ""): Response {
  return json({
    ...(data === undefined ? {} : { data }),
    error: { code, message, log_id: logId() },
  }, status);
}

function faultResponse(f: SocialFault): Response | null {
  switch (f.kind) {
    case "server_error":
      return answer(
        500,
        undefined,
        "internal_error",
        "Something went wrong. Please try again later.",
      );
    case "rate_limit":
      return answer(
        429,
        undefined,
        "rate_limit_exceeded",
        "API rate limit was exceeded, please try again later.",
      );
    case "invalid_token":
      return answer(
        401,
        undefined,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
      );
    case "refresh_denied":
      return json({
        error: "invalid_grant",
        error_description: "Refresh token is invalid or expired.",
        log_id: logId(),
      }, 400);
    case "invalid_media":
      return null; // applied when the media is pulled
  }
}

let seq = 7_400_000_000_000_000_000n;
const nextId = () => String(++seq);

export function createFakeTiktok(ctx: PlatformContext) {
  const publishes = new Map<string, Publish>();

  function authorise(req: Request): Account | Response {
    const auth = req.headers.get("authorization") ?? "";
    const token = auth.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : null;
    const a = ctx.account(token);
    if (a === "expired") {
      return answer(
        401,
        undefined,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
      );
    }
    if (!a) {
      return answer(
        401,
        undefined,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
      );
    }
    return a;
  }

  async function init(
    a: Account,
    kind: "video" | "photo",
    body: unknown,
    fault?: SocialFault,
  ): Promise<Response> {
    const b = (body ?? {}) as {
      post_info?: { title?: string; description?: string; privacy_level?: string };
      source_info?: { source?: string; video_url?: string; photo_images?: string[] };
      media_type?: string;
      post_mode?: string;
    };
    const src = b.source_info;
    if (src?.source !== "PULL_FROM_URL") {
      return answer(
        400,
        undefined,
        "invalid_params",
        "source_info.source must be PULL_FROM_URL or FILE_UPLOAD",
      );
    }
    const privacy = b.post_info?.privacy_level;
    if (
      !privacy ||
      !["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"].includes(
        privacy,
      )
    ) {
      return answer(
        400,
        undefined,
        "invalid_params",
        "post_info.privacy_level is required and must be one of the creator's options",
      );
    }
    const urls = kind === "video" ? [src.video_url] : src.photo_images ?? [];
    if (kind === "photo" && (b.media_type !== "PHOTO" || urls.length < 1 || urls.length > 35)) {
      return answer(
        400,
        undefined,
        "invalid_params",
        "media_type must be PHOTO with 1 to 35 photo_images",
      );
    }
    if (urls.some((u) => !u)) {
      return answer(400, undefined, "invalid_params", "source_info is missing the media URL");
    }
    const p: Publish = {
      id: `${kind === "video" ? "v_pub_url" : "p_pub_url"}~v2.${nextId()}`,
      owner: a.user_id,
      kind,
      title: b.post_info?.title ?? b.post_info?.description,
      polls_left: a.processing_polls ?? 1,
      status: "PROCESSING_DOWNLOAD",
    };
    for (const u of urls) {
      const got = fault?.kind === "invalid_media" ? { ok: false } : await ctx.pull(u!);
      if (!got.ok) {
        p.status = "FAILED";
        p.fail_reason = kind === "video" ? "video_pull_failed" : "photo_pull_failed";
        break;
      }
    }
    publishes.set(p.id, p);
    return answer(200, { publish_id: p.id });
  }

  function status(a: Account, body: unknown): Response {
    const id = (body as { publish_id?: string } | null)?.publish_id;
    const p = id ? publishes.get(id) : undefined;
    if (!p || p.owner !== a.user_id) {
      return answer(400, undefined, "invalid_publish_id", "publish_id does not exist");
    }
    if (p.status === "PROCESSING_DOWNLOAD") {
      if (p.polls_left > 0) p.polls_left -= 1;
      else {
        p.status = "PUBLISH_COMPLETE";
        p.post_id = nextId();
      }
    }
    return answer(200, {
      status: p.status,
      ...(p.fail_reason ? { fail_reason: p.fail_reason } : {}),
      // sic: TikTok's field name
      publicaly_available_post_id: p.post_id ? [Number(p.post_id)] : [],
      uploaded_bytes: 0,
      downloaded_bytes: p.status === "FAILED" ? 0 : 1048576,
    });
  }

  function token(body: unknown): Response {
    const b = (body ?? {}) as Record<string, string>;
    if (!b.client_key || !b.client_secret) {
      return json({
        error: "invalid_client",
        error_description: "Client key or secret is incorrect.",
        log_id: logId(),
      }, 401);
    }
    if (b.grant_type !== "refresh_token" && b.grant_type !== "authorization_code") {
      return json({
        error: "unsupported_grant_type",
        error_description: "grant_type is not supported.",
        log_id: logId(),
      }, 400);
    }
    // the token endpoint serves both the code exchange and refreshes
    const byCode = b.grant_type === "authorization_code";
    const a = byCode
      ? ctx.redeem(b.code ?? "", b.redirect_uri ?? "")
      : b.refresh_token
      ? ctx.accountByRefresh(b.refresh_token)
      : undefined;
    if (!a) {
      return json({
        error: "invalid_grant",
        error_description: byCode
          ? "Authorization code is expired."
          : "Refresh token is invalid or expired.",
        log_id: logId(),
      }, 400);
    }
    const access = `act.${crypto.randomUUID().replaceAll("-", "")}`;
    const refreshToken = `rft.${crypto.randomUUID().replaceAll("-", "")}`;
    ctx.issue(a, access, refreshToken);
    return json({
      access_token: access,
      expires_in: 86400,
      open_id: a.user_id,
      refresh_expires_in: 31536000,
      refresh_token: refreshToken,
      scope: "user.info.basic,video.publish,video.list",
      token_type: "Bearer",
    });
  }

  function query(a: Account, body: unknown): Response {
    const ids = (body as { filters?: { video_ids?: string[] } } | null)?.filters?.video_ids ?? [];
    const videos = [...publishes.values()]
      .filter((p) => p.owner === a.user_id && p.post_id && ids.map(String).includes(p.post_id))
      .map((p) => {
        const s = Number(BigInt(p.post_id!) % 89n);
        return {
          id: p.post_id,
          title: p.title,
          share_url: `https://www.tiktok.com/@${a.username}/video/${p.post_id}`,
          like_count: s,
          comment_count: s % 5,
          share_count: s % 4,
          view_count: s * 20,
        };
      });
    return answer(200, { videos, cursor: 0, has_more: false });
  }

  async function handle(req: Request, url: URL, body: unknown): Promise<Response> {
    const path = url.pathname.slice("/tiktok".length);
    const f = ctx.fault(path);
    const injected = f ? faultResponse(f) : null;
    if (injected) return injected;
    if (path === "/v2/user/info/" && req.method === "GET") {
      const who = authorise(req);
      if (who instanceof Response) return who;
      return answer(200, {
        user: { open_id: who.user_id, username: who.username, display_name: who.username },
      });
    }
    if (req.method !== "POST") return answer(404, undefined, "not_found", "no such endpoint");
    if (path === "/v2/oauth/token/") return token(body);
    const who = authorise(req);
    if (who instanceof Response) return who;
    switch (path) {
      case "/v2/post/publish/video/init/":
        return await init(who, "video", body, f);
      case "/v2/post/publish/content/init/":
        return await init(who, "photo", body, f);
      case "/v2/post/publish/status/fetch/":
        return status(who, body);
      case "/v2/video/query/":
        return query(who, body);
    }
    return answer(404, undefined, "not_found", "no such endpoint");
  }

  return {
    handle,
    published: () => [...publishes.values()].filter((p) => p.post_id),
  };
}
