import { call } from "./http.ts";
import {
  type Connected,
  type Fetch,
  type Metrics,
  PlatformError,
  type RefreshResult,
} from "./types.ts";

// Instagram API with Instagram Login (graph.instagram.com): content
// publishing by media containers. An image or a reel is one container; a
// carousel is a container per item (is_carousel_item) and a CAROUSEL
// container naming them. Instagram fetches each media URL itself, then the
// container is published with media_publish once its status_code is
// FINISHED.

export type InstagramOptions = {
  baseUrl: string;
  version: string;
  fetch?: Fetch;
  // api.instagram.com, where authorization codes are exchanged; and the app's credentials
  oauthUrl?: string;
  appId?: string;
  appSecret?: string;
};

const ACCOUNT_TYPES: Record<string, Connected["account_type"]> = {
  BUSINESS: "business",
  MEDIA_CREATOR: "creator",
  CREATOR: "creator",
  PERSONAL: "personal",
};

// Graph error codes worth another try: unknown/service errors, app, user
// and per-call rate limits.
const TRANSIENT = new Set([1, 2, 4, 17, 32, 341, 613]);

export function classifyInstagram(status: number, body: unknown): PlatformError {
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!e || typeof e !== "object") {
    return new PlatformError(
      `Instagram answered HTTP ${status}`,
      status >= 500 || status === 429,
      `http_${status}`,
    );
  }
  const code = Number(e.code);
  const sub = e.error_subcode === undefined ? "" : `/${e.error_subcode}`;
  const message = `${String(e.message ?? "error")} (code ${code}${sub})`;
  const transient = status >= 500 || status === 429 || TRANSIENT.has(code) ||
    e.is_transient === true;
  return new PlatformError(message, transient, `${code}${sub}`, code === 190 || code === 102);
}

const VIDEO = /\.(mp4|mov|m4v)$/i;

