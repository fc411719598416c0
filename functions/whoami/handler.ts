import { decodeJwt } from "jose";
import { type Claims, db, type Sql, withClaims } from "../../shared/db.ts";
import { bearerToken } from "../../shared/jwt.ts";
import { json, jsonError, withCors } from "../../shared/http.ts";

// The gateway has verified the JWT (verify_jwt = true); this function reports
// who the caller is and what the database sees when it runs as that caller,
// the same way PostgREST would.
export type Deps = { sql: () => Sql };

export function createHandler(deps: Deps) {
  return withCors(async (req: Request): Promise<Response> => {
    const token = bearerToken(req.headers.get("authorization"));
    if (!token) return jsonError(401, "missing bearer token");
    let claims: Claims;
    try {
      claims = decodeJwt(token) as Claims;
    } catch {
      return jsonError(401, "malformed JWT");
    }
    if (!["anon", "authenticated", "service_role"].includes(String(claims.role))) {
      return jsonError(403, `role ${String(claims.role)} is not an API role`);
    }
    const [row] = await withClaims(
      deps.sql(),
      claims,
      (tx) =>
        tx<
          { current_user: string; uid: string | null; role: string | null; email: string | null }[]
        >`
        select current_user, auth.uid() as uid, auth.role() as role, auth.email() as email`,
    );
    return json({
      role: claims.role,
      sub: claims.sub ?? null,
      email: (claims.email as string | undefined) ?? null,
      db: row,
    });
  });
}

export function defaultDeps(): Deps {
  return { sql: db };
}
