import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asUser, type Sql, type TestUser } from "../helpers/db.ts";
import { call, newKey, person, type Space, space } from "../helpers/api.ts";

// Who a key is and what it reaches: scopes, its one workspace (even when
// its creator belongs to others), keys that stop working, the per-key
// rate limit.
let sql: Sql;
let creator: TestUser;
let a: Space;
let b: Space;
let keyA: string;

type Row = Record<string, unknown>;
const data = (r: Row) => r.data as Row[];

// Every endpoint, with the scopes that cover it (besides "*").
const endpoints = (
  s: Space,
): { method: string; path: string; body?: unknown; scopes: string[] }[] => [
  {
    method: "POST",
    path: "/v1/messages",
    body: { conversation_id: s.conversation, type: "text", text: "x" },
    scopes: ["messages:send"],
  },
  { method: "GET", path: `/v1/messages/${s.inbound}`, scopes: ["messages:read"] },
  { method: "GET", path: "/v1/conversations", scopes: ["conversations:read"] },
  { method: "GET", path: `/v1/conversations/${s.conversation}`, scopes: ["conversations:read"] },
  {
    method: "GET",
    path: `/v1/conversations/${s.conversation}/messages`,
    scopes: ["messages:read"],
  },
  {
    method: "POST",
    path: `/v1/conversations/${s.conversation}/assign`,
    body: { assignee_id: null },
    scopes: ["conversations:write"],
  },
  {
    method: "POST",
    path: `/v1/conversations/${s.conversation}/close`,
    scopes: ["conversations:write"],
  },
  {
    method: "POST",
    path: `/v1/conversations/${s.conversation}/reopen`,
    scopes: ["conversations:write"],
  },
  { method: "GET", path: "/v1/contacts", scopes: ["contacts:read"] },
  { method: "GET", path: `/v1/contacts/${s.contact}`, scopes: ["contacts:read"] },
  { method: "GET", path: "/v1/contacts/lookup?phone=4915000000", scopes: ["contacts:read"] },
  {
    method: "POST",
    path: "/v1/contacts",
    body: { phone: "4915000001" },
    scopes: ["contacts:write"],
  },
  {
    method: "PATCH",
    path: `/v1/contacts/${s.contact}`,
    body: { notes: "n" },
    scopes: ["contacts:write"],
  },
  { method: "POST", path: `/v1/contacts/${s.contact}/opt-out`, scopes: ["contacts:write"] },
  { method: "GET", path: "/v1/templates", scopes: ["templates:read"] },
  {
    method: "GET",
    path: `/v1/campaigns/${s.campaign}`,
    scopes: ["campaigns:manage", "campaigns:read", "campaigns:write"],
  },
  {
    method: "POST",
    path: `/v1/campaigns/${s.campaign}/start`,
    scopes: ["campaigns:manage", "campaigns:write"],
  },
  {
    method: "POST",
    path: `/v1/campaigns/${s.campaign}/pause`,
    scopes: ["campaigns:manage", "campaigns:write"],
  },
  { method: "GET", path: "/v1/hooks", scopes: ["hooks:manage"] },
  {
    method: "POST",
    path: "/v1/hooks",
    body: { name: "h", url: "https://example.com/h" },
    scopes: ["hooks:manage"],
  },
  { method: "POST", path: `/v1/hooks/${s.hook}/rotate-secret`, scopes: ["hooks:manage"] },
  { method: "POST", path: `/v1/hooks/${s.hook}/test`, scopes: ["hooks:manage"] },
  { method: "GET", path: "/v1/dead-letters", scopes: ["hooks:manage"] },
  {
    method: "POST",
    path: "/v1/dead-letters/replay",
    body: { ids: [s.deadLetter] },
    scopes: ["hooks:manage"],
  },
];

beforeAll(async () => {
  sql = adminSql();
  creator = await person("creator");
  // The creator owns both workspaces; the key is A's.
  a = await space(sql, creator, "Key Co");
  b = await space(sql, creator, "Other Co");
  ({ key: keyA } = await newKey(sql, creator, a.ws));
});
afterAll(() => sql.end());

