import { createRoute, z } from "@hono/zod-openapi";
import { asKey, requireScope } from "../auth.ts";
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
import { DeadLetter, Hook, IdParam } from "../schemas.ts";

// Hooks and dead letters go through the hooks module's RPCs
// (create_hook, rotate_hook_secret, send_test_event, replay_dead_letters),
// which check the key's user is an admin of the workspace.
type Row = { r: Record<string, unknown> };
const middleware = [requireScope("hooks:manage")];
const tags = ["Hooks"];
const HookPage = pageOf(Hook, "HookPage");
const DeadLetterPage = pageOf(DeadLetter, "DeadLetterPage");

const CreateHook = z.object({
  name: z.string().min(1).max(100),
  url: z.url(),
  events: z.array(z.string()).min(1).max(50).default(["*"]).openapi({
    description: 'Event types (message.received, ...) or ["*"] for all.',
  }),
  channel_ids: z.array(z.guid()).min(1).max(100).nullable().default(null),
  method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
  headers: z.record(z.string(), z.string()).default({}),
  secret_headers: z.record(z.string(), z.string()).default({}).openapi({
    description: "Headers whose values are kept in Vault and never shown again.",
  }),
  allow_insecure: z.boolean().default(false).openapi({ description: "Allow a plain http:// URL." }),
  description: z.string().max(1000).nullable().default(null),
  retry_count: z.number().int().min(1).max(20).default(3),
  timeout_seconds: z.number().int().min(1).max(30).default(30),
}).openapi("CreateHook");

const Secret = z.object({
  id: z.guid(),
  secret: z.string().openapi({ description: "whsec_... Shown this once." }),
}).openapi("HookSecret");

const create = createRoute({
  method: "post",
  path: "/v1/hooks",
  summary: "Register a hook",
  description: "Returns the signing secret once.",
  tags,
  security,
  middleware,
  request: { body: jsonBody(CreateHook) },
  responses: { 201: body(Secret, "Created"), ...commonErrors },
});
const list = createRoute({
  method: "get",
  path: "/v1/hooks",
  summary: "List hooks",
  tags,
  security,
  middleware,
  request: { query: PageQuery },
  responses: { 200: body(HookPage), ...commonErrors },
});
const Rotate = z.object({
  overlap_seconds: z.number().int().min(0).max(7 * 86400).default(86400).openapi({
    description: "How long the previous secret keeps signing too.",
  }),
}).openapi("RotateSecret");
const rotate = createRoute({
  method: "post",
  path: "/v1/hooks/{id}/rotate-secret",
  summary: "Rotate a hook's signing secret",
  tags,
  security,
  middleware,
  request: { params: IdParam, body: { content: { "application/json": { schema: Rotate } } } },
  responses: { 200: body(Secret), ...commonErrors, ...notFound },
});
const test = createRoute({
  method: "post",
  path: "/v1/hooks/{id}/test",
  summary: "Send a hook.test event to a hook",
  tags,
  security,
  middleware,
  request: { params: IdParam },
  responses: {
    202: body(z.object({ event_id: z.guid() }).openapi("TestEvent"), "Queued"),
    ...commonErrors,
    ...notFound,
  },
});
const deadLetters = createRoute({
  method: "get",
  path: "/v1/dead-letters",
  summary: "List dead letters",
  description: "Events a hook could not deliver, newest first.",
  tags,
  security,
  middleware,
  request: {
    query: PageQuery.extend({
      hook_id: z.guid().optional(),
      event_type: z.string().max(100).optional(),
    }),
  },
  responses: { 200: body(DeadLetterPage), ...commonErrors },
});
const Replay = z.object({
  ids: z.array(z.guid()).min(1).max(1000).optional().openapi({
    description: "Dead letters to replay; without ids, every one matching hook_id and event_type.",
  }),
  hook_id: z.guid().optional(),
  event_type: z.string().max(100).optional(),
}).openapi("Replay");
const replay = createRoute({
  method: "post",
  path: "/v1/dead-letters/replay",
  summary: "Replay dead letters",
  description: "Delivers the original events again with their original webhook-id.",
  tags,
  security,
  middleware,
  request: { body: jsonBody(Replay) },
  responses: {
    202: body(z.object({ replayed: z.number().int() }).openapi("Replayed"), "Queued"),
    ...commonErrors,
  },
});

