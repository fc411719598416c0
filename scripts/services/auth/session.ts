// What a session looks like to a client: the access token with the claims
// Supabase Auth puts in it, the user object, and the token response.
import { signJwt } from "../../../shared/jwt.ts";
import type { IdentityRow, UserRow } from "./store.ts";

export type Clock = () => number; // seconds since the epoch

export type SessionInput = {
  user: UserRow;
  identities: IdentityRow[];
  sessionId: string;
  refreshToken: string;
  signedInAt: number; // when the password was checked (amr timestamp)
};

export function userJson(u: UserRow, identities: IdentityRow[]) {
  const out: Record<string, unknown> = {
    id: u.id,
    aud: u.aud ?? "",
    role: u.role ?? "",
    email: u.email ?? "",
    email_confirmed_at: u.email_confirmed_at ?? undefined,
    phone: u.phone ?? "",
    confirmation_sent_at: u.confirmation_sent_at ?? undefined,
    confirmed_at: u.confirmed_at ?? undefined,
    last_sign_in_at: u.last_sign_in_at ?? undefined,
    app_metadata: u.raw_app_meta_data ?? {},
    user_metadata: u.raw_user_meta_data ?? {},
    identities: identities.map((i) => ({
      identity_id: i.id,
      id: i.provider_id,
      user_id: i.user_id,
      identity_data: i.identity_data,
      provider: i.provider,
      last_sign_in_at: i.last_sign_in_at,
      created_at: i.created_at,
      updated_at: i.updated_at,
      email: i.email ?? undefined,
    })),
    created_at: u.created_at,
    updated_at: u.updated_at,
    is_anonymous: u.is_anonymous,
  };
  return JSON.parse(JSON.stringify(out));
}

export function accessTokenClaims(
  s: SessionInput,
  issuer: string,
  expiresIn: number,
  now: number,
) {
  return {
    iss: issuer,
    sub: s.user.id,
    aud: s.user.aud || "authenticated",
    exp: now + expiresIn,
    iat: now,
    email: s.user.email ?? "",
    phone: s.user.phone ?? "",
    app_metadata: s.user.raw_app_meta_data ?? {},
    user_metadata: s.user.raw_user_meta_data ?? {},
    role: s.user.role || "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: s.signedInAt }],
    session_id: s.sessionId,
    is_anonymous: s.user.is_anonymous,
  };
}

export async function tokenResponse(
  s: SessionInput,
  opts: { secret: string; issuer: string; expiresIn: number; now: number },
) {
  const claims = accessTokenClaims(s, opts.issuer, opts.expiresIn, opts.now);
  return {
    access_token: await signJwt(claims, opts.secret),
    token_type: "bearer",
    expires_in: opts.expiresIn,
    expires_at: claims.exp,
    refresh_token: s.refreshToken,
    user: userJson(s.user, s.identities),
  };
}

// 128 random bits, URL-safe: what a client stores and sends back once.
export function newRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}
