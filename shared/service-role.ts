import { decodeJwt } from "jose";
import { bearerToken } from "./jwt.ts";

// Functions the database calls (verify_jwt on, so the gateway has checked
// the signature) serve the service role alone.
export function isServiceRole(req: Request): boolean {
  const token = bearerToken(req.headers.get("authorization"));
  try {
    return token ? decodeJwt(token).role === "service_role" : false;
  } catch {
    return false;
  }
}