describe("public API: scopes", () => {
  it("each scope reaches only the endpoints it covers", async () => {
    const scopes = [
      "messages:read",
      "messages:send",
      "contacts:read",
      "contacts:write",
      "conversations:read",
      "conversations:write",
      "templates:read",
      "campaigns:read",
      "campaigns:manage",
      "hooks:manage",
    ];
    const wrong: string[] = [];
    for (const scope of scopes) {
      const { key } = await newKey(sql, creator, a.ws, [scope]);
      for (const e of endpoints(a)) {
        const r = await call(key, e.method, e.path, e.body);
        const covered = e.scopes.includes(scope);
        const refused = r.status === 403 && (r.body.error as Row)?.code === "insufficient_scope";
        if (covered === refused) wrong.push(`${scope} ${e.method} ${e.path} -> ${r.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("a key without scopes reaches nothing; the OpenAPI document needs no key", async () => {
    const { key } = await newKey(sql, creator, a.ws, []);
    for (const e of endpoints(a)) {
      const r = await call(key, e.method, e.path, e.body);
      expect(r.status, `${e.method} ${e.path}`).toBe(403);
    }
    expect((await call(null, "GET", "/v1/openapi.json")).status).toBe(200);
  });
});

describe("public API: one workspace per key", () => {
  it("reaches nothing of another workspace of its creator, by id", async () => {
    const bIds = [b.conversation, b.inbound, b.contact, b.campaign, b.hook, b.deadLetter];
    const leaks: string[] = [];
    for (const e of endpoints(b)) {
      const named = `${e.path} ${JSON.stringify(e.body ?? {})}`;
      if (!bIds.some((id) => named.includes(id))) continue;
      const r = await call(keyA, e.method, e.path, e.body);
      const nothing = e.path === "/v1/dead-letters/replay"
        ? r.status === 202 && r.body.replayed === 0
        : r.status === 404 && (r.body.error as Row)?.code === "not_found";
      if (!nothing) {
        leaks.push(`${e.method} ${e.path} -> ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
      }
    }
    expect(leaks).toEqual([]);
    // And nothing of B changed.
    const [conv] =
      await sql`select status, assignee_id from public.conversations where id = ${b.conversation}`;
    expect(conv).toMatchObject({ status: "open", assignee_id: null });
    const [camp] = await sql`select status from public.campaigns where id = ${b.campaign}`;
    expect(camp.status).toBe("draft");
    const [{ n }] =
      await sql`select count(*)::int as n from public.message_cache where id = ${b.deadLetter}`;
    expect(n).toBe(1);
    const [{ m }] = await sql`
      select count(*)::int as m from public.messages where conversation_id = ${b.conversation} and direction = 'outbound'`;
    expect(m).toBe(0);
  });

  it("reaches nothing of it by filter or listing", async () => {
    const lists = [
      "/v1/conversations?limit=200",
      `/v1/conversations?channel_id=${b.channel}`,
      "/v1/conversations?label=vip",
      "/v1/contacts?limit=200",
      "/v1/contacts?label=vip",
      "/v1/contacts/lookup?phone=" +
      (await sql`select phone from public.contacts where id = ${b.contact}`)[0].phone,
      "/v1/templates",
      `/v1/templates?channel_id=${b.channel}`,
      "/v1/hooks",
      "/v1/dead-letters",
      `/v1/dead-letters?hook_id=${b.hook}`,
    ];
    const bIds = [b.conversation, b.contact, b.template, b.hook, b.deadLetter, b.channel, b.ws];
    for (const path of lists) {
      const r = await call(keyA, "GET", path);
      const text = JSON.stringify(r.body);
      for (const id of bIds) expect(text, path).not.toContain(id);
    }
    // The same creator, with their own JWT's reach, would see B: the control.
    const seen = await asUser(
      sql,
      creator,
      (tx) => tx`select 1 from public.conversations where id = ${b.conversation}`,
    );
    expect(seen.length).toBe(1);
    // And A's own rows are listed.
    const own = await call(keyA, "GET", "/v1/conversations");
    expect(data(own.body).map((c) => c.id)).toContain(a.conversation);
  });
});

describe("public API: keys that stop working", () => {
  it("missing, malformed, unknown, revoked, expired keys, a suspended workspace and a removed creator all get the same 401", async () => {
    const answers: { what: string; status: number; body: string }[] = [];
    const probe = async (
      what: string,
      key: string | null,
      headers: Record<string, string> = {},
    ) => {
      const r = await call(key, "GET", "/v1/conversations", undefined, headers);
      answers.push({ what, status: r.status, body: JSON.stringify(r.body) });
    };
    await probe("missing", null);
    await probe("malformed", "not-a-key");
    await probe("basic auth", null, { authorization: "Basic dGw6eA==" });
    await probe("unknown", `tl_${"0".repeat(64)}`);

    const revoked = await newKey(sql, creator, a.ws);
    expect((await call(revoked.key, "GET", "/v1/conversations")).status).toBe(200);
    await asUser(sql, creator, (tx) => tx`select public.revoke_api_key(${revoked.id}::uuid)`);
    await probe("revoked", revoked.key);

    const expiring = await newKey(
      sql,
      creator,
      a.ws,
      ["*"],
      new Date(Date.now() + 3600_000).toISOString(),
    );
    expect((await call(expiring.key, "GET", "/v1/conversations")).status).toBe(200);
    await sql`update public.api_keys set expires_at = now() - interval '1 second' where id = ${expiring.id}`;
    await probe("expired", expiring.key);

    const other = await person("suspended");
    const s = await space(sql, other, "Suspended Co");
    const sKey = await newKey(sql, other, s.ws);
    expect((await call(sKey.key, "GET", "/v1/conversations")).status).toBe(200);
    await sql`update public.workspaces set subscription_status = 'suspended' where id = ${s.ws}`;
    await probe("suspended workspace", sKey.key);

    // An admin who creates a key and then leaves the workspace.
    const leaver = await person("leaver");
    await sql`insert into public.workspace_members (workspace_id, user_id, role) values (${a.ws}, ${leaver.id}, 'admin')`;
    const lKey = await newKey(sql, leaver, a.ws);
    expect((await call(lKey.key, "GET", "/v1/conversations")).status).toBe(200);
    await asUser(
      sql,
      creator,
      (tx) => tx`select public.remove_member(${a.ws}::uuid, ${leaver.id}::uuid)`,
    );
    await probe("removed creator", lKey.key);

    expect(answers.every((x) => x.status === 401), JSON.stringify(answers)).toBe(true);
    expect(new Set(answers.map((x) => x.body)).size, JSON.stringify(answers)).toBe(1);
  });

  it("a creator demoted below admin keeps only what their role allows", async () => {
    const demoted = await person("demoted");
    await sql`insert into public.workspace_members (workspace_id, user_id, role) values (${a.ws}, ${demoted.id}, 'admin')`;
    const dKey = await newKey(sql, demoted, a.ws);
    expect((await call(dKey.key, "GET", "/v1/hooks")).status).toBe(200);
    await sql`update public.workspace_members set role = 'member' where workspace_id = ${a.ws} and user_id = ${demoted.id}`;
    const created = await call(dKey.key, "POST", "/v1/hooks", {
      name: "h",
      url: "https://example.com/h",
    });
    expect(created.status).toBe(403);
    expect(created.body).toMatchObject({ error: { code: "forbidden" } });
  });
});

describe("public API: rate limit", () => {
  it("answers 429 with Retry-After over the key's limit, counted across instances in the database", async () => {
    const { id, key } = await newKey(sql, creator, a.ws);
    await sql`update public.api_keys set rate_limit_per_minute = 3 where id = ${id}`;
    // Four requests within one minute window.
    const [{ s }] = await sql<{ s: number }[]>`select extract(second from now())::float as s`;
    if (s > 50) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await call(key, "GET", "/v1/templates");
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(limited!.body).toMatchObject({ error: { code: "rate_limited" } });
    const after = Number(limited!.headers.get("retry-after"));
    expect(after).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThanOrEqual(60);
    // Another key is not affected.
    expect((await call(keyA, "GET", "/v1/templates")).status).toBe(200);
  });
});
