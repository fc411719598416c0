import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asUser, createUser, type Sql, type TestUser } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";
import { fake, until } from "../helpers/e2e.ts";

// A campaign through the real path: start_campaign as a member, the
// dispatch function feeding and sending at the channel's rate, the fake
// provider's signed statuses flowing back into the counters.
const s = stack();
const run = Date.now().toString().slice(-6);
let sql: Sql;
let member: TestUser;
let ws: string;
let channel: string;
const pnid = `PN-CAMP-${run}`;
const appSecret = "campaign-e2e-secret";

type Campaign = {
  id: string;
  status: string;
  total_recipients: number;
  sent_count: number;
  delivered_count: number;
  read_count: number;
  failed_count: number;
  skipped_count: number;
};

async function campaign(id: string): Promise<Campaign> {
  await sql`select private.fold_campaign(${id}::uuid)`;
  const [c] = await sql<Campaign[]>`select * from public.campaigns where id = ${id}`;
  return c;
}

async function accepted(prefix: string) {
  const log = (await (await fake(`/__fake/requests?path=${pnid}/messages&status=200`)).json()) as {
    body: { to: string };
  }[];
  const per = new Map<string, number>();
  for (const r of log) {
    if (r.body.to.startsWith(prefix)) per.set(r.body.to, (per.get(r.body.to) ?? 0) + 1);
  }
  return per;
}

async function contacts(prefix: string, n: number, optedIn = true) {
  await sql`
    insert into public.contacts (workspace_id, name, phone, opted_in, tags)
    select ${ws}, 'Customer ' || i, ${prefix} || lpad(i::text, 4, '0'), ${optedIn}, '{vip}'
      from generate_series(1, ${n}::int) i`;
}

async function newCampaign(name: string, criteria: Record<string, string[]>): Promise<string> {
  const [{ id }] = await asUser(sql, member, (tx) =>
    tx<{ id: string }[]>`
      insert into public.campaigns (workspace_id, channel_id, name, template_id, template_params, target_type, target_criteria)
      select ${ws}, ${channel}, ${name}, t.id, ${tx.json(["{{contact.first_name}}"])}, 'labels', ${
      tx.json(criteria)
    }
        from public.message_templates t where t.channel_id = ${channel} and t.name = 'hello'
      returning id`);
  return id;
}

beforeAll(async () => {
  sql = adminSql();
  member = await createUser(`camp-${crypto.randomUUID()}@example.com`);
  [{ id: ws }] = await asUser(
    sql,
    member,
    (tx) => tx`select id from public.create_workspace('Campaign Co')`,
  );
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`;
  [{ id: channel }] = await sql`
    insert into public.channels (workspace_id, provider, name, phone_number_id, settings)
    values (${ws}, 'cloud_api', 'Camp', ${pnid}, '{"rate_limit_per_second": 200}') returning id`;
  await asUser(
    sql,
    member,
    (tx) =>
      tx`select public.set_channel_credentials(${channel}, ${
        tx.json({ access_token: "camp-access-token", app_secret: appSecret })
      })`,
  );
  await sql`
    insert into public.message_templates (workspace_id, channel_id, name, language, category, status, components)
    values (${ws}, ${channel}, 'hello', 'en_US', 'MARKETING', 'APPROVED', '[{"type":"BODY","text":"Hello {{1}}!"}]')`;
  await fake("/__fake/callbacks", {
    method: "POST",
    body: JSON.stringify({
      phone_number_id: pnid,
      url: `${s.apiUrl}/functions/v1/whatsapp-webhook/${channel}`,
      app_secret: appSecret,
      statuses: ["delivered", "read"],
      delay_ms: 10,
    }),
  });
});

afterAll(async () => {
  await fake(`/__fake/callbacks?phone_number_id=${pnid}`, { method: "DELETE" });
  await sql.end();
});

describe("campaigns", () => {
  it("a 500-recipient campaign runs to completed with exact counters", async () => {
    const prefix = `5531${run}`;
    await contacts(prefix, 500);
    await contacts(`5532${run}`, 20, false); // opted out: never reached
    const id = await newCampaign("Five hundred", { tags: ["vip"] });
    const [started] = await asUser(
      sql,
      member,
      (tx) => tx<Campaign[]>`select * from public.start_campaign(${id})`,
    );
    expect(started.status).toBe("running");
    expect(started.total_recipients).toBe(500);
    const done = await until("completed", async () => {
      const c = await campaign(id);
      return c.status === "completed" && c.read_count === 500 && c;
    }, 40_000);
    expect(done).toMatchObject({
      total_recipients: 500,
      sent_count: 500,
      delivered_count: 500,
      read_count: 500,
      failed_count: 0,
    });
    const per = await accepted(prefix);
    expect(per.size).toBe(500);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    expect((await accepted(`5532${run}`)).size).toBe(0);
  }, 60_000);

  it("pausing stops sending; resuming finishes without duplicates", async () => {
    const prefix = `5533${run}`;
    await sql`update public.channels set settings = '{"rate_limit_per_second": 50}' where id = ${channel}`;
    await contacts(prefix, 300);
    const id = await newCampaign("Paused", { tags: ["vip"] });
    await sql`update public.contacts set tags = '{}' where workspace_id = ${ws} and phone not like ${
      prefix + "%"
    }`;
    const [c0] = await asUser(
      sql,
      member,
      (tx) => tx<Campaign[]>`select * from public.start_campaign(${id})`,
    );
    expect(c0.total_recipients).toBe(300);
    await until("some sent", async () => (await accepted(prefix)).size >= 30, 20_000);
    const [paused] = await asUser(
      sql,
      member,
      (tx) => tx<Campaign[]>`select * from public.pause_campaign(${id})`,
    );
    expect(paused.status).toBe("paused");
    await new Promise((r) => setTimeout(r, 1500)); // claims in flight at the pause finish
    const atPause = (await accepted(prefix)).size;
    await new Promise((r) => setTimeout(r, 2000));
    expect((await accepted(prefix)).size).toBe(atPause);
    expect(atPause).toBeLessThan(300);

    await asUser(sql, member, (tx) => tx`select public.resume_campaign(${id})`);
    await until("completed", async () => (await campaign(id)).status === "completed", 30_000);
    const per = await accepted(prefix);
    expect(per.size).toBe(300);
    expect([...per.values()].filter((n) => n > 1)).toEqual([]);
  }, 60_000);
});
