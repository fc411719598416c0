import { createRoute } from "@hono/zod-openapi";
import { asKey, requireScope } from "../auth.ts";
import { ApiError } from "../errors.ts";
import {
  type App,
  body,
  commonErrors,
  conflict,
  handle,
  notFound,
  reply,
  security,
  valid,
} from "../route.ts";
import { Campaign, IdParam } from "../schemas.ts";

// campaigns:write, the older name, keeps working for start and pause.
const manage = [requireScope("campaigns:manage", "campaigns:write")];
const tags = ["Campaigns"];

const get = createRoute({
  method: "get",
  path: "/v1/campaigns/{id}",
  summary: "Inspect a campaign",
  description: "Its state and delivery counts.",
  tags,
  security,
  middleware: [requireScope("campaigns:manage", "campaigns:read", "campaigns:write")],
  request: { params: IdParam },
  responses: { 200: body(Campaign), ...commonErrors, ...notFound },
});

const action = (name: "start" | "pause", summary: string) =>
  createRoute({
    method: "post",
    path: `/v1/campaigns/{id}/${name}`,
    summary,
    tags,
    security,
    middleware: manage,
    request: { params: IdParam },
    responses: { 200: body(Campaign), ...commonErrors, ...notFound, ...conflict },
  });

export function campaignRoutes(app: App) {
  handle(app, get, async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    const [row] = await asKey(
      c,
      (tx) =>
        tx<
          { r: unknown }[]
        >`select to_jsonb(k) as r from public.campaigns k where k.id = ${id}::uuid`,
    );
    if (!row) throw new ApiError(404, "not_found", "campaign not found");
    return reply(c, Campaign, row.r);
  });

  handle(app, action("start", "Start a campaign now"), async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    const [row] = await asKey(
      c,
      (tx) => tx<{ r: unknown }[]>`select to_jsonb(public.start_campaign(${id}::uuid)) as r`,
    );
    return reply(c, Campaign, row.r);
  });

  handle(app, action("pause", "Pause a running campaign"), async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    const [row] = await asKey(
      c,
      (tx) => tx<{ r: unknown }[]>`select to_jsonb(public.pause_campaign(${id}::uuid)) as r`,
    );
    return reply(c, Campaign, row.r);
  });
}
