import { OpenAPIHono } from "@hono/zod-openapi";
import { db, type Sql } from "../../shared/db.ts";
import { requireEnv } from "../../shared/env.ts";
import { authenticate, type Env } from "./auth.ts";
import { ApiError, errorResponse, fromPostgres } from "./errors.ts";
import { docsAsset, docsPage } from "./docs.ts";
import { campaignRoutes } from "./routes/campaigns.ts";
import { contactRoutes } from "./routes/contacts.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { hookRoutes } from "./routes/hooks.ts";
import { messageRoutes } from "./routes/messages.ts";
import { templateRoutes } from "./routes/templates.ts";

export type Deps = { sql: () => Sql; publicUrl: () => string };

// Served as the `api` function: hosted Supabase hands it /api/<rest> of
// <SUPABASE_URL>/functions/v1/api/<rest>, hence the base path.
export function createApp(deps: Deps) {
  const app = new OpenAPIHono<Env>({
    // Request validation failures: 400 with zod's issues.
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError(400, "invalid_request", "the request does not match the API", {
          issues: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        });
      }
    },
  }).basePath("/api");

  app.onError((e, c) => {
    const known = e instanceof ApiError ? e : fromPostgres(e);
    if (known) return errorResponse(c, known);
    console.error("[api]", e);
    return errorResponse(c, new ApiError(500, "internal", "internal error"));
  });
  app.notFound((c) => errorResponse(c, new ApiError(404, "not_found", "no such endpoint")));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API key (tl_...) created by a workspace admin with create_api_key.",
  });
  app.doc31("/v1/openapi.json", () => ({
    openapi: "3.1.0",
    info: {
      title: "Threadline API",
      version: "1.0.0",
      description:
        "Drive a Threadline workspace from your server. A key acts as the admin who created it, inside its one workspace, within its scopes.",
    },
    servers: [{ url: `${deps.publicUrl()}/functions/v1` }],
  }));
  app.get("/docs", (c) => c.html(docsPage));
  app.get("/docs/:asset", async (c) => {
    const res = await docsAsset(c.req.param("asset"));
    return res ?? errorResponse(c, new ApiError(404, "not_found", "no such asset"));
  });

  app.use("/v1/*", async (c, next) => {
    if (c.req.path.endsWith("/v1/openapi.json")) return await next();
    return await authenticate(deps.sql)(c, next);
  });
  messageRoutes(app);
  conversationRoutes(app);
  contactRoutes(app);
  templateRoutes(app);
  campaignRoutes(app);
  hookRoutes(app);
  return app;
}

export function createHandler(deps: Deps): (req: Request) => Response | Promise<Response> {
  const app = createApp(deps);
  return (req) => app.fetch(req);
}

export function defaultDeps(): Deps {
  return { sql: db, publicUrl: () => requireEnv("SUPABASE_URL") };
}
