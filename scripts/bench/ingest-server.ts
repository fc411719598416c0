// One HTTP server with the real webhook handler at /whatsapp-webhook/... (the
// path the function sees when deployed) and, as the baseline, a bare insert
// of the body at /baseline: same runtime, same pool, so the ratio measures
// only what ingestion adds. Requests reach the handler as they came: a
// rewritten copy of each would add a body stream proxy to one side only.
import postgres from "postgres";
import { createHandler, defaultDeps } from "../../functions/whatsapp-webhook/handler.ts";

const sql = postgres(Deno.env.get("SUPABASE_DB_URL")!, {
  max: 10,
  prepare: false,
  onnotice: () => {},
});
const webhook = createHandler(defaultDeps(() => sql));

Deno.serve(
  { hostname: "127.0.0.1", port: Number(Deno.env.get("BENCH_PORT")), onListen: () => {} },
  async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/baseline") {
      await sql`insert into bench.baseline (body) values (${await req.text()}::text::jsonb)`;
      return new Response('{"status":"ok"}', { headers: { "content-type": "application/json" } });
    }
    if (path.startsWith("/whatsapp-webhook/")) return webhook(req);
    return new Response("not found", { status: 404 });
  },
);
