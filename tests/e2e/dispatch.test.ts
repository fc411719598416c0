import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asUser, createUser, type Sql, type TestUser } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";
import { fake, until } from "../helpers/e2e.ts";
import { cloudText } from "../fixtures/payloads.ts";

// Outbound through the real path: a member's insert pokes the dispatch
// function through pg_net; the function sends to the fake provider, whose
// status callbacks come back through the webhook. Dispatchers are also run
// as separate processes to race them and to kill one mid-batch.
const s = stack();
const root = fileURLToPath(new URL("../..", import.meta.url));
const run = Date.now().toString().slice(-6);
let sql: Sql;
let member: TestUser;
let ws: string;
let channel: string;
const pnid = `PN-OUT-${run}`;
const appSecret = "dispatch-e2e-secret";

const fault = (f: Record<string, unknown>) =>
  fake("/__fake/faults", { method: "POST", body: JSON.stringify({ match: pnid, ...f }) });
type Logged = { seq: number; at: string; status: number; body: { to?: string } };
const sends = async (to?: string): Promise<Logged[]> => {
  const all = (await (await fake(`/__fake/requests?path=${pnid}/messages`)).json()) as Logged[];
  return to ? all.filter((r) => r.body?.to === to) : all;
};

// A customer who just wrote: an open window.
let seq = 0;
async function openConversation(): Promise<{ id: string; waId: string }> {
  const waId = `55119${run}${String(++seq).padStart(4, "0")}`;
  const body = JSON.stringify(
    cloudText(pnid, { from: waId, id: `wamid.in-${run}-${seq}`, body: "hi" }),
  );
  await sql`select private.ingest_webhook('cloud_api', ${channel}::uuid, ${body}::text::jsonb)`;
  const [c] = await sql<{ id: string }[]>`
    select id from public.conversations where channel_id = ${channel} and chat_id = ${waId}`;
  return { id: c.id, waId };
}

// Many open conversations at once, each with one queued message, without
// poking the dispatch function (the test runs its own dispatchers).
async function queueQuietly(n: number): Promise<string[]> {
  const first = seq + 1;
  seq += n;
  return await sql.begin(async (tx) => {
    await tx`select set_config('threadline.dispatch_poked', txid_current()::text, true)`;
    const rows = await tx<{ chat_id: string }[]>`
      with c as (
        insert into public.contacts (workspace_id, phone, source)
        select ${ws}, '55119' || ${run} || lpad(i::text, 4, '0'), 'inbound' from generate_series(${first}::int, ${seq}::int) i
        returning id, phone
      ), conv as (
        insert into public.conversations (workspace_id, channel_id, chat_id, contact_id, window_expires_at)
        select ${ws}, ${channel}, c.phone, c.id, now() + interval '1 day' from c
        returning id, chat_id
      )
      insert into public.messages (conversation_id, content)
      select conv.id, 'bulk ' || conv.chat_id from conv
      returning recipient_identifier as chat_id`;
    return rows.map((r) => r.chat_id);
  });
}

function dispatcherProcess(worker: string, env: Record<string, string> = {}): ChildProcess & {
  summary: Promise<{ sent: number; claimed: number } | null>;
} {
  const child = spawn(
    `${root}/node_modules/.bin/deno`,
    ["run", "-A", `--config=${root}/deno.json`, `${root}/scripts/dispatch.ts`],
    {
      env: {
        ...process.env,
        SUPABASE_DB_URL: s.dbUrl,
        THREADLINE_GRAPH_API_URL: s.fakeProviderUrl,
        THREADLINE_DISPATCH_WORKER: worker,
        ...env,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  ) as ChildProcess & { summary: Promise<{ sent: number; claimed: number } | null> };
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.summary = new Promise((resolve) => {
    child.on("exit", () => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line).dispatch);
      } catch {
        resolve(null);
      }
    });
  });
  return child;
}

async function statusOf(id: string) {
  const [m] = await sql<
    {
      status: string;
      provider_message_id: string | null;
      error_code: number | null;
      error_message: string | null;
    }[]
  >`select status, provider_message_id, error_code, error_message from public.messages where id = ${id}`;
  return m;
}

async function reply(conv: string, text: string): Promise<string> {
  const [m] = await asUser(
    sql,
    member,
    (tx) =>
      tx<{ id: string }[]>`insert into public.messages (conversation_id, content)
                         values (${conv}, ${text}) returning id`,
  );
  return m.id;
}

