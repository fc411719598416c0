// Local stand-in for pg_net's background worker: takes committed requests
// from net.http_request_queue (deleting what it takes, as pg_net does),
// performs them and records each answer in net._http_response.
import postgres from "postgres";

const dbUrl = Deno.env.get("THREADLINE_DB_URL");
if (!dbUrl) throw new Error("THREADLINE_DB_URL is required");
const batchSize = Number(Deno.env.get("THREADLINE_NET_BATCH") ?? "200");
const ttl = Deno.env.get("THREADLINE_NET_TTL") ?? "6 hours";

const sql = postgres(dbUrl, {
  max: 4,
  connection: { application_name: "pg_net worker" },
  onnotice: () => {},
});

type Queued = {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer> | null;
  timeout_milliseconds: number;
};
type Answer = {
  id: string;
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean | null;
  error_msg: string | null;
};

async function perform(r: Queued): Promise<Answer> {
  try {
    const res = await fetch(r.url, {
      method: r.method.toUpperCase(),
      headers: r.headers,
      body: r.body ?? undefined,
      signal: AbortSignal.timeout(r.timeout_milliseconds),
    });
    const content = await res.text();
    return {
      id: r.id,
      status_code: res.status,
      content_type: res.headers.get("content-type"),
      headers: Object.fromEntries(res.headers),
      content,
      timed_out: false,
      error_msg: null,
    };
  } catch (e) {
    const timedOut = e instanceof DOMException && e.name === "TimeoutError";
    return {
      id: r.id,
      status_code: null,
      content_type: null,
      headers: null,
      content: null,
      timed_out: timedOut,
      error_msg: timedOut
        ? `Timeout of ${r.timeout_milliseconds} ms reached`
        : `Couldn't perform request: ${(e as Error).message}`,
    };
  }
}

async function drain(): Promise<number> {
  const taken = await sql<Queued[]>`
    delete from net.http_request_queue
     where id in (select id from net.http_request_queue order by id
                   limit ${batchSize} for update skip locked)
    returning id, method, url, headers, body, timeout_milliseconds`;
  if (taken.length === 0) return 0;
  const answers = await Promise.all(taken.map(perform));
  await sql`insert into net._http_response ${
    sql(
      answers,
      "id",
      "status_code",
      "content_type",
      "headers",
      "content",
      "timed_out",
      "error_msg",
    )
  }`;
  return taken.length;
}

let wanted = true;
let running = false;
async function pump() {
  if (running) return;
  running = true;
  try {
    while (wanted) {
      wanted = false;
      while ((await drain()) > 0) { /* keep taking while the queue has work */ }
    }
  } catch (e) {
    console.error(`[net-worker] ${(e as Error).message}`);
  } finally {
    running = false;
  }
}
function wake() {
  wanted = true;
  pump();
}

await sql.listen("pg_net_worker", wake, wake);
// NOTIFY can be missed across a reconnect; a slow poll keeps nothing stranded.
setInterval(wake, 1000);
setInterval(() => {
  sql`delete from net._http_response where created < now() - ${ttl}::interval`.catch((e) =>
    console.error(`[net-worker] ttl: ${(e as Error).message}`)
  );
}, 60_000);

for (const sig of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(sig, async () => {
    await sql.end({ timeout: 1 });
    Deno.exit(0);
  });
}
console.log("[net-worker] listening on pg_net_worker");
wake();
