import { describe, expect, it } from "vitest";
import { createHandler } from "../../functions/health/handler.ts";

const unreachableDb = () => {
  throw new Error("the probe and method checks must not touch the database");
};

describe("health handler", () => {
  const handler = createHandler({
    sql: unreachableDb as never,
    probeUrl: () => "",
    netTimeoutMs: 10,
  });

  it("answers the pg_net probe without a database round trip", async () => {
    const res = await handler(new Request("http://x/health?probe=net"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", probe: "net" });
  });

  it("allows GET only", async () => {
    const res = await handler(new Request("http://x/health", { method: "POST" }));
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
  });

  it("reports 503 with the error when the database is down", async () => {
    const broken = createHandler({
      sql: (() =>
        Object.assign(() => Promise.reject(new Error("connection refused")), {})) as never,
      probeUrl: () => "",
      netTimeoutMs: 10,
    });
    const res = await broken(new Request("http://x/health"));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: "error",
      db: { ok: false, error: "connection refused" },
    });
  });
});
