import { json } from "../../shared/http.ts";
import {
  type Account,
  logId,
  type PlatformContext,
  type SocialFault,
} from "./fake-provider-social.ts";

// Instagram API with Instagram Login (graph.instagram.com), content
// publishing: media containers (image, REELS, CAROUSEL with children), their
// status_code, media_publish, the media's permalink and insights, and the
// long-lived token refresh. Errors come in Graph's envelope
// {"error":{"message","type","code","error_subcode","fbtrace_id"}}.

type Container = {
  id: string;
  owner: string;
  kind: "IMAGE" | "REELS" | "CAROUSEL";
  caption?: string;
  children: string[];
  polls_left: number;
  status: "IN_PROGRESS" | "FINISHED" | "ERROR" | "PUBLISHED";
  status_text?: string;
  media_id?: string;
  carousel_item: boolean;
};
type Media = { id: string; owner: string; container: string; shortcode: string; caption?: string };

function graphError(
  status: number,
  message: string,
  code: number,
  extra: { type?: string; error_subcode?: number; is_transient?: boolean } = {},
): Response {
  return json({
    error: {
      message,
      type: extra.type ?? "OAuthException",
      code,
      ...(extra.error_subcode ? { error_subcode: extra.error_subcode } : {}),
      ...(extra.is_transient !== undefined ? { is_transient: extra.is_transient } : {}),
      fbtrace_id: logId(),
    },
  }, status);
}

function faultResponse(f: SocialFault): Response | null {
  switch (f.kind) {
    case "server_error":
      return graphError(
        500,
        "An unexpected error has occurred. Please retry your request later.",
        2,
        {
          is_transient: true,
        },
      );
    case "rate_limit":
      return graphError(400, "Application request limit reached", 4, { is_transient: true });
    case "invalid_token":
      return graphError(
        400,
        "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
        190,
        { error_subcode: 460 },
      );
    case "refresh_denied":
      return graphError(400, "Error validating access token: Session has expired.", 190, {
        error_subcode: 463,
      });
    case "invalid_media":
      return null; // applied where the media is fetched
  }
}

const ids = (() => {
  let n = 17_900_000_000_000_000n;
  return () => String(++n);
})();

function param(url: URL, body: unknown, name: string): string | undefined {
  const fromBody = body && typeof body === "object"
    ? (body as Record<string, unknown>)[name]
    : undefined;
  const v = fromBody ?? url.searchParams.get(name) ?? undefined;
  return v === undefined || v === null ? undefined : String(v);
}