beforeAll(async () => {
  sql = adminSql();
  member = await createUser(`out-${crypto.randomUUID()}@example.com`);
  [{ id: ws }] = await asUser(
    sql,
    member,
    (tx) => tx`select id from public.create_workspace('Outbound Co')`,
  );
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`;
  [{ id: channel }] = await sql`
    insert into public.channels (workspace_id, provider, name, phone_number_id, settings)
    values (${ws}, 'cloud_api', 'Out', ${pnid}, '{"rate_limit_per_second": 80}') returning id`;
  await asUser(
    sql,
    member,
    (tx) =>
      tx`select public.set_channel_credentials(${channel}, ${
        tx.json({
          access_token: "e2e-access-token",
          app_secret: appSecret,
          verify_token: "e2e-verify",
        })
      })`,
  );
  await fake("/__fake/faults", { method: "DELETE" });
});

afterEach(async () => {
  await fake("/__fake/faults", { method: "DELETE" });
});

afterAll(async () => {
  await fake(`/__fake/callbacks?phone_number_id=${pnid}`, { method: "DELETE" });
  await sql.end();
});

describe("dispatch", () => {
  it("sends a member's reply within a second, and its statuses flow back", async () => {
    await fake("/__fake/callbacks", {
      method: "POST",
      body: JSON.stringify({
        phone_number_id: pnid,
        url: `${s.apiUrl}/functions/v1/whatsapp-webhook/${channel}`,
        app_secret: appSecret,
        statuses: ["delivered", "read"],
        delay_ms: 20,
      }),
    });
    const { id: conv, waId } = await openConversation();
    const started = Date.now();
    const id = await reply(conv, "Thanks for writing!");
    const sent = await until("sent", async () => {
      const m = await statusOf(id);
      return m.status !== "pending" && m;
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sent.provider_message_id).toMatch(/^wamid\./);
    const log = await sends(waId);
    expect(log.map((r) => r.status)).toEqual([200]);
    expect(log[0].body).toMatchObject({ type: "text", text: { body: "Thanks for writing!" } });
    await until("read", async () => (await statusOf(id)).status === "read");
    await fake(`/__fake/callbacks?phone_number_id=${pnid}`, { method: "DELETE" });
  });

  it("retries a 5xx and sends once", async () => {
    const { id: conv, waId } = await openConversation();
    await fault({ kind: "server_error", times: 1 });
    const id = await reply(conv, "after a hiccup");
    await until("sent", async () => (await statusOf(id)).status === "sent");
    expect((await sends(waId)).map((r) => r.status)).toEqual([503, 200]);
  });

  it("slows down on 130429 and sends later", async () => {
    const { id: conv, waId } = await openConversation();
    await fault({ kind: "rate_limit", times: 1 });
    const id = await reply(conv, "not so fast");
    await until("sent", async () => (await statusOf(id)).status === "sent");
    const log = await sends(waId);
    expect(log.map((r) => r.status)).toEqual([400, 200]);
    expect(Date.parse(log[1].at) - Date.parse(log[0].at)).toBeGreaterThanOrEqual(450);
  });

  it("fails on a permanent 400 with the provider's error, without retrying", async () => {
    const { id: conv, waId } = await openConversation();
    await fault({ kind: "bad_request", times: 1 });
    const id = await reply(conv, "bad");
    const m = await until("failed", async () => {
      const x = await statusOf(id);
      return x.status === "failed" && x;
    });
    expect(m.error_code).toBe(100);
    expect(m.error_message).toMatch(/Invalid parameter/);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await sends(waId)).map((r) => r.status)).toEqual([400]);
  });

  it("two dispatchers racing over 1,000 queued messages send each exactly once", async () => {
    await sql`update public.channels set settings = '{"rate_limit_per_second": 400}' where id = ${channel}`;
    const recipients = await queueQuietly(1000);
    const a = dispatcherProcess(`race-a-${run}`);
    const b = dispatcherProcess(`race-b-${run}`);
    const [sa, sb] = await Promise.all([a.summary, b.summary]);
    const log = await sends();
    const wanted = new Set(recipients);
    const accepted = new Map<string, number>();
    for (const r of log) {
      if (r.status === 200 && wanted.has(r.body.to!)) {
        accepted.set(r.body.to!, (accepted.get(r.body.to!) ?? 0) + 1);
      }
    }
    expect(accepted.size).toBe(1000);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    const [{ pending }] = await sql<{ pending: number }[]>`
      select count(*)::int as pending from public.messages
       where channel_id = ${channel} and recipient_identifier = any(${recipients}) and status <> 'sent'`;
    expect(pending).toBe(0);
    expect(sa && sb).toBeTruthy();
    expect(sa!.claimed).toBeGreaterThan(0);
    expect(sb!.claimed).toBeGreaterThan(0);
  }, 60_000);

  it("a dispatcher killed mid-batch: the rest go out after the lease, none twice", async () => {
    await sql`update public.channels set settings = '{"rate_limit_per_second": 100}' where id = ${channel}`;
    const recipients = await queueQuietly(200);
    const victim = dispatcherProcess(`victim-${run}`, {
      THREADLINE_DISPATCH_LEASE_S: "4",
      THREADLINE_DISPATCH_SEND_TIMEOUT_MS: "2000",
    });
    const sentCount = async () => {
      const [{ n }] = await sql<{ n: number }[]>`
        select count(*)::int as n from public.messages
         where recipient_identifier = any(${recipients}) and status = 'sent'`;
      return n;
    };
    await until("50 sent", async () => (await sentCount()) >= 50, 20_000);
    // From now on the provider holds every request: the victim dies with
    // sends in flight and claims it never finishes.
    await fault({ kind: "latency", delay_ms: 30_000 });
    await new Promise((r) => setTimeout(r, 300));
    victim.kill("SIGKILL");
    await victim.summary;
    await fake("/__fake/faults", { method: "DELETE" });
    const [{ claimed }] = await sql<{ claimed: number }[]>`
      select count(*)::int as claimed from private.outbox where claimed_by = ${`victim-${run}`}`;
    expect(claimed).toBeGreaterThan(0);

    const rescuer = dispatcherProcess(`rescuer-${run}`, {
      THREADLINE_DISPATCH_IDLE_EXIT_MS: "15000",
    });
    await rescuer.summary;
    await until("all sent", async () => (await sentCount()) === 200, 20_000);
    const wanted = new Set(recipients);
    const accepted = new Map<string, number>();
    for (const r of await sends()) {
      if (r.status === 200 && wanted.has(r.body.to!)) {
        accepted.set(r.body.to!, (accepted.get(r.body.to!) ?? 0) + 1);
      }
    }
    expect(accepted.size).toBe(200);
    expect([...accepted.values()].filter((n) => n > 1)).toEqual([]);
  }, 90_000);

  it("the dispatch function is for the service role only", async () => {
    const res = await fetch(`${s.apiUrl}/functions/v1/dispatch`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.anonKey}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(403);
    const ok = await fetch(`${s.apiUrl}/functions/v1/dispatch`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.serviceRoleKey}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(ok.status).toBe(202);
  });

  it("syncs a channel's templates from the provider", async () => {
    await sql`update public.channels set business_account_id = ${`WABA-${run}`} where id = ${channel}`;
    await fake("/__fake/templates", {
      method: "POST",
      body: JSON.stringify({
        waba_id: `WABA-${run}`,
        templates: [
          {
            id: "1",
            name: "order_ready",
            language: "en_US",
            category: "UTILITY",
            status: "APPROVED",
            components: [{ type: "BODY", text: "Hi {{1}}" }],
          },
          {
            id: "2",
            name: "promo",
            language: "pt_BR",
            category: "MARKETING",
            status: "REJECTED",
            rejected_reason: "PROMOTIONAL",
            components: [{ type: "BODY", text: "Oferta" }],
          },
        ],
      }),
    });
    await asUser(sql, member, (tx) => tx`select public.sync_templates(${channel})`);
    const rows = await until("templates", async () => {
      const r = await sql<{ name: string; status: string; rejected_reason: string | null }[]>`
        select name, status, rejected_reason from public.message_templates
         where channel_id = ${channel} order by name`;
      return r.length === 2 && r;
    });
    expect(rows).toEqual([
      { name: "order_ready", status: "APPROVED", rejected_reason: null },
      { name: "promo", status: "REJECTED", rejected_reason: "PROMOTIONAL" },
    ]);
    // and an approved one sends outside the window
    const waId = `55119${run}9999`;
    const body = JSON.stringify(
      cloudText(pnid, { from: waId, id: `wamid.old-${run}`, body: "old" }),
    );
    await sql`select private.ingest_webhook('cloud_api', ${channel}::uuid, ${body}::text::jsonb)`;
    await sql`update public.conversations set window_expires_at = now() - interval '1 hour' where chat_id = ${waId}`;
    const [{ id: conv }] = await sql`select id from public.conversations where chat_id = ${waId}`;
    const [{ id }] = await asUser(
      sql,
      member,
      (tx) =>
        tx`select (public.send_message(${conv}, template_name => 'order_ready', template_params => ${
          tx.json(["Ana"])
        })).id`,
    );
    await until("template sent", async () => (await statusOf(id)).status === "sent");
    const [t] = await sends(waId);
    expect(t.body).toMatchObject({
      type: "template",
      template: {
        name: "order_ready",
        language: { code: "en_US" },
        components: [{ type: "body", parameters: [{ type: "text", text: "Ana" }] }],
      },
    });
  });
});
