// What every benchmark needs from the running `npm start` stack: its
// settings, a database connection, a workspace and channel of its own (with
// credentials in Vault, as set_channel_credentials stores them), a user
// created as GoTrue creates one, the fake provider's log, and one JSON line
// at the end. Benchmarks remove what they made.
import postgres from "postgres";
import { hubSignature } from "../../shared/signature.ts";

export type Sql = postgres.Sql;
export type StackEnv = Record<string, string>;

// The running stack's settings (written by `npm start`, or by a script that
// builds its own stack into runDir).
export async function stackEnv(runDir?: string): Promise<StackEnv> {
  const file = runDir
    ? `${runDir}/stack.env`
    : new URL("../../.threadline/run/stack.env", import.meta.url);
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch {
    throw new Error("no running stack: npm start first");
  }
  return Object.fromEntries(
    text.split("\n").filter(Boolean).map((
      l,
    ) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

// A numeric setting from the environment (BENCH_*), with its default.
export function setting(name: string, fallback: number): number {
  return Number(Deno.env.get(name) ?? fallback);
}

export function connect(env: StackEnv, max: number): Sql {
  return postgres(env.THREADLINE_DB_URL, { max, onnotice: () => {} });
}

// A short suffix that keeps names of concurrent or repeated runs apart.
export function runTag(digits = 7): string {
  return Date.now().toString().slice(-digits);
}

export async function createWorkspace(
  sql: Sql,
  name: string,
  slug: string,
  createdBy: string | null = null,
): Promise<string> {
  const [{ id }] = await sql<{ id: string }[]>`
    insert into public.workspaces (name, slug, plan, created_by)
    values (${name}, ${slug}, 'enterprise', ${createdBy}) returning id`;
  return id;
}

// A Cloud API channel, its credentials in Vault under the names
// set_channel_credentials uses.
export async function createCloudChannel(
  sql: Sql,
  workspaceId: string,
  phoneNumberId: string,
  credentials: Partial<Record<"access_token" | "app_secret", string>>,
  ratePerSecond?: number,
): Promise<string> {
  const settings = ratePerSecond === undefined ? {} : { rate_limit_per_second: ratePerSecond };
  const [{ id }] = await sql<{ id: string }[]>`
    insert into public.channels (workspace_id, provider, name, phone_number_id, settings)
    values (${workspaceId}, 'cloud_api', 'Bench', ${phoneNumberId}, ${sql.json(settings)})
    returning id`;
  for (const [kind, secret] of Object.entries(credentials)) {
    await sql`select vault.create_secret(${secret}, ${`channel:${id}:${kind}`})`;
  }
  return id;
}

// What the sending benchmarks start from: a workspace of their own, named
// for the bench, with one Cloud API channel sending at `limit` messages/s.
// The tag keeps phone numbers and names of repeated runs apart.
export async function sendingWorkspace(sql: Sql, bench: string, limit: number, tagDigits = 7) {
  const tag = runTag(tagDigits);
  const phoneNumberId = `PN-${bench.toUpperCase()}-${tag}`;
  const title = bench[0].toUpperCase() + bench.slice(1);
  const ws = await createWorkspace(sql, `${title} bench`, `${bench}-bench-${tag}`);
  const channel = await createCloudChannel(sql, ws, phoneNumberId, {
    access_token: "bench-access-token",
  }, limit);
  return { tag, phoneNumberId, ws, channel };
}

// The workspace and all it holds; a channel's secrets go with the channel.
export async function dropWorkspace(sql: Sql, workspaceId: string): Promise<void> {
  await sql`delete from public.workspaces where id = ${workspaceId}`;
}

// A confirmed auth user, inserted over GoTrue's own connection
// (supabase_auth_admin), as sign-up does.
export async function createAuthUser(env: StackEnv, email: string): Promise<string> {
  const auth = postgres(env.THREADLINE_AUTH_DB_URL, { max: 1, onnotice: () => {} });
  try {
    const [{ id }] = await auth<{ id: string }[]>`
      insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, raw_app_meta_data,
                              email_confirmed_at, created_at, updated_at)
      values (gen_random_uuid(), '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
              ${email}, '{}', '{"provider":"email"}', now(), now(), now())
      returning id`;
    return id;
  } finally {
    await auth.end();
  }
}

export function fakeProvider(env: StackEnv) {
  const call = (path: string, init?: RequestInit) =>
    fetch(`${env.THREADLINE_FAKE_PROVIDER_URL}${path}`, init);
  return {
    async clearLog() {
      await (await call("/__fake/requests", { method: "DELETE" })).body?.cancel();
    },
    // Sends the fake accepted (HTTP 200) for one phone number id.
    async accepted<T extends { body: { to: string } }>(phoneNumberId: string): Promise<T[]> {
      return await (await call(`/__fake/requests?path=${phoneNumberId}/messages&status=200`))
        .json();
    },
  };
}

// What reached the provider per recipient: extra sends and recipients never reached.
export function perRecipient(accepted: { body: { to: string } }[], expected: number) {
  const per = new Map<string, number>();
  for (const r of accepted) per.set(r.body.to, (per.get(r.body.to) ?? 0) + 1);
  return {
    duplicates: [...per.values()].reduce((a, n) => a + (n - 1), 0),
    lost: expected - per.size,
  };
}

// Pokes the dispatch function as the database's poke does.
export async function pokeDispatch(env: StackEnv): Promise<void> {
  const res = await fetch(`${env.SUPABASE_URL}/functions/v1/dispatch`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}`,
      "content-type": "application/json",
    },
    body: "{}",
  });
  await res.body?.cancel();
  if (res.status !== 202) throw new Error(`dispatch answered ${res.status}`);
}

// Posts a webhook body signed as Meta signs it; true when the function took it.
export async function postSignedWebhook(
  url: string,
  secret: string,
  body: string,
): Promise<boolean> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": await hubSignature(secret, body),
    },
    body,
  });
  await res.body?.cancel();
  return res.status === 200;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// The p-th percentile, to two decimals.
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100;
}

// The one line a benchmark ends with, for comparing runs.
export function report(bench: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, ...figures }));
}
