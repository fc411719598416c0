import { createRoute, z } from "@hono/zod-openapi";
import { asKey, requireScope } from "../auth.ts";
import { ApiError } from "../errors.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../pagination.ts";
import {
  type App,
  body,
  commonErrors,
  handle,
  jsonBody,
  notFound,
  reply,
  security,
  valid,
} from "../route.ts";
import { Conversation, ConversationStatus, IdParam, Message } from "../schemas.ts";

type Row = { r: Record<string, unknown> };
const ConversationPage = pageOf(Conversation, "ConversationPage");
const MessagePage = pageOf(Message, "MessagePage");

const ListQuery = PageQuery.extend({
  status: ConversationStatus.optional(),
  assignee_id: z.guid().optional(),
  channel_id: z.guid().optional(),
  label: z.string().max(100).optional().openapi({
    description: "A label of the conversation's contact.",
  }),
  updated_since: z.iso.datetime({ offset: true }).optional(),
});
type List = z.infer<typeof ListQuery>;

const list = createRoute({
  method: "get",
  path: "/v1/conversations",
  summary: "List conversations",
  description: "Most recently updated first.",
  tags: ["Conversations"],
  security,
  middleware: [requireScope("conversations:read")],
  request: { query: ListQuery },
  responses: { 200: body(ConversationPage), ...commonErrors },
});

const get = createRoute({
  method: "get",
  path: "/v1/conversations/{id}",
  summary: "Get a conversation",
  tags: ["Conversations"],
  security,
  middleware: [requireScope("conversations:read")],
  request: { params: IdParam },
  responses: { 200: body(Conversation), ...commonErrors, ...notFound },
});

const messages = createRoute({
  method: "get",
  path: "/v1/conversations/{id}/messages",
  summary: "List a conversation's messages",
  description: "Newest first.",
  tags: ["Conversations", "Messages"],
  security,
  middleware: [requireScope("messages:read")],
  request: { params: IdParam, query: PageQuery },
  responses: { 200: body(MessagePage), ...commonErrors, ...notFound },
});

const Assign = z.object({
  assignee_id: z.guid().nullable().openapi({
    description: "A member of the workspace; null unassigns.",
  }),
}).openapi("Assign");

const action = (path: string, summary: string, withBody: boolean) =>
  createRoute({
    method: "post",
    path: `/v1/conversations/{id}/${path}`,
    summary,
    tags: ["Conversations"],
    security,
    middleware: [requireScope("conversations:write")],
    request: withBody ? { params: IdParam, body: jsonBody(Assign) } : { params: IdParam },
    responses: { 200: body(Conversation), ...commonErrors, ...notFound },
  });

export function conversationRoutes(app: App) {
  handle(app, list, async (c) => {
    const q = valid<List>(c, "query");
    const after = decodeCursor(q.cursor, 2);
    const rows = await asKey(
      c,
      (tx) =>
        tx<Row[]>`select to_jsonb(v) as r from public.conversations v
        where true
        ${q.status ? tx`and v.status = ${q.status}::public.conversation_status` : tx``}
        ${q.assignee_id ? tx`and v.assignee_id = ${q.assignee_id}::uuid` : tx``}
        ${q.channel_id ? tx`and v.channel_id = ${q.channel_id}::uuid` : tx``}
        ${
          q.label
            ? tx`and exists (select 1 from public.contacts k where k.id = v.contact_id and k.labels @> array[${q.label}])`
            : tx``
        }
        ${q.updated_since ? tx`and v.updated_at >= ${q.updated_since}::timestamptz` : tx``}
        ${
          after
            ? tx`and (v.updated_at, v.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
            : tx``
        }
        order by v.updated_at desc, v.id desc
        limit ${q.limit + 1}`,
    );
    return reply(
      c,
      ConversationPage,
      page(rows.map((x) => x.r), q.limit, (r) => [r.updated_at, r.id]),
    );
  });

  handle(app, get, async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    const [row] = await asKey(
      c,
      (tx) =>
        tx<Row[]>`select to_jsonb(v) as r from public.conversations v where v.id = ${id}::uuid`,
    );
    if (!row) throw new ApiError(404, "not_found", "conversation not found");
    return reply(c, Conversation, row.r);
  });

  handle(app, messages, async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    const q = valid<z.infer<typeof PageQuery>>(c, "query");
    const after = decodeCursor(q.cursor, 2);
    const rows = await asKey(c, async (tx) => {
      const conv = await tx`select 1 from public.conversations where id = ${id}::uuid`;
      if (conv.length === 0) throw new ApiError(404, "not_found", "conversation not found");
      return await tx<Row[]>`select to_jsonb(m) as r from public.messages m
        where m.conversation_id = ${id}::uuid
        ${
        after ? tx`and (m.created_at, m.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : tx``
      }
        order by m.created_at desc, m.id desc
        limit ${q.limit + 1}`;
    });
    return reply(c, MessagePage, page(rows.map((x) => x.r), q.limit, (r) => [r.created_at, r.id]));
  });

  const update = (
    route: ReturnType<typeof action>,
    set: (
      c: Parameters<Parameters<typeof handle>[2]>[0],
    ) => { status?: string; assignee?: string | null },
  ) =>
    handle(app, route, async (c) => {
      const { id } = valid<{ id: string }>(c, "param");
      const s = set(c);
      const [row] = await asKey(c, (tx) =>
        tx<Row[]>`update public.conversations v set
          ${
          s.status !== undefined
            ? tx`status = ${s.status}::public.conversation_status`
            : tx`assignee_id = ${s.assignee ?? null}::uuid`
        }
          where v.id = ${id}::uuid returning to_jsonb(v) as r`);
      if (!row) throw new ApiError(404, "not_found", "conversation not found");
      return reply(c, Conversation, row.r);
    });

  update(
    action("assign", "Assign or unassign a conversation", true),
    (c) => ({ assignee: valid<z.infer<typeof Assign>>(c, "json").assignee_id }),
  );
  update(action("close", "Close a conversation", false), () => ({ status: "closed" }));
  update(action("reopen", "Reopen a conversation", false), () => ({ status: "open" }));
}
