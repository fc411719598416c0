import type postgres from "postgres";

// A stand-in service on a loopback port, with its own database pool: serves
// until SIGTERM or SIGINT, then lets requests finish and closes the pool.
export function serveLocal(
  name: string,
  port: number,
  sql: postgres.Sql,
  handle: (req: Request) => Response | Promise<Response>,
): void {
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: () => console.log(`[${name}] listening on 127.0.0.1:${port}`),
  }, handle);
  const stop = async () => {
    await server.shutdown();
    await sql.end({ timeout: 1 });
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}
