import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { anonClient, type Client, ok, type Person, signUp } from "../helpers/client.ts";
import { cloudText } from "../fixtures/payloads.ts";
import type { Database } from "../../shared/database.types.ts";
import { until } from "../helpers/e2e.ts";

// Who sees and changes what, asked the way a client app asks: supabase-js
// over HTTP through the gateway to PostgREST, signed in through /auth/v1.
// Workspace A has one person of each role; the outsider owns workspace B.
const run = Date.now().toString().slice(-6);
let sql: Sql;
const people: Record<"owner" | "admin" | "member" | "viewer" | "outsider", Person> = {} as never;
let anon: Client;
let wsA: string;
let wsB: string;
let convA: string; // Open window: the customer wrote a minute ago.
let convAOld: string; // Window long closed.
let convsB: string[];

async function channelWithConversation(owner: Person, ws: string, tag: string) {
  const pnid = `PN-CLIENT-${tag}-${run}`;
  const channel = ok(
    await owner.client.from("channels").insert({
      workspace_id: ws,
      provider: "cloud_api",
      name: tag,
      phone_number_id: pnid,
    })
      .select("id").single(),
  ).id;
  const convs: string[] = [];
  for (const n of [1, 2]) {
    const waId = `55118${run}${n}${tag === "A" ? 1 : 2}`;
    const body = cloudText(pnid, {
      from: waId,
      id: `wamid.client-${tag}-${run}-${n}`,
      body: `hello from ${tag}${n}`,
    });
    await sql`select private.ingest_webhook('cloud_api', ${channel}::uuid, ${
      JSON.stringify(body)
    }::text::jsonb)`;
    const [c] =
      await sql`select id from public.conversations where channel_id = ${channel} and chat_id = ${waId}`;
    convs.push(c.id);
  }
  return convs;
}

beforeAll(async () => {
  sql = adminSql();
  anon = anonClient();
  for (const role of ["owner", "admin", "member", "viewer", "outsider"] as const) {
    people[role] = await signUp(role);
  }
  wsA = ok(await people.owner.client.rpc("create_workspace", { name: `Client Co A ${run}` })).id;
  wsB = ok(await people.outsider.client.rpc("create_workspace", { name: `Client Co B ${run}` })).id;
  // Billing (the service) sets plans; four members need more than free.
  await sql`update public.workspaces set plan = 'premium' where id in (${wsA}, ${wsB})`;
  for (const role of ["admin", "member", "viewer"] as const) {
    const [inv] = ok(
      await people.owner.client.rpc("invite_member", {
        workspace_id: wsA,
        email: people[role].email,
        role,
      }),
    );
    ok(await people[role].client.rpc("accept_invitation", { token: inv.token }));
  }
  [convA, convAOld] = await channelWithConversation(people.owner, wsA, "A");
  convsB = await channelWithConversation(people.outsider, wsB, "B");
  await sql`update public.conversations set window_expires_at = now() - interval '1 day' where id = ${convAOld}`;
});

afterAll(async () => {
  if (!sql) return;
  const ws = [wsA, wsB].filter(Boolean);
  if (ws.length) await sql`delete from public.workspaces where id in ${sql(ws)}`;
  const ids = Object.values(people).map((p) => p.id);
  if (ids.length) await sql`delete from auth.users where id in ${sql(ids)}`;
  await sql.end();
});

// The database fills workspace_id, channel_id and direction from the
// conversation; the generated Insert type cannot know that, so a reply
// inserted directly is typed by hand (send_message needs no such help).
type Reply = { conversation_id: string; content: string };
const reply = (r: Reply) => r as unknown as Database["public"]["Tables"]["messages"]["Insert"];

const inbox = (c: Client) =>
  c.from("conversations")
    .select(
      "id, workspace_id, status, unread_count, contact:contacts(name, phone), messages(content, direction)",
    )
    .order("last_message_at", { ascending: false })
    .limit(50);