export function createFakeInstagram(ctx: PlatformContext) {
  const containers = new Map<string, Container>();
  const media = new Map<string, Media>();

  function token(req: Request, url: URL, body: unknown): string | null {
    const auth = req.headers.get("authorization");
    if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
    return param(url, body, "access_token") ?? null;
  }

  function authorise(req: Request, url: URL, body: unknown): Account | Response {
    const t = token(req, url, body);
    if (!t) {
      return graphError(
        400,
        "An active access token must be used to query information about the current user.",
        2500,
      );
    }
    const a = ctx.account(t);
    if (a === "expired") {
      return graphError(400, "Error validating access token: Session has expired.", 190, {
        error_subcode: 463,
      });
    }
    if (!a) return graphError(400, "Invalid OAuth access token - Cannot parse access token", 190);
    return a;
  }

  async function createContainer(
    a: Account,
    url: URL,
    body: unknown,
    fault?: SocialFault,
  ): Promise<Response> {
    const type = param(url, body, "media_type");
    const imageUrl = param(url, body, "image_url");
    const videoUrl = param(url, body, "video_url");
    const carouselItem = param(url, body, "is_carousel_item") === "true";
    const c: Container = {
      id: ids(),
      owner: a.user_id,
      kind: "IMAGE",
      caption: param(url, body, "caption"),
      children: [],
      polls_left: a.processing_polls ?? 1,
      status: "IN_PROGRESS",
      carousel_item: carouselItem,
    };
    if (type === "CAROUSEL") {
      const children = (param(url, body, "children") ?? "").split(",").map((s) => s.trim()).filter(
        Boolean,
      );
      if (children.length < 2 || children.length > 10) {
        return graphError(400, "The carousel must have between 2 and 10 children.", 100, {
          error_subcode: 2207080,
        });
      }
      for (const id of children) {
        const child = containers.get(id);
        if (!child || child.owner !== a.user_id || !child.carousel_item) {
          return graphError(
            400,
            `Invalid parameter: child ${id} is not a carousel item container`,
            100,
          );
        }
        if (child.status === "ERROR") {
          return graphError(400, "A carousel item failed to upload", 9007, {
            error_subcode: 2207028,
          });
        }
      }
      c.kind = "CAROUSEL";
      c.children = children;
    } else if (type === "REELS" || type === "VIDEO") {
      if (!videoUrl) return graphError(400, "The parameter video_url is required", 100);
      c.kind = "REELS";
      const got = fault?.kind === "invalid_media" ? { ok: false } : await ctx.pull(videoUrl);
      if (!got.ok) {
        c.status = "ERROR";
        c.status_text =
          "Error: Media download has failed. The media URI doesn't meet our requirements.";
      }
    } else {
      if (!imageUrl) return graphError(400, "The parameter image_url is required.", 100);
      const got = fault?.kind === "invalid_media" ? { ok: false } : await ctx.pull(imageUrl);
      if (!got.ok) {
        return graphError(
          400,
          "Media download has failed.: The media could not be fetched from this uri: " + imageUrl,
          9004,
          {
            error_subcode: 2207052,
          },
        );
      }
      c.polls_left = 0;
      c.status = "FINISHED";
    }
    containers.set(c.id, c);
    return json({ id: c.id });
  }

  function containerStatus(c: Container): Response {
    if (c.status === "IN_PROGRESS") {
      if (c.polls_left > 0) c.polls_left -= 1;
      else c.status = "FINISHED";
    }
    return json({
      status_code: c.status,
      ...(c.status_text ? { status: c.status_text } : {}),
      id: c.id,
    });
  }

  function publish(a: Account, url: URL, body: unknown): Response {
    const creation = param(url, body, "creation_id");
    const c = creation ? containers.get(creation) : undefined;
    if (!c || c.owner !== a.user_id) {
      return graphError(
        400,
        "Unsupported post request. Object with ID '" + creation + "' does not exist",
        100,
        {
          type: "GraphMethodException",
          error_subcode: 33,
        },
      );
    }
    if (c.carousel_item) {
      return graphError(400, "Carousel items cannot be published on their own", 100);
    }
    if (c.status === "PUBLISHED") {
      return graphError(400, "The media has already been published", 9007, {
        error_subcode: 2207008,
      });
    }
    if (c.status !== "FINISHED") {
      return graphError(400, "Media ID is not available", 9007, { error_subcode: 2207027 });
    }
    const m: Media = {
      id: ids(),
      owner: a.user_id,
      container: c.id,
      shortcode: crypto.randomUUID().replaceAll("-", "").slice(0, 11),
      caption: c.caption,
    };
    c.status = "PUBLISHED";
    c.media_id = m.id;
    media.set(m.id, m);
    return json({ id: m.id });
  }

  function readMedia(a: Account, m: Media, url: URL): Response {
    if (m.owner !== a.user_id) {
      return graphError(400, "Unsupported get request.", 100, { error_subcode: 33 });
    }
    const seed = Number(BigInt(m.id) % 97n);
    if (url.pathname.endsWith("/insights")) {
      const metrics = (url.searchParams.get("metric") ?? "likes,comments,views").split(",");
      const value = (name: string) =>
        ({
          likes: seed,
          comments: seed % 7,
          views: seed * 10,
          reach: seed * 8,
          saved: seed % 5,
          shares: seed % 3,
        })[name] ?? 0;
      return json({
        data: metrics.map((name) => ({
          name,
          period: "lifetime",
          values: [{ value: value(name) }],
          title: name,
          id: `${m.id}/insights/${name}/lifetime`,
        })),
      });
    }
    return json({
      id: m.id,
      permalink: `https://www.instagram.com/p/${m.shortcode}/`,
      caption: m.caption,
      like_count: seed,
      comments_count: seed % 7,
    });
  }

  function refresh(url: URL): Response {
    if (url.searchParams.get("grant_type") !== "ig_refresh_token") {
      return graphError(400, "Invalid grant_type; expected ig_refresh_token", 100);
    }
    const t = url.searchParams.get("access_token");
    const a = ctx.account(t);
    if (a === "expired") {
      return graphError(400, "Error validating access token: Session has expired.", 190, {
        error_subcode: 463,
      });
    }
    if (!a) return graphError(400, "Invalid OAuth access token - Cannot parse access token", 190);
    ctx.issue(a, `IGQV${crypto.randomUUID().replaceAll("-", "")}`);
    return json({ access_token: a.access_token, token_type: "bearer", expires_in: 5184000 });
  }

  // api.instagram.com/oauth/access_token: a code for a short-lived token
  const short = new Map<string, Account>();
  function exchangeCode(body: unknown): Response {
    const b = (body ?? {}) as Record<string, string>;
    if (!b.client_id || !b.client_secret) {
      return json({
        error_type: "OAuthException",
        code: 400,
        error_message: "Invalid client_id or client_secret",
      }, 400);
    }
    const a = b.grant_type === "authorization_code"
      ? ctx.redeem(b.code ?? "", b.redirect_uri ?? "")
      : undefined;
    if (!a) {
      return json({
        error_type: "OAuthException",
        code: 400,
        error_message: "This authorization code has been used",
      }, 400);
    }
    const token = `IGQshort${crypto.randomUUID().replaceAll("-", "")}`;
    short.set(token, a);
    return json({
      data: [{
        access_token: token,
        user_id: a.user_id,
        permissions: "instagram_business_basic,instagram_business_content_publish",
      }],
    });
  }

  // graph.instagram.com/access_token: a short-lived token for a long-lived one
  function longLived(url: URL): Response {
    const a = short.get(url.searchParams.get("access_token") ?? "");
    if (
      url.searchParams.get("grant_type") !== "ig_exchange_token" ||
      !url.searchParams.get("client_secret") || !a
    ) {
      return graphError(400, "Invalid OAuth access token - Cannot parse access token", 190);
    }
    short.delete(url.searchParams.get("access_token")!);
    ctx.issue(a, `IGQV${crypto.randomUUID().replaceAll("-", "")}`);
    return json({ access_token: a.access_token, token_type: "bearer", expires_in: 5184000 });
  }

  async function handle(req: Request, url: URL, body: unknown): Promise<Response> {
    const path = url.pathname.slice("/instagram".length);
    const f = ctx.fault(path);
    const injected = f ? faultResponse(f) : null;
    if (injected) return injected;
    if (path === "/refresh_access_token" && req.method === "GET") return refresh(url);
    if (path === "/oauth/access_token" && req.method === "POST") return exchangeCode(body);
    if (path === "/access_token" && req.method === "GET") return longLived(url);
    if (path.match(/^\/v\d+\.\d+\/me$/) && req.method === "GET") {
      const who = authorise(req, url, body);
      if (who instanceof Response) return who;
      return json({
        id: who.user_id,
        user_id: who.user_id,
        username: who.username,
        account_type: "BUSINESS",
      });
    }
    const m = path.match(/^\/v\d+\.\d+\/(\d+)(\/media|\/media_publish|\/insights)?$/);
    if (!m) return graphError(404, `Unknown path components: ${path}`, 2500);
    const who = authorise(req, url, body);
    if (who instanceof Response) return who;
    const [, id, edge] = m;
    if (edge === "/media" && req.method === "POST") {
      if (id !== who.user_id) {
        return graphError(400, "Unsupported post request.", 100, { error_subcode: 33 });
      }
      return await createContainer(who, url, body, f);
    }
    if (edge === "/media_publish" && req.method === "POST") {
      if (id !== who.user_id) {
        return graphError(400, "Unsupported post request.", 100, { error_subcode: 33 });
      }
      return publish(who, url, body);
    }
    if (req.method === "GET") {
      const c = containers.get(id);
      if (c && !edge) {
        if (c.owner !== who.user_id) {
          return graphError(400, "Unsupported get request.", 100, { error_subcode: 33 });
        }
        return containerStatus(c);
      }
      const md = media.get(id);
      if (md) return readMedia(who, md, url);
      if (id === who.user_id && !edge) {
        return json({ id, user_id: id, username: who.username, account_type: "BUSINESS" });
      }
    }
    return graphError(
      400,
      `Unsupported ${req.method.toLowerCase()} request. Object with ID '${id}' does not exist`,
      100,
      {
        type: "GraphMethodException",
        error_subcode: 33,
      },
    );
  }

  return {
    handle,
    published: () => [...media.values()],
  };
}
