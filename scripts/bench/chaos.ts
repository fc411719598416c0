// npm run chaos (through scripts/chaos.sh, which builds the stack this runs
// against): a steady stream of signed Cloud API webhooks while a Postgres
// backend, the postmaster and the function server are killed with -9 and
// the database is stopped for 20 s. Every request not answered 200/400 is
// sent again, as Meta does, until it is. Ends with one JSON line:
// sent (distinct webhooks), acked, lost (acknowledged but not stored),
// duplicates (stored twice), max_answer_ms (slowest answer, any status).
import postgres from "postgres";
import { hubSignature } from "../../shared/signature.ts";
import { createCloudChannel, createWorkspace, setting, sleep, stackEnv } from "./setup.ts";

const env = await stackEnv(Deno.env.get("CHAOS_RUN"));
const DATA = Deno.env.get("CHAOS_DATA")!;
const PG_LOG = Deno.env.get("CHAOS_PG_LOG")!;
const RUN = Deno.env.get("CHAOS_RUN")!;
const common = new URL("../lib/common.sh", import.meta.url).pathname;
const RATE = setting("CHAOS_RATE", 20); // webhooks a second
const CLIENT_TIMEOUT_MS = 15_000; // a provider's patience; answers must come well before
const log = (m: string) => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}`);

const sql = postgres(env.THREADLINE_DB_URL, { max: 2, onnotice: () => {} });
const SECRET = "chaos-app-secret";
const pnid = `PN-CHAOS-${Date.now()}`;
const ws = await createWorkspace(sql, "Chaos", `chaos-${Date.now()}`);
const channel = await createCloudChannel(sql, ws, pnid, { app_secret: SECRET });
await sql.end();
const url = `${env.SUPABASE_URL}/functions/v1/whatsapp-webhook/${channel}`;

type Hook = { id: string; body: string; sig: string; acked: boolean; attempts: number };
const hooks: Hook[] = [];
let maxAnswerMs = 0;
const statuses: Record<string, number> = {};

function newHook(n: number): Promise<Hook> {
  const id = `wamid.CHAOS-${n}`;
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{
      id: "WABA-CHAOS",
      changes: [{
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550000000", phone_number_id: pnid },
          contacts: [{
            profile: { name: `Chaos ${n % 50}` },
            wa_id: `55119${String(n % 50).padStart(8, "0")}`,
          }],
          messages: [{
            from: `55119${String(n % 50).padStart(8, "0")}`,
            id,
            timestamp: String(Math.floor(Date.now() / 1000)),
            type: "text",
            text: { body: `chaos message ${n}` },
          }],
        },
      }],
    }],
  });
  return hubSignature(SECRET, body).then((sig) => ({ id, body, sig, acked: false, attempts: 0 }));
}

async function deliver(h: Hook): Promise<void> {
  h.attempts++;
  const t0 = Date.now();
  let status = "error";
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": h.sig },
      body: h.body,
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    await res.body?.cancel();
    status = String(res.status);
    // Meta stops on any 2xx; a 4xx "stored for replay" is an answer too.
    if (res.status === 200 || res.status === 400) h.acked = true;
  } catch (e) {
    status = (e as Error).name === "TimeoutError" ? "timeout" : "error";
  }
  maxAnswerMs = Math.max(maxAnswerMs, Date.now() - t0);
  statuses[status] = (statuses[status] ?? 0) + 1;
}

// The faults, each through the stack's own scripts or by pid, never by name.
async function sh(script: string): Promise<string> {
  const out = await new Deno.Command("bash", {
    args: ["-c", `source "${common}"; set +e; ${script}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}
const postmasterPid = async () =>
  (await Deno.readTextFile(`${DATA}/postmaster.pid`)).split("\n")[0];
const startDb = () =>
  sh(`cluster_start "${DATA}" "${env.THREADLINE_DB_PORT}" "${PG_LOG}" && echo started`);

async function killBackend() {
  const pm = await postmasterPid();
  // The function's connections: their parent is the postmaster and their
  // application_name is the function pool's.
  const pids = await sh(
    `psql "${env.THREADLINE_SUPERUSER_DB_URL}" -XAtc "select pid from pg_stat_activity where application_name = 'threadline-functions' limit 1"`,
  );
  const pid = pids.split("\n")[0];
  log(`kill -9 backend ${pid || "(none connected)"} of postmaster ${pm}`);
  if (pid) Deno.kill(Number(pid), "SIGKILL");
}