describe("the inbox", () => {
  it("shows each member their workspace's conversations, with contact and messages, and nothing else", async () => {
    for (const role of ["owner", "admin", "member", "viewer"] as const) {
      const rows = ok(await inbox(people[role].client));
      expect(rows.map((r) => r.id).sort(), role).toEqual([convA, convAOld].sort());
      const open = rows.find((r) => r.id === convA)!;
      expect(open.contact).toMatchObject({ name: "Customer" });
      expect(open.messages).toEqual([{ content: "hello from A1", direction: "inbound" }]);
      expect(open.unread_count).toBe(1);
    }
    expect(ok(await inbox(people.outsider.client)).map((r) => r.id).sort()).toEqual(
      [...convsB].sort(),
    );
  });

  it("gives an outsider nothing of another workspace, even when asked by id", async () => {
    const c = people.outsider.client;
    expect(ok(await c.from("conversations").select("id").eq("workspace_id", wsA))).toEqual([]);
    expect(ok(await c.from("messages").select("id").eq("conversation_id", convA))).toEqual([]);
    expect(ok(await c.from("workspace_members").select("user_id").eq("workspace_id", wsA))).toEqual(
      [],
    );
    expect(ok(await c.from("workspaces").select("id").eq("id", wsA))).toEqual([]);
  });

  it("refuses anon outright", async () => {
    const r = await inbox(anon);
    expect(r.status).toBe(401);
    expect(r.error).toMatchObject({
      code: "42501",
      message: "permission denied for table conversations",
    });
  });

  it("filters and orders as asked", async () => {
    const c = people.viewer.client;
    const found = ok(
      await c.from("messages").select("content, conversation_id").ilike("content", "%from A2")
        .order("created_at", { ascending: false }),
    );
    expect(found).toEqual([{ content: "hello from A2", conversation_id: convAOld }]);
    const members = ok(
      await c.from("workspace_members").select("role").eq("workspace_id", wsA).order("role"),
    );
    expect(members.map((m) => m.role)).toEqual(["viewer", "member", "admin", "owner"]);
  });
});

describe("replying", () => {
  it("lets a member insert a reply, which is queued for sending", async () => {
    const row = ok(
      await people.member.client.from("messages").insert(
        reply({ conversation_id: convA, content: "We open at 9." }),
      )
        .select("direction, status, content, workspace_id, created_by").single(),
    );
    expect(row).toMatchObject({
      direction: "outbound",
      content: "We open at 9.",
      workspace_id: wsA,
      created_by: people.member.id,
    });
    expect(["pending", "queued", "sent", "delivered", "read", "failed"]).toContain(row.status);
  });

  it("lets a member call send_message", async () => {
    const row = ok(
      await people.member.client.rpc("send_message", {
        conversation_id: convA,
        content: "See you!",
      }),
    );
    expect(row).toMatchObject({
      conversation_id: convA,
      content: "See you!",
      direction: "outbound",
    });
  });

  it("passes the database's refusals to the client intact", async () => {
    const viewer = await people.viewer.client.from("messages").insert(
      reply({ conversation_id: convA, content: "hi" }),
    );
    expect(viewer.status).toBe(403);
    expect(viewer.error).toMatchObject({ code: "42501", message: "viewers cannot send messages" });

    const outsider = await people.outsider.client.from("messages").insert(
      reply({ conversation_id: convA, content: "hi" }),
    );
    // PostgREST answers P0002 (like every P0 code but P0001) with HTTP 500;
    // the body is what the database raised.
    expect(outsider.status).toBe(500);
    expect(outsider.error).toMatchObject({ code: "P0002", message: "conversation not found" });

    const closed = await people.member.client.rpc("send_message", {
      conversation_id: convAOld,
      content: "Are you coming?",
    });
    expect(closed.error).toMatchObject({
      code: "55000",
      message:
        "outside the 24-hour customer service window: only an approved template can be sent until the customer writes again",
    });

    const empty = await people.member.client.rpc("send_message", {
      conversation_id: convA,
      content: "",
    });
    expect(empty.status).toBe(400);
    expect(empty.error).toMatchObject({
      code: "22023",
      message: "a text message needs content of 1 to 4096 characters",
    });

    const anonInsert = await anon.from("messages").insert(
      reply({ conversation_id: convA, content: "hi" }),
    );
    expect(anonInsert.status).toBe(401);
    expect(anonInsert.error).toMatchObject({ code: "42501" });
  });
});

