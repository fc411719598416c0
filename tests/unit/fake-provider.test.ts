import { describe, expect, it } from "vitest";
import { createFakeProvider } from "../../scripts/services/fake-provider-app.ts";

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  new Request(`http://fake${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const cloudText = {
  messaging_product: "whatsapp",
  to: "5511999990000",
  type: "text",
  text: { body: "hi" },
};
const auth = { authorization: "Bearer token" };

describe("fake provider: Cloud API send", () => {
  it("answers a fresh wamid per message and logs the request", async () => {
    const fake = createFakeProvider();
    const a = await (await fake.handle(post("/v21.0/123/messages", cloudText, auth))).json();
    const b = await (await fake.handle(post("/v21.0/123/messages", cloudText, auth))).json();
    expect(a.messages[0].id).toMatch(/^wamid\./);
    expect(a.messages[0].id).not.toBe(b.messages[0].id);
    expect(a.contacts[0].wa_id).toBe("5511999990000");
    expect(fake.log.map((r) => r.status)).toEqual([200, 200]);
  });

  it("refuses a request without a token or without messaging_product", async () => {
    const fake = createFakeProvider();
    expect((await fake.handle(post("/v21.0/123/messages", cloudText))).status).toBe(401);
    const bad = await fake.handle(post("/v21.0/123/messages", { to: "1" }, auth));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe(100);
  });
});

describe("fake provider: Evolution send", () => {
  it("answers a message key with the recipient's jid", async () => {
    const fake = createFakeProvider();
    const res = await fake.handle(
      post("/message/sendText/inst1", { number: "5511999990000", text: "hi" }, { apikey: "k" }),
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.key).toMatchObject({ remoteJid: "5511999990000@s.whatsapp.net", fromMe: true });
    expect((await fake.handle(post("/message/sendText/inst1", { number: "1", text: "x" }))).status)
      .toBe(401);
  });
});

describe("fake provider: faults", () => {
  it("injects 130429 the given number of times, then recovers", async () => {
    const fake = createFakeProvider();
    await fake.handle(post("/__fake/faults", { kind: "rate_limit", times: 2 }));
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const res = await fake.handle(post("/v21.0/123/messages", cloudText, auth));
      codes.push(res.status === 200 ? 200 : (await res.json()).error.code);
    }
    expect(codes).toEqual([130429, 130429, 200]);
  });

  it("injects 5xx and HTTP 429 only on matching paths, and latency", async () => {
    const fake = createFakeProvider();
    await fake.handle(
      post("/__fake/faults", { kind: "server_error", status: 502, match: "/message/" }),
    );
    expect((await fake.handle(post("/v21.0/1/messages", cloudText, auth))).status).toBe(200);
    expect(
      (await fake.handle(post("/message/sendText/i", { number: "1", text: "x" }, { apikey: "k" })))
        .status,
    ).toBe(502);
    await fake.handle(new Request("http://fake/__fake/faults", { method: "DELETE" }));
    await fake.handle(post("/__fake/faults", { kind: "http_429", times: 1 }));
    const limited = await fake.handle(post("/v21.0/1/messages", cloudText, auth));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    await fake.handle(post("/__fake/faults", { kind: "latency", delay_ms: 120, times: 1 }));
    const t0 = performance.now();
    expect((await fake.handle(post("/v21.0/1/messages", cloudText, auth))).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
  });

  it("rejects an unknown fault kind", async () => {
    const fake = createFakeProvider();
    expect((await fake.handle(post("/__fake/faults", { kind: "gremlins" }))).status).toBe(400);
  });
});
