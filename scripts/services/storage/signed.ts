// Signed URL tokens as storage-api makes them (src/storage/object.ts): a
// JWT signed with the project's JWT secret whose `url` is `bucket/path`,
// with a scope telling download and upload tokens apart, checked against
// the requested path and for expiry.
import { signJwt, verifyJwt } from "../../../shared/jwt.ts";
import { expiredSignature, invalidJwt, invalidSignature } from "./errors.ts";

export type Scope = "download" | "upload";
export type SignedToken = {
  url: string;
  exp: number;
  scope?: Scope;
  upsert?: boolean;
  owner?: string;
};

export function signToken(
  secret: string,
  claims: { url: string; scope: Scope; upsert?: boolean; owner?: string },
  expiresIn: number,
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return signJwt({ ...claims, iat, exp: iat + Math.floor(expiresIn) }, secret);
}

export async function verifyToken(
  secret: string,
  token: string,
  url: string,
  scope: Scope,
): Promise<SignedToken> {
  let payload: SignedToken;
  try {
    payload = await verifyJwt(token, secret) as unknown as SignedToken;
  } catch (e) {
    throw invalidJwt((e as Error).message);
  }
  const scoped = scope === "upload"
    ? payload.scope === "upload" || (payload.scope === undefined && "upsert" in payload)
    : payload.scope === "download" || (payload.scope === undefined && !("upsert" in payload));
  if (!scoped) throw invalidSignature(`Token is not scoped for ${scope}`);
  if (payload.url !== url) throw invalidSignature();
  if (payload.exp * 1000 < Date.now()) throw expiredSignature();
  return payload;
}
