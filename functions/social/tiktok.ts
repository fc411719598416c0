import { call } from "./http.ts";
import { failure } from "./instagram.ts";
import {
  type Connected,
  type Fetch,
  type Metrics,
  PlatformError,
  type RefreshResult,
} from "./types.ts";

// TikTok (open.tiktokapis.com): Content Posting API direct posts, TikTok
// pulling the media from our signed URLs (PULL_FROM_URL; on a real app the
// URLs' domain must be verified with TikTok), then status/fetch until
// PUBLISH_COMPLETE. Access tokens last 24 hours and are renewed with the
// refresh token (365 days).

export type TiktokOptions = {
  baseUrl: string;
  clientKey: string;
  clientSecret: string;
  fetch?: Fetch;
};

const TRANSIENT = new Set([
  "internal_error",
  "rate_limit_exceeded",
  "spam_risk_too_many_pending_share",
]);
const BAD_TOKEN = new Set(["access_token_invalid", "invalid_grant", "invalid_client"]);

export function classifyTiktok(status: number, body: unknown): PlatformError {
  const b = body as { error?: unknown; error_description?: unknown } | null;
  // OAuth errors are flat: {"error": "invalid_grant", "error_description": ...}
  if (typeof b?.error === "string") {
    return new PlatformError(
      `${String(b.error_description ?? b.error)} (${b.error})`,
      status >= 500,
      b.error,
      BAD_TOKEN.has(b.error),
    );
  }
  const e = b?.error as { code?: unknown; message?: unknown } | undefined;
  if (!e || typeof e !== "object") {
    return new PlatformError(
      `TikTok answered HTTP ${status}`,
      status >= 500 || status === 429,
      `http_${status}`,
    );
  }
  const code = String(e.code ?? `http_${status}`);
  return new PlatformError(
    `${String(e.message || code)} (${code})`,
    status >= 500 || status === 429 || TRANSIENT.has(code),
    code,
    BAD_TOKEN.has(code),
  );
}

const PRIVACY = {
  public: "PUBLIC_TO_EVERYONE",
  followers: "FOLLOWER_OF_CREATOR",
  private: "SELF_ONLY",
} as const;

export function createTiktok(opts: TiktokOptions) {
  const fetch = opts.fetch ?? globalThis.fetch;
  const root = opts.baseUrl.replace(/\/+$/, "");

  async function post(token: string, path: string, body: unknown) {
    const b = await call(
      fetch,
      `${root}${path}`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json; charset=UTF-8",
        },
        body: JSON.stringify(body),
      },
      classifyTiktok,
      [token],
    );
    const code = (b.error as { code?: string } | undefined)?.code;
    if (code && code !== "ok") {
      const e = classifyTiktok(200, b);
      throw new PlatformError(e.message, e.transient, e.code, e.invalidToken);
    }
    return (b.data ?? {}) as Record<string, unknown>;
  }

  // The OAuth token endpoint (code exchange and refresh alike), the app's
  // credentials added; `secret` is what the answer must never echo.
  function oauthToken(params: Record<string, string>, secret: string) {
    return call(
      fetch,
      `${root}/v2/oauth/token/`,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_key: opts.clientKey,
          client_secret: opts.clientSecret,
          ...params,
        })
          .toString(),
      },
      classifyTiktok,
      [secret, opts.clientSecret],
    );
  }

  return {
    async init(
      token: string,
      kind: "image" | "video" | "carousel",
      urls: string[],
      caption: string,
      visibility: keyof typeof PRIVACY,
    ): Promise<string> {
      const privacy_level = PRIVACY[visibility];
      const d = kind === "video"
        ? await post(token, "/v2/post/publish/video/init/", {
          post_info: { title: caption.slice(0, 2200), privacy_level },
          source_info: { source: "PULL_FROM_URL", video_url: urls[0] },
        })
        : await post(token, "/v2/post/publish/content/init/", {
          post_info: {
            title: caption.slice(0, 90),
            description: caption.slice(0, 4000),
            privacy_level,
          },
          source_info: { source: "PULL_FROM_URL", photo_cover_index: 0, photo_images: urls },
          post_mode: "DIRECT_POST",
          media_type: "PHOTO",
        });
      if (typeof d.publish_id !== "string") {
        throw new PlatformError("TikTok answered without a publish_id", true);
      }
      return d.publish_id;
    },

    async status(
      token: string,
      publishId: string,
    ): Promise<{ status: string; postId?: string; reason?: string }> {
      const d = await post(token, "/v2/post/publish/status/fetch/", { publish_id: publishId });
      // sic: TikTok spells it publicaly_available_post_id
      const ids = (d.publicaly_available_post_id as (string | number)[] | undefined) ?? [];
      return {
        status: String(d.status ?? ""),
        postId: ids.length ? String(ids[0]) : undefined,
        reason: typeof d.fail_reason === "string" ? d.fail_reason : undefined,
      };
    },

    async metrics(token: string, postId: string): Promise<Metrics> {
      const d = await post(
        token,
        "/v2/video/query/?fields=id,like_count,comment_count,share_count,view_count",
        {
          filters: { video_ids: [postId] },
        },
      );
      const v = ((d.videos as Record<string, unknown>[] | undefined) ?? [])[0] ?? {};
      return {
        likes: Number(v.like_count ?? 0),
        comments: Number(v.comment_count ?? 0),
        shares: Number(v.share_count ?? 0),
        views: Number(v.view_count ?? 0),
      };
    },

    // Login Kit: the code for tokens (access 24 hours, refresh 365 days),
    // then the account's name.
    async exchangeCode(code: string, redirectUri: string): Promise<Connected> {
      const b = await oauthToken({
        code,
        grant_type: "authorization_code",
        redirect_uri: redirectUri,
      }, code);
      if (typeof b.access_token !== "string" || typeof b.open_id !== "string") {
        const e = classifyTiktok(400, b);
        throw new PlatformError(e.message, false, e.code);
      }
      const token = b.access_token;
      const info = await call(
        fetch,
        `${root}/v2/user/info/?fields=open_id,username,display_name`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
        classifyTiktok,
        [token],
      );
      const user = ((info.data ?? {}) as { user?: Record<string, unknown> }).user ?? {};
      return {
        platform_user_id: b.open_id,
        username: typeof user.username === "string" ? user.username : null,
        account_type: null,
        permissions: String(b.scope ?? "").split(",").filter(Boolean),
        access_token: token,
        expires_in: Number(b.expires_in ?? 86400),
        refresh_token: typeof b.refresh_token === "string" ? b.refresh_token : undefined,
        refresh_expires_in: b.refresh_expires_in === undefined
          ? undefined
          : Number(b.refresh_expires_in),
      };
    },

    async refresh(refreshToken: string | null): Promise<RefreshResult> {
      if (!refreshToken) return { ok: false, transient: false, error: "no refresh token stored" };
      try {
        const b = await oauthToken(
          { grant_type: "refresh_token", refresh_token: refreshToken },
          refreshToken,
        );
        if (typeof b.access_token !== "string") {
          const e = classifyTiktok(400, b);
          return { ok: false, transient: e.transient, error: e.message };
        }
        return {
          ok: true,
          access_token: b.access_token,
          refresh_token: typeof b.refresh_token === "string" ? b.refresh_token : undefined,
          expires_in: Number(b.expires_in ?? 86400),
          refresh_expires_in: b.refresh_expires_in === undefined
            ? undefined
            : Number(b.refresh_expires_in),
        };
      } catch (err) {
        return failure(err);
      }
    },
  };
}
