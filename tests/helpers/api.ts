import { cloudText } from "../fixtures/payloads.ts";
import { asUser, createUser, type Sql, type TestUser } from "./db.ts";
import { stack } from "./stack.ts";

// The public REST API through the gateway, and a workspace to drive with it.
export const apiBase = () => `${stack().apiUrl}/functions/v1/api`;

export type Answer = { status: number; headers: Headers; body: Record<string, unknown> };

export async function call(
  key: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${apiBase()}${path}`, {
    method,
    headers: {
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { text };
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export async function newKey(
  sql: Sql,
  admin: TestUser,
  ws: string,
  scopes: string[] = ["*"],
  expiresAt: string | null = null,
): Promise<{ id: string; key: string }> {
  const [k] = await asUser(
    sql,
    admin,
    (tx) =>
      tx<{ id: string; key: string }[]>`select id, key from public.create_api_key(${ws}::uuid,
        ${"test key"}, ${scopes}::text[], ${expiresAt}::timestamptz)`,
  );
  return k;
}

export type Space = {
  ws: string;
  channel: string;
  pnid: string;
  conversation: string;
  inbound: string; // an inbound message of the conversation (has a provider id)
  contact: string;
  template: string;
  campaign: string;
  hook: string;
  deadLetter: string;
};

let seq = 0;

// A workspace of `owner` with a Cloud API channel, an open conversation
// with one inbound message, a labelled contact, an approved template, a
// draft campaign, a hook and a dead letter: one of everything the API reads.
export async function space(sql: Sql, owner: TestUser, name: string): Promise<Space> {
  const run = `${Date.now().toString().slice(-6)}${++seq}`;
  const [{ id: ws }] = await asUser(
    sql,
    owner,
    (tx) => tx<{ id: string }[]>`select id from public.create_workspace(${name})`,
  );
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`;
  const pnid = `PN-API-${run}`;
  const [{ id: channel }] = await sql<{ id: string }[]>`
    insert into public.channels (workspace_id, provider, name, phone_number_id, settings)
    values (${ws}, 'cloud_api', ${name}, ${pnid}, '{"rate_limit_per_second": 200}') returning id`;
  await asUser(
    sql,
    owner,
    (tx) =>
      tx`select public.set_channel_credentials(${channel}, ${
        tx.json({ access_token: `api-token-${run}`, app_secret: `api-secret-${run}` })
      })`,
  );
  const waId = `4915${run.padStart(9, "0").slice(-9)}`;
  const wamid = `wamid.api-${run}`;
  await sql`select private.ingest_webhook('cloud_api', ${channel}::uuid,
    ${JSON.stringify(cloudText(pnid, { from: waId, id: wamid, body: "hello" }))}::text::jsonb)`;
  const [conv] = await sql<{ id: string; contact_id: string }[]>`
    select id, contact_id from public.conversations where channel_id = ${channel} and chat_id = ${waId}`;
  const [{ id: inbound }] = await sql<{ id: string }[]>`
    select id from public.messages where provider_message_id = ${wamid}`;
  await sql`update public.contacts set labels = '{vip}' where id = ${conv.contact_id}`;
  const [{ id: template }] = await sql<{ id: string }[]>`
    insert into public.message_templates (workspace_id, channel_id, name, language, category, status, components)
    values (${ws}, ${channel}, 'hello', 'en_US', 'UTILITY', 'APPROVED',
            '[{"type":"BODY","text":"Hello {{1}}!"}]') returning id`;
  const [{ id: campaign }] = await asUser(
    sql,
    owner,
    (tx) =>
      tx<
        { id: string }[]
      >`insert into public.campaigns (workspace_id, channel_id, name, message_content,
        target_type, target_criteria)
      values (${ws}, ${channel}, 'Launch', 'News!', 'labels', '{"labels": ["camp"]}') returning id`,
  );
  const [{ id: hook }] = await asUser(
    sql,
    owner,
    (tx) =>
      tx<{ id: string }[]>`select id from public.create_hook(${ws}::uuid, 'Receiver',
        ${`${stack().fakeProviderUrl}/__hooks/${run}`}, allow_insecure => true)`,
  );
  const [{ id: deadLetter }] = await sql<{ id: string }[]>`
    insert into public.message_cache (workspace_id, hook_id, webhook_id, event_id, event_type, event_data, reason,
                                      attempts)
    values (${ws}, ${hook}, ${`msg_${run}`}, gen_random_uuid(), 'hook.test', '{"type": "hook.test"}',
            'HTTP 500', 3)
    returning id`;
  return {
    ws,
    channel,
    pnid,
    conversation: conv.id,
    inbound,
    contact: conv.contact_id,
    template,
    campaign,
    hook,
    deadLetter,
  };
}

export async function person(label: string): Promise<TestUser> {
  return await createUser(`api-${label}-${crypto.randomUUID()}@example.com`);
}
