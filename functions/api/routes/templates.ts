import { createRoute, z } from "@hono/zod-openapi";
import { asKey, requireScope } from "../auth.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../pagination.ts";
import { type App, body, commonErrors, handle, reply, security, valid } from "../route.ts";
import { Template } from "../schemas.ts";

const TemplatePage = pageOf(Template, "TemplatePage");
const Query = PageQuery.extend({
  channel_id: z.guid().optional(),
  status: z.enum(["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED"]).optional(),
});

const list = createRoute({
  method: "get",
  path: "/v1/templates",
  summary: "List message templates",
  description: "By name, then language.",
  tags: ["Templates"],
  security,
  middleware: [requireScope("templates:read")],
  request: { query: Query },
  responses: { 200: body(TemplatePage), ...commonErrors },
});

export function templateRoutes(app: App) {
  handle(app, list, async (c) => {
    const q = valid<z.infer<typeof Query>>(c, "query");
    const after = decodeCursor(q.cursor, 2);
    const rows = await asKey(
      c,
      (tx) =>
        tx<{ r: Record<string, unknown> }[]>`select to_jsonb(t) as r from public.message_templates t
        where true
        ${q.channel_id ? tx`and t.channel_id = ${q.channel_id}::uuid` : tx``}
        ${q.status ? tx`and t.status = ${q.status}::public.template_status` : tx``}
        ${after ? tx`and (t.name, t.id) > (${after[0]}, ${after[1]}::uuid)` : tx``}
        order by t.name, t.id limit ${q.limit + 1}`,
    );
    return reply(c, TemplatePage, page(rows.map((x) => x.r), q.limit, (r) => [r.name, r.id]));
  });
}
