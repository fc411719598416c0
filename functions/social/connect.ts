import { z } from "zod";
import { decodeJwt } from "jose";
import { json, jsonError } from "../../shared/http.ts";
import { bearerToken } from "../../shared/jwt.ts";
import { describe } from "../../shared/errors.ts";
import { type Connected, PlatformError } from "./types.ts";

// POST /social/connect with a user's JWT: {platform, code, redirect_uri,
// workspace_id?}. The authorization code the platform's consent screen
// returned is exchanged here (the app secret never leaves the function),
// and the tokens go straight to connect_social_account, called as the user
// so the database decides who may connect what. The answer carries the
// connection, never a token.

const Body = z.strictObject({
  platform: z.enum(["instagram", "tiktok"]),
  code: z.string().min(1).max(2000),
  redirect_uri: z.string().url(),
  workspace_id: z.string().uuid().optional(),
});

export type ConnectDeps = {
  exchange: Record<
    "instagram" | "tiktok",
    (code: string, redirectUri: string) => Promise<Connected>
  >;
  // connect_social_account as the caller (their JWT)
  connect: (
    jwt: string,
    args: Record<string, unknown>,
  ) => Promise<
    { data: unknown; error: { code?: string; message: string; hint?: string | null } | null }
  >;
};

export function createConnectHandler(deps: ConnectDeps) {
  return async (req: Request): Promise<Response> => {
    if (req.method !== "POST") return jsonError(405, "use POST");
    const jwt = bearerToken(req.headers.get("authorization"));
    let role: unknown;
    try {
      role = jwt ? decodeJwt(jwt).role : undefined;
    } catch {
      role = undefined;
    }
    if (!jwt || role !== "authenticated") {
      return jsonError(401, "sign in: connect takes a user's JWT");
    }
    const parsed = Body.safeParse(await req.json().catch(() => null));
    if (!parsed.success) return jsonError(400, z.prettifyError(parsed.error));
    const { platform, code, redirect_uri, workspace_id } = parsed.data;
    let got: Connected;
    try {
      got = await deps.exchange[platform](code, redirect_uri);
    } catch (err) {
      const message = err instanceof PlatformError ? err.message : describe(err);
      return json({
        error: `${platform} refused the code: ${message.split(code).join("[redacted]")}`,
      }, 502);
    }
    const { data, error } = await deps.connect(jwt, {
      platform,
      platform_user_id: got.platform_user_id,
      access_token: got.access_token,
      refresh_token: got.refresh_token ?? null,
      expires_in: got.expires_in,
      refresh_expires_in: got.refresh_expires_in ?? null,
      workspace_id: workspace_id ?? null,
      username: got.username,
      account_type: got.account_type,
      permissions: got.permissions,
    });
    if (error) {
      const status = error.code === "P0002" ? 404 : error.code === "42501" ? 403 : 400;
      return json({ error: error.message, code: error.code, hint: error.hint ?? null }, status);
    }
    return json({
      connection_id: data,
      platform,
      platform_user_id: got.platform_user_id,
      username: got.username,
    }, 201);
  };
}
