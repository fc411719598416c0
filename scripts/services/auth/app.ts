// The local stand-in for Supabase Auth (GoTrue): what a client app needs to
// sign in with a password, keep its session fresh, read its user and sign
// out. Paths are GoTrue's own (the gateway strips /auth/v1). Not product
// code: hosted Supabase Auth answers these on a real project.
import bcrypt from "bcryptjs";
import { z } from "zod";
import { bearerToken, verifyJwt } from "../../../shared/jwt.ts";
import { AuthError, errorResponse, invalidCredentials } from "./errors.ts";
import { newRefreshToken, tokenResponse, userJson } from "./session.ts";
import type { AuthSettings } from "./settings.ts";
import * as store from "./store.ts";

export type AuthDeps = {
  sql: store.Sql;
  jwtSecret: string;
  issuer: string;
  settings: AuthSettings;
  now?: () => number;
  bcryptCost?: number;
};

// Supabase Auth refuses a password over 72 bytes, bcrypt's limit.
const MAX_PASSWORD_BYTES = 72;
// A used refresh token still answers this long with its successor, so two
// tabs refreshing at once both stay signed in (Supabase Auth's default).
const REUSE_INTERVAL_S = 10;
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

const passwordGrant = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
});
const refreshGrant = z.object({ refresh_token: z.string().optional() });
const signupBody = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
const userUpdate = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export function createAuthApp(deps: AuthDeps) {
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  const cost = deps.bcryptCost ?? 10;
  const { sql, settings } = deps;
  // A hash to compare against when the email is unknown, so a wrong email
  // takes as long as a wrong password.
  const dummyHash = bcrypt.hashSync(crypto.randomUUID(), cost);

  async function issue(
    user: store.UserRow,
    sessionId: string,
    refreshToken: string,
    signedInAt: number,
  ) {
    const identities = await store.identitiesOf(sql, user.id);
    return tokenResponse({ user, identities, sessionId, refreshToken, signedInAt }, {
      secret: deps.jwtSecret,
      issuer: deps.issuer,
      expiresIn: settings.jwtExpiry,
      now: now(),
    });
  }

  // Supabase Auth (Go's bcrypt) writes $2a$ hashes; bcryptjs writes $2b$.
  // For passwords within bcrypt's 72 bytes the two are the same hash, and
  // $2a$ is what every other reader of auth.users (pgcrypto's crypt) knows.
  const hashPassword = async (password: string) =>
    (await bcrypt.hash(password, cost)).replace(/^\$2b\$/, "$2a$");

  function checkPassword(password: string | undefined): string {
    if (!password || password.length < settings.minimumPasswordLength) {
      throw new AuthError(
        422,
        "weak_password",
        `Password should be at least ${settings.minimumPasswordLength} characters.`,
        { weak_password: { reasons: ["length"] } },
      );
    }
    if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
      throw new AuthError(422, "validation_failed", "Password cannot be longer than 72 characters");
    }
    return password;
  }

  function usable(user: store.UserRow) {
    if (user.banned_until && user.banned_until.getTime() > Date.now()) {
      throw new AuthError(400, "user_banned", "User is banned");
    }
  }

  async function passwordSignIn(req: Request, body: unknown) {
    const p = parse(passwordGrant, body);
    if (p.phone && !p.email) {
      throw new AuthError(400, "phone_provider_disabled", "Phone logins are disabled");
    }
    if (!p.email || !p.password) {
      throw new AuthError(400, "validation_failed", "missing email or phone");
    }
    const user = await store.userByEmail(sql, p.email.trim());
    const ok = await bcrypt.compare(p.password, user?.encrypted_password || dummyHash);
    if (!user || !user.encrypted_password || !ok) throw invalidCredentials();
    usable(user);
    if (settings.enableConfirmations && !user.email_confirmed_at) {
      throw new AuthError(400, "email_not_confirmed", "Email not confirmed");
    }
    const refresh = newRefreshToken();
    const sessionId = await sql.begin((tx) =>
      store.startSession(tx, user.id, refresh, req.headers.get("user-agent"), true)
    );
    const fresh = (await store.userById(sql, user.id))!;
    return issue(fresh, sessionId, refresh, now());
  }

  async function refresh(body: unknown) {
    const token = parse(refreshGrant, body).refresh_token;
    if (!token) throw new AuthError(400, "validation_failed", "refresh_token required");
    const outcome = await sql.begin(async (tx) => {
      const row = await store.lockRefreshToken(tx, token);
      if (!row) {
        throw new AuthError(
          400,
          "refresh_token_not_found",
          "Invalid Refresh Token: Refresh Token Not Found",
        );
      }
      if (row.not_after && row.not_after.getTime() <= Date.now()) {
        throw new AuthError(400, "session_expired", "Session Expired");
      }
      if (row.revoked) {
        const recent = row.updated_at.getTime() > Date.now() - REUSE_INTERVAL_S * 1000;
        const child = recent ? await store.activeChild(tx, row.token) : null;
        if (child) return { row, next: child };
        // Reuse outside the interval means the token leaked: the whole
        // session's tokens are revoked, as Supabase Auth does.
        await store.revokeSessionTokens(tx, row.session_id);
        return { reused: true as const };
      }
      const next = newRefreshToken();
      await store.rotateRefreshToken(tx, row, next);
      return { row, next };
    });
    if ("reused" in outcome) {
      throw new AuthError(
        400,
        "refresh_token_already_used",
        "Invalid Refresh Token: Already Used",
      );
    }
    const user = await store.userById(sql, outcome.row.user_id);
    if (!user) throw new AuthError(403, "user_not_found", "User not found");
    usable(user);
    return issue(user, outcome.row.session_id, outcome.next, outcome.row.signed_in_at);
  }

  async function signup(req: Request, body: unknown) {
    const p = parse(signupBody, body);
    if (!settings.enableSignup) {
      throw new AuthError(422, "signup_disabled", "Signups not allowed for this instance");
    }
    if (!p.email && !p.phone) {
      if (p.password) throw new AuthError(400, "validation_failed", "missing email or phone");
      if (!settings.enableAnonymousSignIns) {
        throw new AuthError(422, "anonymous_provider_disabled", "Anonymous sign-ins are disabled");
      }
    }
    if (!p.email) throw new AuthError(400, "phone_provider_disabled", "Phone signups are disabled");
    const email = p.email.trim().toLowerCase();
    if (!EMAIL.test(email) || email.length > 255) {
      throw new AuthError(
        400,
        "validation_failed",
        "Unable to validate email address: invalid format",
      );
    }
    const password = checkPassword(p.password);
    const hash = await hashPassword(password);
    const confirmed = !settings.enableConfirmations;
    const refresh = newRefreshToken();
    const created = await sql.begin(async (tx) => {
      if (await store.userByEmail(tx, email)) {
        throw new AuthError(422, "user_already_exists", "User already registered");
      }
      const user = await store.insertEmailUser(tx, {
        email,
        passwordHash: hash,
        userMetadata: p.data ?? {},
        confirmed,
      });
      const sessionId = confirmed
        ? await store.startSession(tx, user.id, refresh, req.headers.get("user-agent"), true)
        : null;
      return { id: user.id, sessionId };
    }).catch((e) => {
      // Two sign-ups racing for one email: the unique index decides.
      if ((e as { code?: string }).code === "23505") {
        throw new AuthError(422, "user_already_exists", "User already registered");
      }
      throw e;
    });
    const user = (await store.userById(sql, created.id))!;
    if (!created.sessionId) return userJson(user, await store.identitiesOf(sql, user.id));
    return issue(user, created.sessionId, refresh, now());
  }

  // The caller's verified claims, with their session and user still there.
  async function caller(req: Request) {
    const token = bearerToken(req.headers.get("authorization"));
    if (!token) {
      throw new AuthError(401, "no_authorization", "This endpoint requires a Bearer token");
    }
    let claims;
    try {
      claims = await verifyJwt(token, deps.jwtSecret);
    } catch (e) {
      throw new AuthError(
        403,
        "bad_jwt",
        `invalid JWT: unable to parse or verify signature, ${(e as Error).message}`,
      );
    }
    if (!claims.sub) throw new AuthError(403, "bad_jwt", "invalid claim: missing sub claim");
    const sessionId = typeof claims.session_id === "string" ? claims.session_id : null;
    if (sessionId && !(await store.sessionExists(sql, sessionId))) {
      throw new AuthError(
        403,
        "session_not_found",
        "Session from session_id claim in JWT does not exist",
      );
    }
    const user = await store.userById(sql, claims.sub);
    if (!user) {
      throw new AuthError(403, "user_not_found", "User from sub claim in JWT does not exist");
    }
    return { user, sessionId };
  }

  async function getUser(req: Request) {
    const { user } = await caller(req);
    return userJson(user, await store.identitiesOf(sql, user.id));
  }

  async function putUser(req: Request, body: unknown) {
    const { user } = await caller(req);
    const p = parse(userUpdate, body);
    if (p.email !== undefined || p.phone !== undefined) {
      throw new AuthError(
        422,
        "validation_failed",
        "changing the email or phone needs a confirmation the local Auth stand-in does not send",
      );
    }
    let passwordHash: string | undefined;
    if (p.password !== undefined) {
      const password = checkPassword(p.password);
      if (user.encrypted_password && await bcrypt.compare(password, user.encrypted_password)) {
        throw new AuthError(
          422,
          "same_password",
          "New password should be different from the old password.",
        );
      }
      passwordHash = await hashPassword(password);
    }
    await sql.begin((tx) => store.updateUser(tx, user.id, { passwordHash, userMetadata: p.data }));
    const fresh = (await store.userById(sql, user.id))!;
    return userJson(fresh, await store.identitiesOf(sql, user.id));
  }

  async function logout(req: Request, url: URL) {
    const { user, sessionId } = await caller(req);
    const scope = url.searchParams.get("scope") ?? "global";
    if (scope !== "global" && scope !== "local" && scope !== "others") {
      throw new AuthError(400, "validation_failed", `Unsupported logout scope "${scope}"`);
    }
    if (!sessionId) {
      throw new AuthError(
        403,
        "session_not_found",
        "Session from session_id claim in JWT does not exist",
      );
    }
    await store.endSessions(sql, user.id, sessionId, scope);
    return null;
  }

  function settingsJson() {
    return {
      external: { email: true, phone: false, anonymous_users: settings.enableAnonymousSignIns },
      disable_signup: !settings.enableSignup,
      mailer_autoconfirm: !settings.enableConfirmations,
      phone_autoconfirm: false,
      sms_provider: "",
      saml_enabled: false,
    };
  }

  async function route(req: Request): Promise<unknown> {
    const url = new URL(req.url);
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method;
    if (path === "/health" && method === "GET") {
      return { version: "local", name: "GoTrue", description: "Threadline's local Auth stand-in" };
    }
    if (path === "/settings" && method === "GET") return settingsJson();
    if (path === "/token" && method === "POST") {
      const grant = url.searchParams.get("grant_type");
      if (grant === "password") return passwordSignIn(req, await body(req));
      if (grant === "refresh_token") return refresh(await body(req));
      throw new AuthError(400, "validation_failed", "unsupported_grant_type");
    }
    if (path === "/signup" && method === "POST") return signup(req, await body(req));
    if (path === "/user" && method === "GET") return getUser(req);
    if (path === "/user" && method === "PUT") return putUser(req, await body(req));
    if (path === "/logout" && method === "POST") return logout(req, url);
    throw new AuthError(
      404,
      "not_found",
      `${method} ${path} is not implemented by the local Auth stand-in`,
    );
  }

  return async function handle(req: Request): Promise<Response> {
    try {
      const out = await route(req);
      if (out === null) return new Response(null, { status: 204 });
      return new Response(JSON.stringify(out), {
        status: 200,
        headers: { "content-type": "application/json", "x-supabase-api-version": "2024-01-01" },
      });
    } catch (e) {
      if (e instanceof AuthError) return errorResponse(req, e);
      console.error("[auth]", e);
      return errorResponse(req, new AuthError(500, "unexpected_failure", "Unexpected failure"));
    }
  };
}

async function body(req: Request): Promise<unknown> {
  const text = await req.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AuthError(
      400,
      "bad_json",
      `Could not parse request body as JSON: ${(e as Error).message}`,
    );
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new AuthError(
      400,
      "validation_failed",
      `${issue.path.join(".") || "body"}: ${issue.message}`,
    );
  }
  return r.data;
}
