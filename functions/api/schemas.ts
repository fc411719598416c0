import { z } from "@hono/zod-openapi";

// Response shapes: rows are read as to_jsonb(row), so timestamps arrive as
// ISO strings, and parsed by these schemas, which keep only the documented
// fields.
const ts = z.string().openapi({ format: "date-time" });
const uuid = z.guid();

export const IdParam = z.object({
  id: uuid.openapi({ param: { name: "id", in: "path" } }),
});

export const Message = z.object({
  id: uuid,
  conversation_id: uuid,
  channel_id: uuid,
  contact_id: uuid.nullable(),
  direction: z.enum(["inbound", "outbound"]),
  type: z.string().openapi({ example: "text" }),
  content: z.string().nullable(),
  status: z.string().openapi({
    description: "pending, sent, delivered, read, failed (outbound); received (inbound)...",
  }),
  media_url: z.string().nullable(),
  payload: z.unknown().nullable().openapi({ description: "Interactive object, for interactive." }),
  reaction_emoji: z.string().nullable(),
  quoted_message_id: uuid.nullable(),
  provider_message_id: z.string().nullable(),
  idempotency_key: z.string().nullable(),
  error_code: z.number().int().nullable(),
  error_message: z.string().nullable(),
  sent_at: ts.nullable(),
  delivered_at: ts.nullable(),
  read_at: ts.nullable(),
  failed_at: ts.nullable(),
  created_at: ts,
}).openapi("Message");

export const ConversationStatus = z.enum(["open", "pending", "closed", "expired"]);

export const Conversation = z.object({
  id: uuid,
  channel_id: uuid,
  contact_id: uuid.nullable(),
  type: z.string(),
  chat_id: z.string(),
  title: z.string().nullable(),
  status: ConversationStatus,
  assignee_id: uuid.nullable(),
  unread_count: z.number().int(),
  window_expires_at: ts.nullable(),
  last_message_at: ts.nullable(),
  last_message_preview: z.string().nullable(),
  closed_at: ts.nullable(),
  created_at: ts,
  updated_at: ts,
}).openapi("Conversation");

export const Contact = z.object({
  id: uuid,
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  company: z.string().nullable(),
  notes: z.string().nullable(),
  tags: z.array(z.string()),
  labels: z.array(z.string()),
  custom_fields: z.record(z.string(), z.unknown()),
  status: z.string(),
  opted_in: z.boolean(),
  opted_in_at: ts.nullable(),
  opted_out_at: ts.nullable(),
  created_at: ts,
  updated_at: ts,
}).openapi("Contact");

export const Template = z.object({
  id: uuid,
  channel_id: uuid,
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  components: z.array(z.unknown()),
  parameter_format: z.string().nullable(),
  updated_at: ts,
}).openapi("Template");

export const Campaign = z.object({
  id: uuid,
  channel_id: uuid,
  name: z.string(),
  description: z.string().nullable(),
  status: z.string(),
  template_id: uuid.nullable(),
  scheduled_at: ts.nullable(),
  started_at: ts.nullable(),
  paused_at: ts.nullable(),
  completed_at: ts.nullable(),
  total_recipients: z.number().int(),
  sent_count: z.number().int(),
  delivered_count: z.number().int(),
  read_count: z.number().int(),
  failed_count: z.number().int(),
  skipped_count: z.number().int(),
  last_error: z.string().nullable(),
  created_at: ts,
  updated_at: ts,
}).openapi("Campaign");

export const Hook = z.object({
  id: uuid,
  name: z.string(),
  url: z.string(),
  method: z.enum(["POST", "PUT", "PATCH"]),
  headers: z.record(z.string(), z.string()),
  secret_header_names: z.array(z.string()),
  events: z.array(z.string()),
  channel_ids: z.array(uuid).nullable(),
  active: z.boolean(),
  allow_insecure: z.boolean(),
  description: z.string().nullable(),
  retry_count: z.number().int(),
  timeout_seconds: z.number().int(),
  secret_prefix: z.string(),
  consecutive_failures: z.number().int(),
  disabled_at: ts.nullable(),
  disabled_reason: z.string().nullable(),
  last_success_at: ts.nullable(),
  last_failure_at: ts.nullable(),
  created_at: ts,
  updated_at: ts,
}).openapi("Hook");

export const DeadLetter = z.object({
  id: uuid,
  hook_id: uuid,
  webhook_id: z.string(),
  event_id: uuid,
  event_type: z.string(),
  event_data: z.record(z.string(), z.unknown()),
  message_id: z.string(),
  from_number: z.string(),
  to_number: z.string(),
  reason: z.string(),
  attempts: z.number().int(),
  timestamp: ts,
  last_attempt: ts.nullable(),
  replay_count: z.number().int(),
  created_at: ts,
}).openapi("DeadLetter");
