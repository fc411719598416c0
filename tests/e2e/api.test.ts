import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql, type TestUser } from "../helpers/db.ts";
import { until } from "../helpers/e2e.ts";
import { call, newKey, person, type Space, space } from "../helpers/api.ts";

// Every endpoint of the public API with a key holding every scope, through
// the gateway, as a customer's server calls it.
let sql: Sql;
let owner: TestUser;
let a: Space;
let key: string;

type Row = Record<string, unknown>;
const data = (b: Row) => b.data as Row[];

beforeAll(async () => {
  sql = adminSql();
  owner = await person("owner");
  a = await space(sql, owner, "API Co");
  ({ key } = await newKey(sql, owner, a.ws));
});
afterAll(() => sql.end());

describe("public API: messages", () => {
  it("sends text, template, media, interactive and reaction messages", async () => {
    const sends = [
      { type: "text", text: "Hi from the API" },
      { type: "template", template: { name: "hello", language: "en_US", params: ["Ana"] } },
      {
        type: "media",
        media: { url: "https://example.com/menu.pdf", kind: "document", caption: "Menu" },
      },
      {
        type: "interactive",
        interactive: {
          type: "button",
          body: { text: "Pick one" },
          action: { buttons: [{ type: "reply", reply: { id: "yes", title: "Yes" } }] },
        },
      },
      { type: "reaction", reaction: { message_id: a.inbound, emoji: "👍" } },
    ];
    for (const s of sends) {
      const r = await call(key, "POST", "/v1/messages", { conversation_id: a.conversation, ...s });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({ conversation_id: a.conversation, direction: "outbound" });
    }
    const [tpl] = await sql<{ content: string }[]>`
      select content from public.messages where conversation_id = ${a.conversation} and type = 'template'`;
    expect(tpl.content).toBe("Hello Ana!");
  });

  it("reports a message's status as the dispatcher sends it", async () => {
    const sent = await call(key, "POST", "/v1/messages", {
      conversation_id: a.conversation,
      type: "text",
      text: "status please",
    });
    const id = sent.body.id as string;
    const got = await until("the message sent", async () => {
      const r = await call(key, "GET", `/v1/messages/${id}`);
      return r.body.status !== "pending" && r;
    });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id, status: "sent" });
    expect(got.body.provider_message_id).toEqual(expect.any(String));
  });

  it("sends once per Idempotency-Key, answering a repeat with the first message", async () => {
    const body = { conversation_id: a.conversation, type: "text", text: "once" };
    const headers = { "idempotency-key": `order-${crypto.randomUUID()}` };
    const first = await call(key, "POST", "/v1/messages", body, headers);
    const again = await Promise.all(
      [1, 2, 3].map(() => call(key, "POST", "/v1/messages", body, headers)),
    );
    expect(first.status).toBe(201);
    for (const r of again) {
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(first.body.id);
      expect(r.headers.get("idempotent-replayed")).toBe("true");
    }
    const [{ n }] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.messages where idempotency_key = ${
      headers["idempotency-key"]
    }`;
    expect(n).toBe(1);
  });

  it("validates requests and maps database refusals to stable error codes", async () => {
    const bad = await call(key, "POST", "/v1/messages", {
      conversation_id: a.conversation,
      type: "text",
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "invalid_request" } });
    const missing = await call(key, "POST", "/v1/messages", {
      conversation_id: crypto.randomUUID(),
      type: "text",
      text: "x",
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "not_found" } });
    const noTemplate = await call(key, "POST", "/v1/messages", {
      conversation_id: a.conversation,
      type: "template",
      template: { name: "nope" },
    });
    expect(noTemplate.status).toBe(404); // P0002 from send_message
    expect(noTemplate.body).toMatchObject({
      error: { code: "not_found", details: { sqlstate: "P0002" } },
    });
    const badReaction = await call(key, "POST", "/v1/messages", {
      conversation_id: a.conversation,
      type: "reaction",
      reaction: { message_id: crypto.randomUUID(), emoji: "x" },
    });
    expect(badReaction.status).toBe(422); // 22023: not a message of the conversation
    expect(badReaction.body).toMatchObject({ error: { code: "invalid_request" } });
    const nowhere = await call(key, "GET", "/v1/nowhere");
    expect(nowhere.status).toBe(404);
    expect(nowhere.body).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("public API: conversations", () => {
  it("lists with filters and keyset pages, and lists a conversation's messages", async () => {
    const all = await call(key, "GET", "/v1/conversations");
    expect(all.status).toBe(200);
    expect(data(all.body).map((c) => c.id)).toContain(a.conversation);
    for (
      const q of [
        "status=open",
        `channel_id=${a.channel}`,
        "label=vip",
        `updated_since=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`,
      ]
    ) {
      const r = await call(key, "GET", `/v1/conversations?${q}`);
      expect(data(r.body).map((c) => c.id), q).toContain(a.conversation);
    }
    for (const q of ["status=closed", "label=nobody", `assignee_id=${crypto.randomUUID()}`]) {
      const r = await call(key, "GET", `/v1/conversations?${q}`);
      expect(data(r.body).map((c) => c.id), q).not.toContain(a.conversation);
    }
    const one = await call(key, "GET", `/v1/conversations/${a.conversation}`);
    expect(one.body.id).toBe(a.conversation);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await call(
        key,
        "GET",
        `/v1/conversations/${a.conversation}/messages?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(r.status).toBe(200);
      expect(data(r.body).length).toBeLessThanOrEqual(2);
      seen.push(...data(r.body).map((m) => m.id as string));
      cursor = r.body.next_cursor as string | null;
    } while (cursor);
    const [{ n }] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.messages where conversation_id = ${a.conversation}`;
    expect(seen.length).toBe(n);
    expect(new Set(seen).size).toBe(n);
    expect(seen).toContain(a.inbound);
    const badCursor = await call(key, "GET", `/v1/conversations?cursor=nonsense`);
    expect(badCursor.status).toBe(400);
  });

  it("assigns, closes and reopens", async () => {
    const assigned = await call(key, "POST", `/v1/conversations/${a.conversation}/assign`, {
      assignee_id: owner.id,
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect(assigned.body.assignee_id).toBe(owner.id);
    const mine = await call(key, "GET", `/v1/conversations?assignee_id=${owner.id}`);
    expect(data(mine.body).map((c) => c.id)).toContain(a.conversation);
    const closed = await call(key, "POST", `/v1/conversations/${a.conversation}/close`);
    expect(closed.body.status).toBe("closed");
    const reopened = await call(key, "POST", `/v1/conversations/${a.conversation}/reopen`);
    expect(reopened.body.status).toBe("open");
    const unassigned = await call(key, "POST", `/v1/conversations/${a.conversation}/assign`, {
      assignee_id: null,
    });
    expect(unassigned.body.assignee_id).toBe(null);
  });
});

describe("public API: contacts and templates", () => {
  it("creates, updates, looks up, lists and opts out contacts", async () => {
    const phone = `4917${Date.now().toString().slice(-8)}`;
    const created = await call(key, "POST", "/v1/contacts", {
      phone: `+${phone}`,
      name: "Bea",
      labels: ["lead"],
      custom_fields: { plan: "gold" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ phone, name: "Bea", labels: ["lead"] });
    const id = created.body.id as string;
    const dup = await call(key, "POST", "/v1/contacts", { phone });
    expect([201, 409]).toContain(dup.status); // phone uniqueness is the database's call
    const updated = await call(key, "PATCH", `/v1/contacts/${id}`, {
      company: "Bea's",
      tags: ["x"],
    });
    expect(updated.body).toMatchObject({ company: "Bea's", tags: ["x"], name: "Bea" });
    const found = await call(key, "GET", `/v1/contacts/lookup?phone=${phone}`);
    expect(found.body.id).toBe(id);
    const none = await call(key, "GET", `/v1/contacts/lookup?phone=4900000000`);
    expect(none.status).toBe(404);
    const one = await call(key, "GET", `/v1/contacts/${id}`);
    expect(one.body.id).toBe(id);
    const labelled = await call(key, "GET", "/v1/contacts?label=lead");
    expect(data(labelled.body).map((c) => c.id)).toContain(id);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await call(key, "GET", `/v1/contacts?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      paged.push(...data(r.body).map((c) => c.id as string));
      cursor = r.body.next_cursor as string | null;
    } while (cursor);
    expect(paged).toEqual(expect.arrayContaining([id, a.contact]));
    const out = await call(key, "POST", `/v1/contacts/${id}/opt-out`);
    expect(out.status).toBe(200);
    expect(out.body.opted_in).toBe(false);
    expect(out.body.opted_out_at).toEqual(expect.any(String));
  });

  it("lists templates", async () => {
    const r = await call(key, "GET", `/v1/templates?channel_id=${a.channel}&status=APPROVED`);
    expect(r.status).toBe(200);
    expect(data(r.body)).toEqual([
      expect.objectContaining({ id: a.template, name: "hello", language: "en_US" }),
    ]);
  });
});