export function hookRoutes(app: App) {
  handle(app, create, async (c) => {
    const b = valid<z.infer<typeof CreateHook>>(c, "json");
    const ws = c.get("key").workspace_id;
    const [row] = await asKey(
      c,
      (tx) =>
        tx<{ id: string; secret: string }[]>`select * from public.create_hook(
        workspace_id => ${ws}::uuid, name => ${b.name}, url => ${b.url}, events => ${b.events}::text[],
        channel_ids => ${b.channel_ids}::uuid[], method => ${b.method},
        headers => ${tx.json(b.headers)}::jsonb, secret_headers => ${
          tx.json(b.secret_headers)
        }::jsonb,
        allow_insecure => ${b.allow_insecure}, description => ${b.description},
        retry_count => ${b.retry_count}, timeout_seconds => ${b.timeout_seconds})`,
    );
    return reply(c, Secret, row, 201);
  });

  handle(app, list, async (c) => {
    const q = valid<z.infer<typeof PageQuery>>(c, "query");
    const after = decodeCursor(q.cursor, 1);
    const rows = await asKey(c, (tx) =>
      tx<Row[]>`select to_jsonb(h) as r from public.hooks h
        where true ${after ? tx`and h.id > ${after[0]}::uuid` : tx``}
        order by h.id limit ${q.limit + 1}`);
    return reply(c, HookPage, page(rows.map((x) => x.r), q.limit, (r) => [r.id]));
  });

  handle(app, rotate, async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    let overlap = 86400;
    try {
      overlap = Rotate.parse(await c.req.json()).overlap_seconds;
    } catch { /* no body: the default overlap */ }
    const [row] = await asKey(
      c,
      (tx) =>
        tx<{ secret: string }[]>`select public.rotate_hook_secret(${id}::uuid,
        make_interval(secs => ${overlap})) as secret`,
    );
    return reply(c, Secret, { id, secret: row.secret });
  });

  handle(app, test, async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    const [row] = await asKey(
      c,
      (tx) => tx<{ event_id: string }[]>`select public.send_test_event(${id}::uuid) as event_id`,
    );
    return reply(c, z.object({ event_id: z.guid() }), row, 202);
  });

  handle(app, deadLetters, async (c) => {
    const q = valid<z.infer<typeof PageQuery> & { hook_id?: string; event_type?: string }>(
      c,
      "query",
    );
    const after = decodeCursor(q.cursor, 1);
    const rows = await asKey(
      c,
      (tx) =>
        tx<Row[]>`select to_jsonb(d) as r from public.message_cache d
        where true
        ${q.hook_id ? tx`and d.hook_id = ${q.hook_id}::uuid` : tx``}
        ${q.event_type ? tx`and d.event_type = ${q.event_type}` : tx``}
        ${after ? tx`and d.id < ${after[0]}::uuid` : tx``}
        order by d.id desc limit ${q.limit + 1}`,
    );
    return reply(c, DeadLetterPage, page(rows.map((x) => x.r), q.limit, (r) => [r.id]));
  });

  handle(app, replay, async (c) => {
    const b = valid<z.infer<typeof Replay>>(c, "json");
    const ws = c.get("key").workspace_id;
    const [row] = await asKey(
      c,
      (tx) =>
        tx<{ replayed: number }[]>`select public.replay_dead_letters(workspace_id => ${ws}::uuid,
        ids => ${b.ids ?? null}::uuid[], hook_id => ${b.hook_id ?? null}::uuid,
        event_type => ${b.event_type ?? null}) as replayed`,
    );
    return reply(c, z.object({ replayed: z.number().int() }), row, 202);
  });
}
