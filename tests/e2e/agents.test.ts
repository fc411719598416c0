import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hubSignature } from "../../shared/signature.ts";
import { agentTable } from "../../shared/agent-tables.ts";
import { withClaims } from "../../shared/db.ts";
import {
  adminSql,
  asUser,
  createUser,
  type Sql,
  type TestUser,
  userClaims,
} from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";
import { fake, until } from "../helpers/e2e.ts";

// Agents through the real path: concurrent create_agent calls on separate
// connections, a signed webhook landing in an agent's tables, and an
// agent's outbound row reaching the (fake) provider.
const s = stack();
const run = Date.now().toString().slice(-6);
const pnid = `PN-AGT-${run}`;
const appSecret = "agents-e2e-secret";
let sql: Sql;
let owner: TestUser;
let seller: TestUser;
let ws: string;
let channel: string;

beforeAll(async () => {
  sql = adminSql();
  owner = await createUser(`agt-owner-${crypto.randomUUID()}@example.com`);
  seller = await createUser(`agt-seller-${crypto.randomUUID()}@example.com`);
  [{ id: ws }] = await asUser(
    sql,
    owner,
    (tx) => tx`select id from public.create_workspace('Agents Co')`,
  );
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`;
  await sql`insert into public.workspace_members (workspace_id, user_id, role) values (${ws}, ${seller.id}, 'member')`;
  [{ id: channel }] = await sql`
    insert into public.channels (workspace_id, provider, name, phone_number_id)
    values (${ws}, 'cloud_api', 'Agent line', ${pnid}) returning id`;
  await asUser(
    sql,
    owner,
    (tx) =>
      tx`select public.set_channel_credentials(${channel}, ${
        tx.json({ access_token: "agt-access-token", app_secret: appSecret })
      })`,
  );
});

afterAll(async () => {
  // Agents first: their tables would otherwise outlive this run and show in
  // the generated types.
  for (const { id } of await sql`select id from public.agents where workspace_id = ${ws}`) {
    await sql`select public.drop_agent(${id})`;
  }
  await sql`delete from auth.users where id = ${seller.id}`; // the last owner leaves last
  await sql`delete from auth.users where id = ${owner.id}`;
  await sql.end();
});

describe("create_agent", () => {
  it("serializes concurrent calls: no errors, one agent per user, one per system name", async () => {
    const wide = postgres(s.dbUrl, { max: 12, onnotice: () => {}, prepare: false });
    try {
      const call = (name: string | null, user: string | null) =>
        withClaims(
          wide,
          userClaims(owner),
          (tx) => tx<{ id: string }[]>`select id from public.create_agent(${ws}, ${user}, ${name})`,
        );
      const results = await Promise.all([
        ...Array.from({ length: 6 }, () => call(null, seller.id)),
        ...Array.from({ length: 6 }, (_, i) => call(`Bot ${i % 3}`, null)),
      ]);
      const ids = results.map(([r]) => String(r.id));
      expect(new Set(ids.slice(0, 6)).size).toBe(1);
      expect(new Set(ids.slice(6)).size).toBe(3);
      const [{ agents, tables }] = await sql`
        select (select count(*)::int from public.agents where workspace_id = ${ws}) as agents,
               (select count(*)::int from public.agent_tables where workspace_id = ${ws}) as tables`;
      expect({ agents, tables }).toEqual({ agents: 4, tables: 16 });
    } finally {
      await wide.end();
    }
  });
});

describe("an agent on a WhatsApp channel", () => {
  it("receives a signed webhook in its tables and sends its outbound rows", async () => {
    const [{ id }] = await sql<{ id: number }[]>`
      select id from public.agents where workspace_id = ${ws} and user_id = ${seller.id}`;
    const agent = Number(id);
    await asUser(
      sql,
      owner,
      (tx) =>
        tx`insert into public.agent_channels (agent_id, channel_id) values (${agent}, ${channel})`,
    );
    await fake("/__fake/callbacks", {
      method: "POST",
      body: JSON.stringify({
        phone_number_id: pnid,
        url: `${s.apiUrl}/functions/v1/whatsapp-webhook/${channel}`,
        app_secret: appSecret,
        statuses: ["delivered"],
        delay_ms: 10,
      }),
    });

    const from = `4477009${run}`;
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{
        id: "WABA",
        changes: [{
          field: "messages",
          value: {
            messaging_product: "whatsapp",
            metadata: { display_phone_number: "15550000000", phone_number_id: pnid },
            contacts: [{ profile: { name: "Nina" }, wa_id: from }],
            messages: [{
              from,
              id: `wamid.AGT-${run}`,
              timestamp: String(Math.floor(Date.now() / 1000)),
              type: "text",
              text: { body: "Is my order ready?" },
            }],
          },
        }],
      }],
    });
    const res = await fetch(`${s.apiUrl}/functions/v1/whatsapp-webhook/${channel}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": await hubSignature(appSecret, body),
      },
      body,
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();

    const customers = agentTable(agent, "customers");
    const messages = agentTable(agent, "messages");
    const customer = await until("the customer in the agent's table", async () => {
      const rows = await asUser(
        sql,
        seller,
        (tx) =>
          tx<{ id: number; name: string; phone: string }[]>`select id, name, phone from public.${
            tx(customers)
          }`,
      );
      return rows[0];
    });
    expect(customer).toMatchObject({ name: "Nina", phone: `+${from}` });
    const inbound = await asUser(
      sql,
      seller,
      (tx) =>
        tx`select message, direction from public.${
          tx(messages)
        } where customer_id = ${customer.id}`,
    );
    expect(inbound).toEqual([{ message: "Is my order ready?", direction: "inbound" }]);

    await asUser(
      sql,
      seller,
      (tx) =>
        tx`insert into public.${tx(messages)} (customer_id, message, direction)
         values (${customer.id}, 'Yes, pick it up any time today.', 'outbound')`,
    );
    const sent = await until("the reply at the provider", async () => {
      const log =
        (await (await fake(`/__fake/requests?path=${pnid}/messages&status=200`)).json()) as {
          body: { to: string; text?: { body: string } };
        }[];
      return log.find((r) => r.body.to === from);
    });
    expect(sent.body.text?.body).toBe("Yes, pick it up any time today.");
    const [msg] = await until("delivered", async () => {
      const rows = await sql`
        select status from public.messages
         where channel_id = ${channel} and content = 'Yes, pick it up any time today.' and status = 'delivered'`;
      return rows.length ? rows : null;
    });
    expect(msg.status).toBe("delivered");
    const outbound = await sql`select count(*)::int as n from public.${
      sql(messages)
    } where direction = 'outbound'`;
    expect(outbound[0].n).toBe(1);
    await fake(`/__fake/callbacks?phone_number_id=${pnid}`, { method: "DELETE" });
  });
});