describe("public API: campaigns", () => {
  it("starts, pauses and inspects a campaign", async () => {
    await sql`update public.channels set settings = '{"rate_limit_per_second": 1}' where id = ${a.channel}`;
    await sql`
      insert into public.contacts (workspace_id, name, phone, opted_in, labels)
      select ${a.ws}, 'C' || i, '4916' || lpad(i::text, 8, '0') || '', true, '{camp}'
        from generate_series(1, 30) i`;
    const started = await call(key, "POST", `/v1/campaigns/${a.campaign}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body).toMatchObject({ status: "running", total_recipients: 30 });
    const paused = await call(key, "POST", `/v1/campaigns/${a.campaign}/pause`);
    expect(paused.body.status).toBe("paused");
    const again = await call(key, "POST", `/v1/campaigns/${a.campaign}/pause`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: "invalid_state" } });
    const seen = await call(key, "GET", `/v1/campaigns/${a.campaign}`);
    expect(seen.body).toMatchObject({ id: a.campaign, status: "paused", total_recipients: 30 });
    await sql`update public.channels set settings = '{"rate_limit_per_second": 200}' where id = ${a.channel}`;
  });
});

describe("public API: hooks and dead letters", () => {
  it("creates, lists, rotates and tests hooks", async () => {
    const created = await call(key, "POST", "/v1/hooks", {
      name: "CRM",
      url: "https://crm.example.com/threadline",
      events: ["message.received", "message.sent"],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.id as string;
    const list = await call(key, "GET", "/v1/hooks");
    const mine = data(list.body).find((h) => h.id === id);
    expect(mine).toMatchObject({ name: "CRM", events: ["message.received", "message.sent"] });
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret as string);
    const rotated = await call(key, "POST", `/v1/hooks/${id}/rotate-secret`, {
      overlap_seconds: 60,
    });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const tested = await call(key, "POST", `/v1/hooks/${a.hook}/test`);
    expect(tested.status, JSON.stringify(tested.body)).toBe(202);
    expect(tested.body.event_id).toEqual(expect.any(String));
    const bad = await call(key, "POST", "/v1/hooks", {
      name: "x",
      url: "http://plain.example.com",
    });
    expect(bad.status).toBe(422);
  });

  it("lists and replays dead letters", async () => {
    const list = await call(key, "GET", `/v1/dead-letters?hook_id=${a.hook}`);
    expect(list.status).toBe(200);
    expect(data(list.body).map((d) => d.id)).toContain(a.deadLetter);
    const replayed = await call(key, "POST", "/v1/dead-letters/replay", { ids: [a.deadLetter] });
    expect(replayed.status, JSON.stringify(replayed.body)).toBe(202);
    expect(replayed.body.replayed).toBe(1);
    const after = await call(key, "GET", `/v1/dead-letters?hook_id=${a.hook}`);
    expect(data(after.body).map((d) => d.id)).not.toContain(a.deadLetter);
  });
});
