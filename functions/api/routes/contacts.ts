import { createRoute, z } from "@hono/zod-openapi";
import type { JSONValue } from "postgres";
import { asKey, requireScope } from "../auth.ts";
import { ApiError } from "../errors.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../pagination.ts";
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
import { Contact, IdParam } from "../schemas.ts";

type Row = { r: Record<string, unknown> };
const ContactPage = pageOf(Contact, "ContactPage");

// International number, digits only (a leading + and spaces are dropped).
const phone = z.string().transform((s) => s.replace(/[\s+()-]/g, "")).pipe(
  z.string().regex(/^[1-9][0-9]{6,14}$/, "phone: 7 to 15 digits with country code"),
);

const Fields = {
  name: z.string().max(200).nullable().optional(),
  email: z.email().nullable().optional(),
  company: z.string().max(200).nullable().optional(),
  notes: z.string().max(10000).nullable().optional(),
  tags: z.array(z.string().max(100)).max(100).optional(),
  labels: z.array(z.string().max(100)).max(100).optional(),
  custom_fields: z.record(z.string(), z.unknown()).optional(),
};
const CreateContact = z.object({ phone, ...Fields }).openapi("CreateContact");
const UpdateContact = z.object({ phone: phone.optional(), ...Fields }).openapi("UpdateContact");
type Update = z.infer<typeof UpdateContact>;

const read = [requireScope("contacts:read")];
const write = [requireScope("contacts:write")];
const tags = ["Contacts"];

const list = createRoute({
  method: "get",
  path: "/v1/contacts",
  summary: "List contacts",
  description: "Oldest first.",
  tags,
  security,
  middleware: read,
  request: {
    query: PageQuery.extend({
      label: z.string().max(100).optional(),
      updated_since: z.iso.datetime({ offset: true }).optional(),
    }),
  },
  responses: { 200: body(ContactPage), ...commonErrors },
});
const lookup = createRoute({
  method: "get",
  path: "/v1/contacts/lookup",
  summary: "Look a contact up by phone number",
  tags,
  security,
  middleware: read,
  request: { query: z.object({ phone }) },
  responses: { 200: body(Contact), ...commonErrors, ...notFound },
});
const get = createRoute({
  method: "get",
  path: "/v1/contacts/{id}",
  summary: "Get a contact",
  tags,
  security,
  middleware: read,
  request: { params: IdParam },
  responses: { 200: body(Contact), ...commonErrors, ...notFound },
});
const create = createRoute({
  method: "post",
  path: "/v1/contacts",
  summary: "Create a contact",
  tags,
  security,
  middleware: write,
  request: { body: jsonBody(CreateContact) },
  responses: { 201: body(Contact, "Created"), ...commonErrors, ...conflict },
});
const update = createRoute({
  method: "patch",
  path: "/v1/contacts/{id}",
  summary: "Update a contact",
  description: "Only the fields given change.",
  tags,
  security,
  middleware: write,
  request: { params: IdParam, body: jsonBody(UpdateContact) },
  responses: { 200: body(Contact), ...commonErrors, ...notFound, ...conflict },
});
const optOut = createRoute({
  method: "post",
  path: "/v1/contacts/{id}/opt-out",
  summary: "Opt a contact out of marketing",
  description: "Campaigns and marketing templates skip the contact from now on.",
  tags,
  security,
  middleware: write,
  request: { params: IdParam },
  responses: { 200: body(Contact), ...commonErrors, ...notFound },
});

export function contactRoutes(app: App) {
  handle(app, list, async (c) => {
    const q = valid<z.infer<typeof PageQuery> & { label?: string; updated_since?: string }>(
      c,
      "query",
    );
    const after = decodeCursor(q.cursor, 1);
    const rows = await asKey(c, (tx) =>
      tx<Row[]>`select to_jsonb(k) as r from public.contacts k
        where true
        ${q.label ? tx`and k.labels @> array[${q.label}]` : tx``}
        ${q.updated_since ? tx`and k.updated_at >= ${q.updated_since}::timestamptz` : tx``}
        ${after ? tx`and k.id > ${after[0]}::uuid` : tx``}
        order by k.id limit ${q.limit + 1}`);
    return reply(c, ContactPage, page(rows.map((x) => x.r), q.limit, (r) => [r.id]));
  });

  handle(app, lookup, async (c) => {
    const { phone } = valid<{ phone: string }>(c, "query");
    const [row] = await asKey(
      c,
      (tx) =>
        tx<Row[]>`select to_jsonb(k) as r from public.contacts k where k.phone = ${phone}
        order by k.id limit 1`,
    );
    if (!row) throw new ApiError(404, "not_found", "no contact with this phone number");
    return reply(c, Contact, row.r);
  });

  handle(app, get, async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    const [row] = await asKey(
      c,
      (tx) => tx<Row[]>`select to_jsonb(k) as r from public.contacts k where k.id = ${id}::uuid`,
    );
    if (!row) throw new ApiError(404, "not_found", "contact not found");
    return reply(c, Contact, row.r);
  });

  handle(app, create, async (c) => {
    const b = valid<z.infer<typeof CreateContact>>(c, "json");
    const ws = c.get("key").workspace_id;
    const [row] = await asKey(
      c,
      (tx) =>
        tx<
          Row[]
        >`insert into public.contacts (workspace_id, phone, name, email, company, notes, tags, labels,
          custom_fields)
        values (${ws}::uuid, ${b.phone}, ${b.name ?? null}, ${b.email ?? null}, ${
          b.company ?? null
        },
          ${b.notes ?? null}, ${b.tags ?? []}::text[], ${b.labels ?? []}::text[],
          ${tx.json((b.custom_fields ?? {}) as JSONValue)}::jsonb)
        returning to_jsonb(contacts.*) as r`,
    );
    return reply(c, Contact, row.r, 201);
  });

  handle(app, update, async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    const b = valid<Update>(c, "json");
    const cols = Object.keys(b).filter((k) =>
      b[k as keyof Update] !== undefined
    ) as (keyof Update)[];
    const [row] = await asKey(c, (tx) => {
      const values: Record<string, unknown> = {};
      for (const k of cols) {
        values[k] = k === "custom_fields" ? tx.json(b[k] as JSONValue) : b[k];
      }
      return cols.length === 0
        ? tx<Row[]>`select to_jsonb(k) as r from public.contacts k where k.id = ${id}::uuid`
        : tx<Row[]>`update public.contacts k set ${tx(values, ...cols)}
            where k.id = ${id}::uuid returning to_jsonb(k) as r`;
    });
    if (!row) throw new ApiError(404, "not_found", "contact not found");
    return reply(c, Contact, row.r);
  });

  handle(app, optOut, async (c) => {
    const { id } = valid<{ id: string }>(c, "param");
    const [row] = await asKey(
      c,
      (tx) =>
        tx<Row[]>`update public.contacts k set opted_in = false, opted_out_at = now()
        where k.id = ${id}::uuid returning to_jsonb(k) as r`,
    );
    if (!row) throw new ApiError(404, "not_found", "contact not found");
    return reply(c, Contact, row.r);
  });
}
