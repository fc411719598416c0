import { createRoute, z } from "@hono/zod-openapi";
import type { Tx } from "../../../shared/db.ts";
import type { JSONValue } from "postgres";
import { asKey, requireScope } from "../auth.ts";
import { ApiError } from "../errors.ts";
import {
  type App,
  body,
  commonErrors,
  conflict,
  handle,
  jsonBody,
  notFound,
  reply,
  security,
  valid,
} from "../route.ts";
import { IdParam, Message } from "../schemas.ts";

const uuid = z.guid();
const common = {
  conversation_id: uuid,
  reply_to: uuid.optional().openapi({ description: "A message of the conversation to quote." }),
};
export const SendMessage = z.discriminatedUnion("type", [
  z.object({ ...common, type: z.literal("text"), text: z.string().min(1).max(4096) }),
  z.object({
    ...common,
    type: z.literal("template"),
    template: z.object({
      name: z.string().min(1).max(512),
      language: z.string().max(20).optional(),
      params: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).optional().openapi({
        description: 'Body values in order, or {"header", "body", "buttons"}.',
      }),
    }),
  }),
  z.object({
    ...common,
    type: z.literal("media"),
    media: z.object({
      url: z.url({ protocol: /^https?$/ }),
      kind: z.enum(["image", "video", "audio", "document", "sticker"]).default("document"),
      caption: z.string().max(1024).optional(),
    }),
  }),
  z.object({
    conversation_id: uuid,
    type: z.literal("interactive"),
    interactive: z.object({ type: z.string() }).passthrough().openapi({
      description:
        "A Cloud API interactive object (button, list, cta_url...); Cloud API channels only.",
    }),
  }),
  z.object({
    conversation_id: uuid,
    type: z.literal("reaction"),
    reaction: z.object({
      message_id: uuid.openapi({ description: "The message reacted to." }),
      emoji: z.string().max(16).openapi({ description: "Empty removes the reaction." }),
    }),
  }),
]).openapi("SendMessage");
type Send = z.infer<typeof SendMessage>;

const IdempotencyHeader = z.object({
  "idempotency-key": z.string().min(1).max(200).optional().openapi({
    description:
      "The same key in the workspace answers with the message first sent, sending nothing.",
  }),
});

const send = createRoute({
  method: "post",
  path: "/v1/messages",
  summary: "Send a message",
  description: "Queues a text, template, media, interactive or reaction message in a conversation.",
  tags: ["Messages"],
  security,
  middleware: [requireScope("messages:send")],
  request: { headers: IdempotencyHeader, body: jsonBody(SendMessage) },
  responses: {
    201: body(Message, "Queued; the dispatcher sends it."),
    200: body(Message, "Replay of an Idempotency-Key: the message first sent."),
    ...commonErrors,
    ...notFound,
    ...conflict,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/messages/{id}",
  summary: "Get a message and its status",
  tags: ["Messages"],
  security,
  middleware: [requireScope("messages:read")],
  request: { params: IdParam },
  responses: { 200: body(Message), ...commonErrors, ...notFound },
});

const byKey = (tx: Tx, key: string) =>
  tx<{ r: unknown }[]>`select to_jsonb(m) as r from public.messages m
    where m.idempotency_key = ${key}
      and m.workspace_id = any (array(select private.workspaces_with_role('viewer')))`;

// Text, template and media go through send_message, as clients send;
// interactive and reaction messages are rows clients insert themselves,
// which the outbound module's trigger checks and queues the same way.
function insert(tx: Tx, m: Send, key: string | null) {
  switch (m.type) {
    case "text":
      return tx<{ r: unknown }[]>`select to_jsonb(public.send_message(
        conversation_id => ${m.conversation_id}::uuid, content => ${m.text},
        reply_to => ${m.reply_to ?? null}::uuid, idempotency_key => ${key})) as r`;
    case "template":
      return tx<{ r: unknown }[]>`select to_jsonb(public.send_message(
        conversation_id => ${m.conversation_id}::uuid, template_name => ${m.template.name},
        template_language => ${m.template.language ?? null},
        template_params => ${
        m.template.params === undefined ? null : tx.json(m.template.params as JSONValue)
      }::jsonb,
        reply_to => ${m.reply_to ?? null}::uuid, idempotency_key => ${key})) as r`;
    case "media":
      return tx<{ r: unknown }[]>`select to_jsonb(public.send_message(
        conversation_id => ${m.conversation_id}::uuid, media_url => ${m.media.url},
        media_type => ${m.media.kind}::public.message_type, content => ${m.media.caption ?? null},
        reply_to => ${m.reply_to ?? null}::uuid, idempotency_key => ${key})) as r`;
    case "interactive":
      return tx<
        { r: unknown }[]
      >`insert into public.messages (conversation_id, type, payload, idempotency_key)
        values (${m.conversation_id}::uuid, 'interactive', ${
        tx.json(m.interactive as JSONValue)
      }::jsonb, ${key})
        returning to_jsonb(messages.*) as r`;
    case "reaction":
      return tx<
        { r: unknown }[]
      >`insert into public.messages (conversation_id, type, quoted_message_id,
          reaction_emoji, idempotency_key)
        values (${m.conversation_id}::uuid, 'reaction', ${m.reaction.message_id}::uuid, ${m.reaction.emoji}, ${key})
        returning to_jsonb(messages.*) as r`;
  }
}

export function messageRoutes(app: App) {
  handle(app, send, async (c) => {
    const m = valid<Send>(c, "json");
    const key = valid<z.infer<typeof IdempotencyHeader>>(c, "header")["idempotency-key"] ?? null;
    const replayed = (r: unknown) => reply(c, Message, r, 200, { "idempotent-replayed": "true" });
    try {
      return await asKey(c, async (tx) => {
        if (key !== null) {
          const [seen] = await byKey(tx, key);
          if (seen) return replayed(seen.r);
        }
        const conv =
          await tx`select 1 from public.conversations where id = ${m.conversation_id}::uuid`;
        if (conv.length === 0) throw new ApiError(404, "not_found", "conversation not found");
        const [row] = await insert(tx, m, key);
        return reply(c, Message, row.r, 201);
      });
    } catch (e) {
      // Two requests with one key at once: the loser answers with the winner's message.
      if (key !== null && (e as { code?: string }).code === "23505") {
        const [seen] = await asKey(c, (tx) => byKey(tx, key));
        if (seen) return replayed(seen.r);
      }
      throw e;
    }
  });

  handle(app, get, async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    const [row] = await asKey(
      c,
      (tx) =>
        tx<
          { r: unknown }[]
        >`select to_jsonb(m) as r from public.messages m where m.id = ${id}::uuid`,
    );
    if (!row) throw new ApiError(404, "not_found", "message not found");
    return reply(c, Message, row.r);
  });
}
