import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Received } from "../../scripts/services/fake-provider-hooks.ts";
import { type Client, ok, type Person, signUp } from "../helpers/client.ts";
import { adminSql, type Sql } from "../helpers/db.ts";
import { fake, until } from "../helpers/e2e.ts";
import { stack } from "../helpers/stack.ts";
import { evolutionUpsert } from "../fixtures/payloads.ts";

// Hook events from the database through the hooks function (poked by the
// database, reached through the gateway) to the fake provider's hook
// receiver, which verifies each delivery with the standardwebhooks library.
const s = stack();
const run = Date.now().toString().slice(-6);
let sql: Sql;
let owner: Person;
let admin: Client;
let ws: string;
let channel: string;
const instance = `hooks-e2e-${run}`;
const evoKey = `evo-hooks-key-${run}`;

type Hook = { id: string; secret: string; rx: string };

async function receiver(name: string, spec: Record<string, unknown>) {
  const res = await fake(`/__hooks/${name}/setup`, {
    method: "POST",
    body: JSON.stringify(spec),
  });
  expect(res.status).toBe(201);
}

const received = async (rx: string): Promise<Received[]> =>
  await (await fake(`/__hooks/${rx}/received`)).json();

// A hook at a fresh receiver that knows its secret. Events it is not sent
// by the test itself (hook.test) go elsewhere.
async function hook(
  label: string,
  spec: Record<string, unknown> = {},
  events = ["campaign.completed"],
): Promise<Hook> {
  const rx = `${label}-${run}`;
  const [h] = ok(
    await admin.rpc("create_hook", {
      workspace_id: ws,
      name: label,
      url: `${s.fakeProviderUrl}/__hooks/${rx}`,
      events,
      allow_insecure: true,
      timeout_seconds: 5,
    }),
  );
  await receiver(rx, { secrets: [h.secret], ...spec });
  return { id: h.id, secret: h.secret, rx };
}

const testEvent = async (h: Hook) =>
  ok(await admin.rpc("send_test_event", { hook_id: h.id })) as string;

const attempts = (h: Hook) =>
  sql<{ attempt: number; status_code: number | null; outcome: string; webhook_id: string }[]>`
    select attempt, status_code, outcome, webhook_id, error from public.hook_deliveries
     where hook_id = ${h.id} order by id`;

beforeAll(async () => {
  sql = adminSql();
  owner = await signUp("hooks-owner");
  admin = owner.client;
  ws = ok(await admin.rpc("create_workspace", { name: `Hooks Co ${run}` })).id;
  channel = ok(
    await admin.from("channels").insert({
      workspace_id: ws,
      provider: "evolution",
      name: "Evo",
      instance_name: instance,
      api_base_url: s.fakeProviderUrl,
    }).select("id").single(),
  ).id;
  ok(
    await admin.rpc("set_channel_credentials", {
      channel_id: channel,
      credentials: { api_key: evoKey },
    }),
  );
});

afterAll(async () => {
  if (!sql) return;
  if (ws) await sql`delete from public.workspaces where id = ${ws}`;
  if (owner) await sql`delete from auth.users where id = ${owner.id}`;
  await sql.end();
});

