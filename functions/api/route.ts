import type { Context } from "hono";
import { type OpenAPIHono, type RouteConfig, type RouteHandler, z } from "@hono/zod-openapi";
import type { Env } from "./auth.ts";
import { ErrorBody } from "./errors.ts";

export type App = OpenAPIHono<Env>;

// Registers a route; fn reads its validated input with valid() and answers
// with reply(), which validates the response body too.
export function handle<R extends RouteConfig>(
  app: App,
  route: R,
  fn: (c: Context<Env>) => Promise<Response>,
): void {
  app.openapi(route, fn as unknown as RouteHandler<R, Env>);
}

export function valid<T>(c: Context<Env>, target: "json" | "query" | "param" | "header"): T {
  return (c.req as unknown as { valid(t: string): unknown }).valid(target) as T;
}

export function reply(
  c: Context<Env>,
  schema: z.ZodType,
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return c.json(schema.parse(body) as Record<string, unknown>, status as 200, headers);
}

export const body = <T extends z.ZodType>(schema: T, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

const err = (description: string) => body(ErrorBody, description);

// Every route may answer these.
export const commonErrors = {
  400: err("Invalid request (validation failed)."),
  401: err("Missing, malformed, unknown, revoked or expired key (always the same body)."),
  403: err("The key lacks the scope, or its user the role, for this."),
  422: err("The database refused the values."),
  429: err("Over the key's per-minute limit; see Retry-After."),
};
export const notFound = { 404: err("No such row in the key's workspace.") };
export const conflict = { 409: err("Conflicts with the current state.") };

export const security = [{ bearer: [] }];