async function killPostmaster() {
  const pm = await postmasterPid();
  log(`kill -9 postmaster ${pm}`);
  Deno.kill(Number(pm), "SIGKILL");
  await sleep(2000);
  log(`restarting the database: ${await startDb()}`);
}

async function killFunction() {
  const gateway = (await Deno.readTextFile(`${RUN}/gateway.pid`)).trim();
  const children = await sh(`pgrep -P ${gateway}`);
  for (const pid of children.split("\n").filter(Boolean)) {
    const cmd = await sh(`tr '\\0' ' ' < /proc/${pid}/cmdline`);
    if (cmd.includes("whatsapp-webhook")) {
      log(`kill -9 function server ${pid}`);
      Deno.kill(Number(pid), "SIGKILL");
    }
  }
}

async function stopDb(ms: number) {
  log("stopping the database");
  await sh(`cluster_stop "${DATA}"`);
  await sleep(ms);
  log(`starting the database: ${await startDb()}`);
}

// The stream: RATE new webhooks a second, each sent once; what is not
// acknowledged is sent again every few seconds, as a provider retries.
let running = true;
// One attempt at a time per webhook.
const busy = new Set<Hook>();
const inFlight = new Set<Promise<void>>();
const track = (p: Promise<void>) => {
  inFlight.add(p);
  p.finally(() => inFlight.delete(p));
};
const stream = (async () => {
  let n = 0;
  const t0 = Date.now();
  while (running) {
    const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
    while (n < due) {
      const h = await newHook(n++);
      hooks.push(h);
      track(deliverOnce(h));
    }
    await sleep(20);
  }
})();
const resend = (async () => {
  while (running) {
    await sleep(3000);
    for (const h of hooks) {
      if (!h.acked && !busy.has(h)) track(deliverOnce(h));
    }
  }
})();
async function deliverOnce(h: Hook) {
  busy.add(h);
  try {
    await deliver(h);
  } finally {
    busy.delete(h);
  }
}

const at = (s: number) => sleep(s * 1000);
const started = Date.now();
const until = async (s: number) => await at(Math.max(0, s - (Date.now() - started) / 1000));
await until(5);
await killBackend();
await until(15);
await killPostmaster();
await until(30);
await killFunction();
await until(40);
await stopDb(20_000);
await until(75);
running = false;
await stream;
await resend;
await Promise.all(inFlight);

// Provider-style re-sends of everything still unacknowledged.
for (let round = 0; round < 20 && hooks.some((h) => !h.acked); round++) {
  await Promise.all(hooks.filter((h) => !h.acked).map(deliverOnce));
  if (hooks.some((h) => !h.acked)) await sleep(2000);
}

const check = postgres(env.THREADLINE_DB_URL, { max: 1, onnotice: () => {} });
const stored = new Map<string, number>();
for (
  const r of await check<{ id: string; n: number }[]>`
  select m ->> 'id' as id, count(*)::int as n
    from public.webhook_events w,
         jsonb_array_elements(w.payload #> '{entry,0,changes,0,value,messages}') m
   where w.channel_id = ${channel}
   group by 1`
) stored.set(r.id, r.n);
const messages = new Map<string, number>();
for (
  const r of await check<{ id: string; n: number }[]>`
  select provider_message_id as id, count(*)::int as n from public.messages
   where channel_id = ${channel} group by 1`
) messages.set(r.id, r.n);
const bodies = await check<{ n: number }[]>`
  select count(*)::int as n from private.webhook_bodies b join public.webhook_events w on w.id = b.event_id
   where w.channel_id = ${channel}`;
const events = await check<{ n: number }[]>`
  select count(*)::int as n from public.webhook_events where channel_id = ${channel}`;
await check.end();

const acked = hooks.filter((h) => h.acked);
const lost = acked.filter((h) => !stored.has(h.id) || !messages.has(h.id)).length;
const duplicates = [...stored.values(), ...messages.values()].filter((n) => n > 1).length;
log(
  `answers by status: ${JSON.stringify(statuses)}; events ${events[0].n}, raw bodies ${
    bodies[0].n
  }, messages ${messages.size}; ${Math.round((Date.now() - started) / 1000)} s`,
);
console.log(JSON.stringify({
  bench: "chaos",
  sent: hooks.length,
  acked: acked.length,
  lost,
  duplicates,
  max_answer_ms: maxAnswerMs,
  resent: hooks.reduce((a, h) => a + h.attempts - 1, 0),
  rate_per_s: RATE,
}));