export function createInstagram(opts: InstagramOptions) {
  const fetch = opts.fetch ?? globalThis.fetch;
  const root = `${opts.baseUrl.replace(/\/+$/, "")}/${opts.version}`;

  function post(token: string, path: string, params: Record<string, string>) {
    return call(
      fetch,
      `${root}/${path}`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams(params).toString(),
      },
      classifyInstagram,
      [token],
    );
  }

  function get(token: string, path: string, query: Record<string, string>) {
    return call(
      fetch,
      `${root}/${path}?${new URLSearchParams(query)}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
      classifyInstagram,
      [token],
    );
  }

  const id = (body: Record<string, unknown>) => {
    if (typeof body.id !== "string" || !body.id) {
      throw new PlatformError("Instagram answered without an id", true);
    }
    return body.id;
  };

  return {
    // The container to publish: for a carousel, its items' first.
    async createContainer(
      token: string,
      igUser: string,
      kind: "image" | "video" | "carousel",
      urls: { url: string; path: string }[],
      caption: string,
      waitFinished: (container: string) => Promise<void>,
    ): Promise<string> {
      if (kind === "carousel") {
        const children: string[] = [];
        for (const u of urls) {
          const child: Record<string, string> = VIDEO.test(u.path)
            ? { media_type: "VIDEO", video_url: u.url, is_carousel_item: "true" }
            : { image_url: u.url, is_carousel_item: "true" };
          const c = id(await post(token, `${igUser}/media`, child));
          await waitFinished(c);
          children.push(c);
        }
        return id(
          await post(token, `${igUser}/media`, {
            media_type: "CAROUSEL",
            children: children.join(","),
            caption,
          }),
        );
      }
      const params: Record<string, string> = kind === "video"
        ? { media_type: "REELS", video_url: urls[0].url, caption }
        : { image_url: urls[0].url, caption };
      return id(await post(token, `${igUser}/media`, params));
    },

    async status(token: string, container: string): Promise<{ code: string; text?: string }> {
      const b = await get(token, container, { fields: "status_code,status" });
      return {
        code: String(b.status_code ?? "IN_PROGRESS"),
        text: typeof b.status === "string" ? b.status : undefined,
      };
    },

    async publish(
      token: string,
      igUser: string,
      container: string,
    ): Promise<{ id: string; url: string }> {
      const media = id(await post(token, `${igUser}/media_publish`, { creation_id: container }));
      const b = await get(token, media, { fields: "permalink" });
      return {
        id: media,
        url: typeof b.permalink === "string" ? b.permalink : `https://www.instagram.com/`,
      };
    },

    async metrics(token: string, media: string): Promise<Metrics> {
      const b = await get(token, `${media}/insights`, {
        metric: "likes,comments,views,reach,saved,shares",
      });
      const out: Metrics = {};
      for (
        const m of (b.data as { name: string; values?: { value: number }[] }[] | undefined) ?? []
      ) {
        out[m.name] = Number(m.values?.[0]?.value ?? 0);
      }
      return out;
    },

    // Instagram Login: the code for a short-lived token (api.instagram.com),
    // that for a long-lived one (60 days), then who the account is.
    async exchangeCode(code: string, redirectUri: string): Promise<Connected> {
      const secret = opts.appSecret ?? "";
      const oauth = (opts.oauthUrl ?? "https://api.instagram.com").replace(/\/+$/, "");
      const b = await call(
        fetch,
        `${oauth}/oauth/access_token`,
        {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            client_id: opts.appId ?? "",
            client_secret: secret,
            grant_type: "authorization_code",
            redirect_uri: redirectUri,
            code,
          }).toString(),
        },
        classifyOAuth,
        [code, secret],
      );
      // answered as {data: [{...}]} or flat
      const first = (Array.isArray(b.data) ? b.data[0] : b) as Record<string, unknown>;
      const shortToken = String(first?.access_token ?? "");
      if (!shortToken) throw new PlatformError("Instagram answered without a token", false);
      const base = opts.baseUrl.replace(/\/+$/, "");
      const long = await call(
        fetch,
        `${base}/access_token?${new URLSearchParams({
          grant_type: "ig_exchange_token",
          client_secret: secret,
          access_token: shortToken,
        })}`,
        {},
        classifyInstagram,
        [shortToken, secret],
      );
      const token = String(long.access_token ?? "");
      if (!token) throw new PlatformError("Instagram answered without a long-lived token", false);
      const me = await get(token, "me", { fields: "user_id,username,account_type" });
      const perms = first?.permissions;
      return {
        platform_user_id: String(me.user_id ?? me.id ?? first?.user_id),
        username: typeof me.username === "string" ? me.username : null,
        account_type: ACCOUNT_TYPES[String(me.account_type ?? "").toUpperCase()] ?? null,
        permissions: Array.isArray(perms)
          ? perms.map(String)
          : String(perms ?? "").split(",").filter(Boolean),
        access_token: token,
        expires_in: Number(long.expires_in ?? 5184000),
      };
    },

    // Long-lived tokens are refreshed with themselves (at least 24 hours
    // old, not expired), for another 60 days.
    async refresh(token: string): Promise<RefreshResult> {
      const url = `${opts.baseUrl.replace(/\/+$/, "")}/refresh_access_token?${new URLSearchParams({
        grant_type: "ig_refresh_token",
        access_token: token,
      })}`;
      try {
        const b = await call(fetch, url, {}, classifyInstagram, [token]);
        if (typeof b.access_token !== "string") {
          throw new PlatformError("Instagram answered without a token", true);
        }
        return {
          ok: true,
          access_token: b.access_token,
          expires_in: Number(b.expires_in ?? 5184000),
        };
      } catch (err) {
        return failure(err);
      }
    },
  };
}

// api.instagram.com's OAuth errors: {"error_type", "code", "error_message"}.
function classifyOAuth(status: number, body: unknown): PlatformError {
  const b = body as { error_type?: unknown; error_message?: unknown } | null;
  if (b && typeof b.error_message === "string") {
    return new PlatformError(
      `${b.error_message} (${String(b.error_type ?? status)})`,
      status >= 500,
    );
  }
  return classifyInstagram(status, body);
}

export function failure(err: unknown): RefreshResult {
  const e = err instanceof PlatformError ? err : new PlatformError(String(err), true);
  return { ok: false, transient: e.transient && !e.invalidToken, error: e.message };
}