describe.concurrent("hook deliveries", () => {
  it("arrive signed: the standardwebhooks library verifies them at the receiver", async () => {
    const h = await hook("signed");
    const event = await testEvent(h);
    const got = await until("the test event", async () => (await received(h.rx)).at(0));
    expect(got.verified).toBe(true);
    expect(got.event).toMatchObject({ id: event, type: "hook.test", version: 1, workspace_id: ws });
    expect(got.headers["content-type"]).toBe("application/json");
    expect(new Webhook(h.secret).verify(got.body, got.headers)).toMatchObject({ id: event });
    const row = await until("the attempt recorded", async () => (await attempts(h)).at(0));
    expect(row).toMatchObject({ attempt: 1, status_code: 200, outcome: "delivered" });
    expect(row.webhook_id).toBe(got.headers["webhook-id"]);
  });

  it("a 5xx is retried and the event delivered once, with the same webhook-id", async () => {
    const h = await hook("flaky", { statuses: [500] });
    await testEvent(h);
    const rows = await until("the retry delivered", async () => {
      const r = await attempts(h);
      return r.some((x) => x.outcome === "delivered") && r;
    }, 30_000);
    expect(rows.map((r) => [r.attempt, r.status_code, r.outcome])).toEqual([
      [1, 500, "retrying"],
      [2, 200, "delivered"],
    ]);
    const got = await received(h.rx);
    expect(got.map((g) => g.status)).toEqual([500, 200]);
    expect(new Set(got.map((g) => g.headers["webhook-id"])).size).toBe(1);
    expect(got[0].body).toBe(got[1].body);
    expect(got.every((g) => g.verified)).toBe(true);
  }, 40_000);

  it(
    "a 400 is final: not retried, dead-lettered, and a replay posts it again as it was",
    async () => {
      const h = await hook("refusing", { status: 400 });
      const event = await testEvent(h);
      const [dead] = await until(
        "the dead letter",
        () =>
          sql<{ id: string; reason: string; attempts: number; webhook_id: string }[]>`
        select id, reason, attempts, webhook_id from public.message_cache where hook_id = ${h.id}`
            .then((r) => r.length > 0 && r),
      );
      expect(dead).toMatchObject({ reason: "HTTP 400", attempts: 1 });
      expect((await attempts(h)).map((r) => r.outcome)).toEqual(["dead_lettered"]);
      // Nothing more comes: no retry of a final answer.
      await new Promise((r) => setTimeout(r, 1500));
      const first = await received(h.rx);
      expect(first).toHaveLength(1);

      await receiver(h.rx, { secrets: [h.secret], status: 200 });
      expect(ok(await admin.rpc("replay_dead_letters", { workspace_id: ws, ids: [dead.id] }))).toBe(
        1,
      );
      const again = await until("the replay", async () => (await received(h.rx)).at(1));
      expect(again.headers["webhook-id"]).toBe(first[0].headers["webhook-id"]);
      expect(again.headers["webhook-id"]).toBe(dead.webhook_id);
      expect(again.body).toBe(first[0].body);
      expect(again.event).toMatchObject({ id: event });
      expect(again.verified).toBe(true);
      await until(
        "the replay recorded",
        async () => (await attempts(h)).some((r) => r.outcome === "delivered"),
      );
      expect(await sql`select 1 from public.message_cache where hook_id = ${h.id}`).toHaveLength(0);
    },
    20_000,
  );

  it("after a rotation both secrets sign during the overlap, each verifying", async () => {
    const h = await hook("rotated");
    const fresh = ok(await admin.rpc("rotate_hook_secret", { hook_id: h.id, overlap: "1 hour" }));
    await receiver(h.rx, { secrets: [h.secret, fresh] });
    await testEvent(h);
    const got = await until("the event after rotation", async () => (await received(h.rx)).at(0));
    expect(got.headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(got.verified_with).toEqual([0, 1]);
    expect(new Webhook(fresh).verify(got.body, got.headers)).toBeTruthy();
    expect(new Webhook(h.secret).verify(got.body, got.headers)).toBeTruthy();

    // Without an overlap only the new secret signs.
    const newest = ok(await admin.rpc("rotate_hook_secret", { hook_id: h.id, overlap: "0" }));
    await receiver(h.rx, { secrets: [fresh, newest] });
    await testEvent(h);
    const later = await until(
      "the event after the second rotation",
      async () => (await received(h.rx)).at(1),
    );
    expect(later.headers["webhook-signature"].split(" ")).toHaveLength(1);
    expect(later.verified_with).toEqual([1]);
  }, 20_000);

  it("honours the receiver's Retry-After", async () => {
    const h = await hook("throttled", { statuses: [429], retry_after: "20" });
    await testEvent(h);
    await until("the retry delivered", async () => (await received(h.rx)).length >= 2, 40_000);
    const [first, second] = await received(h.rx);
    // The backoff alone would have retried within 10 s.
    expect(second.at_ms - first.at_ms).toBeGreaterThanOrEqual(19_000);
    expect(second.status).toBe(200);
    expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
  }, 50_000);

  it("a hook's reply to message.received is sent in that conversation", async () => {
    const h = await hook("bot", { reply: { text: `Thanks, we got it ${run}` } }, [
      "message.received",
    ]);
    const jid = `55119${run}77@s.whatsapp.net`;
    const res = await fetch(`${s.apiUrl}/functions/v1/whatsapp-webhook/${channel}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(
        evolutionUpsert({ instance, apikey: evoKey, jid, id: `3EB0HOOK${run}`, text: "hello?" }),
      ),
    });
    expect(res.status).toBe(200);
    const got = await until(
      "message.received at the bot",
      async () => (await received(h.rx)).at(0),
    );
    expect(got.verified).toBe(true);
    expect(got.event).toMatchObject({
      type: "message.received",
      data: { message: { content: "hello?", direction: "inbound" } },
    });
    const sent = await until("the reply at the provider", async () => {
      const log = await (await fake(`/__fake/requests?path=/message/sendText/${instance}`)).json();
      return log.find((r: { body: { text?: string } }) =>
        r.body?.text === `Thanks, we got it ${run}`
      );
    }, 15_000);
    expect(sent.body.number).toContain(`55119${run}77`);
    const [msg] = await sql<{ hook_id: string; conversation_id: string }[]>`
      select m.hook_id, m.conversation_id from public.messages m
       where m.workspace_id = ${ws} and m.direction = 'outbound'`;
    expect(msg.hook_id).toBe(h.id);
    const [conv] = await sql`
      select m.conversation_id from public.messages m
       where m.workspace_id = ${ws} and m.direction = 'inbound'`;
    expect(msg.conversation_id).toBe(conv.conversation_id);
  }, 20_000);
});
