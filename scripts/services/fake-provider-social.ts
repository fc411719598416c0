import { z } from "zod";
import { json } from "../../shared/http.ts";
import type { Fetch } from "../../shared/outbound/types.ts";
import { createFakeInstagram } from "./fake-provider-instagram.ts";
import { createFakeTiktok } from "./fake-provider-tiktok.ts";

// The social platforms of the fake provider: Instagram (graph.instagram.com)
// under /instagram and TikTok (open.tiktokapis.com) under /tiktok, each at
// its real paths below the prefix, so the product's base URLs are the only
// difference from the real thing. Accounts and failures are scripted at
// /__fake/social/...

export const SocialAccount = z.object({
  platform: z.enum(["instagram", "tiktok"]),
  user_id: z.string().min(1),
  username: z.string().min(1),
  access_token: z.string().min(8),
  refresh_token: z.string().min(8).optional(),
  // seconds the access token stays valid (absent: the platform's own)
  expires_in: z.number().int().optional(),
  // status looks that answer IN_PROGRESS / PROCESSING before it is done
  processing_polls: z.number().int().min(0).optional(),
});
export type SocialAccount = z.infer<typeof SocialAccount>;

export const SocialFault = z.object({
  platform: z.enum(["instagram", "tiktok"]),
  kind: z.enum(["server_error", "rate_limit", "invalid_token", "invalid_media", "refresh_denied"]),
  // only requests whose path contains this string
  match: z.string().optional(),
  // how many matching requests it affects; absent = until cleared
  times: z.number().int().positive().optional(),
});
export type SocialFault = z.infer<typeof SocialFault>;

export type Account = SocialAccount & { issued_at: number; expires_at: number };

// An authorization code the platform's consent screen would hand back,
// for an account registered before.
export const SocialCode = z.object({
  platform: z.enum(["instagram", "tiktok"]),
  code: z.string().min(4),
  user_id: z.string().min(1),
  redirect_uri: z.string().url(),
});
export type SocialCode = z.infer<typeof SocialCode>;

export type PlatformContext = {
  account(token: string | null): Account | "expired" | null;
  accountByRefresh(token: string): Account | undefined;
  // the fault scripted for this request, consumed
  fault(path: string): SocialFault | undefined;
  // fetches a media URL as the platform would; ok false when it cannot be had
  pull(url: string): Promise<{ ok: boolean; status: number }>;
  issue(account: Account, access: string, refresh?: string): void;
  // an authorization code, used once
  redeem(code: string, redirectUri: string): Account | undefined;
};

export function createFakeSocial(opts: { mediaFetch?: Fetch } = {}) {
  const accounts = new Map<string, Account>();
  const codes = new Map<string, SocialCode>();
  let faults: SocialFault[] = [];

  function context(platform: "instagram" | "tiktok"): PlatformContext {
    return {
      account(token) {
        if (!token) return null;
        for (const a of accounts.values()) {
          if (a.platform === platform && a.access_token === token) {
            return a.expires_at < Date.now() ? "expired" : a;
          }
        }
        return null;
      },
      accountByRefresh: (token) =>
        [...accounts.values()].find((a) => a.platform === platform && a.refresh_token === token),
      fault(path) {
        const f = faults.find((x) =>
          x.platform === platform && (!x.match || path.includes(x.match))
        );
        if (f && f.times !== undefined) {
          f.times -= 1;
          if (f.times <= 0) faults = faults.filter((x) => x !== f);
        }
        return f;
      },
      async pull(url) {
        if (!opts.mediaFetch) return { ok: true, status: 200 };
        try {
          const res = await opts.mediaFetch(url, { signal: AbortSignal.timeout(5000) });
          await res.body?.cancel();
          return { ok: res.ok, status: res.status };
        } catch {
          return { ok: false, status: 0 };
        }
      },
      redeem(code, redirectUri) {
        const c = codes.get(`${platform}:${code}`);
        if (!c || c.redirect_uri !== redirectUri) return undefined;
        codes.delete(`${platform}:${code}`);
        return accounts.get(`${platform}:${c.user_id}`);
      },
      issue(account, access, refresh) {
        account.access_token = access;
        if (refresh) account.refresh_token = refresh;
        account.issued_at = Date.now();
        account.expires_at = Date.now() + (platform === "instagram" ? 5184000 : 86400) * 1000;
      },
    };
  }

  const instagram = createFakeInstagram(context("instagram"));
  const tiktok = createFakeTiktok(context("tiktok"));

  async function admin(req: Request, url: URL): Promise<Response | null> {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "POST /__fake/social/accounts": {
        const a = SocialAccount.safeParse(await req.json().catch(() => null));
        if (!a.success) return json({ error: z.prettifyError(a.error) }, 400);
        const ttl = a.data.expires_in ?? (a.data.platform === "instagram" ? 5184000 : 86400);
        accounts.set(`${a.data.platform}:${a.data.user_id}`, {
          ...a.data,
          issued_at: Date.now(),
          expires_at: Date.now() + ttl * 1000,
        });
        return json(a.data, 201);
      }
      case "POST /__fake/social/codes": {
        const c = SocialCode.safeParse(await req.json().catch(() => null));
        if (!c.success) return json({ error: z.prettifyError(c.error) }, 400);
        codes.set(`${c.data.platform}:${c.data.code}`, c.data);
        return json(c.data, 201);
      }
      case "GET /__fake/social/accounts":
        return json([...accounts.values()]);
      case "DELETE /__fake/social/accounts":
        accounts.clear();
        return json({ cleared: true });
      case "POST /__fake/social/faults": {
        const f = SocialFault.safeParse(await req.json().catch(() => null));
        if (!f.success) return json({ error: z.prettifyError(f.error) }, 400);
        faults.push(f.data);
        return json(faults, 201);
      }
      case "DELETE /__fake/social/faults":
        faults = [];
        return json({ cleared: true });
      case "GET /__fake/social/posts":
        return json({ instagram: instagram.published(), tiktok: tiktok.published() });
    }
    return null;
  }

  return {
    admin,
    owns: (path: string) => path.startsWith("/instagram/") || path.startsWith("/tiktok/"),
    handle(req: Request, url: URL, body: unknown): Promise<Response> {
      return url.pathname.startsWith("/instagram/")
        ? instagram.handle(req, url, body)
        : tiktok.handle(req, url, body);
    },
  };
}

export const logId = () => crypto.randomUUID().replaceAll("-", "").slice(0, 24).toUpperCase();