describe("changing rows", () => {
  it("lets a member update what members may, and nobody else changes anything", async () => {
    const pinned = ok(
      await people.member.client.from("conversations").update({ is_pinned: true }).eq("id", convA)
        .select("is_pinned"),
    );
    expect(pinned).toEqual([{ is_pinned: true }]);
    for (const role of ["viewer", "outsider"] as const) {
      const r = await people[role].client.from("conversations").update({ is_pinned: false }).eq(
        "id",
        convA,
      ).select("id");
      expect(r.data, role).toEqual([]);
    }
    const [{ is_pinned }] =
      await sql`select is_pinned from public.conversations where id = ${convA}`;
    expect(is_pinned).toBe(true);
  });

  it("refuses a column no client may write", async () => {
    const r = await people.owner.client.from("conversations").update({ workspace_id: wsB } as never)
      .eq("id", convA);
    expect(r.error).toMatchObject({
      code: "42501",
      message: "permission denied for table conversations",
    });
  });
});

describe("RPCs by role", () => {
  it("create_api_key: admins yes, members no, outsiders no", async () => {
    const args = { workspace_id: wsA, name: "Shop server", permissions: ["messages:send"] };
    const [key] = ok(await people.admin.client.rpc("create_api_key", args));
    expect(key.key).toMatch(/^tl_/);
    const member = await people.member.client.rpc("create_api_key", args);
    expect(member.error).toMatchObject({
      code: "42501",
      message: "you need the admin role in this workspace",
    });
    const outsider = await people.outsider.client.rpc("create_api_key", args);
    expect(outsider.error).toMatchObject({ code: "42501" });
    // An outsider learns nothing a made-up workspace would not tell them.
    const madeUp = await people.outsider.client.rpc("create_api_key", {
      ...args,
      workspace_id: crypto.randomUUID(),
    });
    expect(madeUp.error).toMatchObject({
      code: outsider.error!.code,
      message: outsider.error!.message,
    });
    const keys = ok(await people.viewer.client.from("api_keys").select("name, key_prefix"));
    expect(keys).toEqual([]);
    expect(ok(await people.admin.client.from("api_keys").select("name"))).toEqual([{
      name: "Shop server",
    }]);
  });

  it("invite_member: only admins invite, and only into their workspace", async () => {
    const email = `invitee-${run}@client.example.com`;
    const r = await people.member.client.rpc("invite_member", { workspace_id: wsA, email });
    expect(r.error).toMatchObject({ code: "42501" });
    const b = await people.admin.client.rpc("invite_member", { workspace_id: wsB, email });
    expect(b.error).toMatchObject({ code: "42501" });
  });
});

describe("tables made at run time", () => {
  it("reach the API once PostgREST has reloaded, for those RLS lets in", async () => {
    const agent = ok(
      await people.admin.client.rpc("create_agent", { workspace_id: wsA, name: "REST agent" }),
    );
    // Per-agent tables are typed once in shared/agent-tables.ts, not in Database.
    const table = `agt_${agent.id}_customers` as never;
    // PostgREST reloads its schema cache after the DDL (hosted's event
    // triggers); until it has, the table is unknown to it (404).
    const added = await until("the agent's table in the API", async () => {
      const r = await people.admin.client.from(table)
        .insert({ name: "Walk-in", phone: "+55 11 91234-5678" } as never).select("phone");
      return r.status === 404 ? null : ok(r);
    });
    expect(added).toEqual([{ phone: "+5511912345678" }]);
    expect(ok(await people.outsider.client.from(table).select("phone"))).toEqual([]);
    const r = await anon.from(table).select("phone");
    expect(r.error).toMatchObject({ code: "42501" });
    ok(await people.admin.client.rpc("drop_agent", { agent_id: agent.id }));
  });
});
