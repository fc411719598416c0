import { jwtVerify, SignJWT } from "jose";
import type { JWTPayload } from "jose";

// Supabase's local development secret; hosted projects have their own.
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

// The payload `supabase start` signs its demo keys with, so the local keys are
// the same well-known strings every Supabase developer has seen.
const DEMO_EXPIRY = 1983812996;

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export function signJwt(payload: JWTPayload, secret: string): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(key(secret));
}

export async function verifyJwt(token: string, secret: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, key(secret), { algorithms: ["HS256"] });
  return payload;
}

export async function localApiKeys(secret = LOCAL_JWT_SECRET) {
  const anon = await signJwt({ iss: "supabase-demo", role: "anon", exp: DEMO_EXPIRY }, secret);
  const serviceRole = await signJwt(
    { iss: "supabase-demo", role: "service_role", exp: DEMO_EXPIRY },
    secret,
  );
  return { anon, serviceRole };
}

// Reads the bearer token of an Authorization header; null when absent or malformed.
export function bearerToken(header: string | null): string | null {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match ? match[1] : null;
}
