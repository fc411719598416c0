// One HTTP server with the real webhook handler at /ingest/... and, as the
// baseline, a bare insert of the body at /baseline: same runtime, same pool,
// so the ratio measures only what ingestion adds.
import postgres from "postgres";
import { createHandler, sqlDeps } from "../../functions/whatsapp-webhook/handler.ts";

const sql = postgres(Deno.env.get("SUPABASE_DB_URL")!, {
  max: 10,
  prepare: false,
  onnotice: () => {},
});
const webhook = createHandler(sqlDeps(() => sql));

Deno.serve(
  { hostname: "127.0.0.1", port: Number(Deno.env.get("BENCH_PORT")), onListen: () => {} },
  async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/baseline") {
      await sql`insert into bench.baseline (body) values (${await req.text()}::text::jsonb)`;
      return new Response('{"status":"ok"}', { headers: { "content-type": "application/json" } });
    }
    if (url.pathname.startsWith("/ingest/")) {
      return webhook(
        new Request(new URL(url.pathname.replace("/ingest", "") + url.search, url), req),
      );
    }
    return new Response("not found", { status: 404 });
  },
);
