import { describe, expect, it, vi } from "vitest";
import {
  createFakeProvider,
  type LoggedRequest,
} from "../../scripts/services/fake-provider-app.ts";
import { MetaWebhook } from "../../shared/providers/meta.ts";
import { verifyHubSignature } from "../../shared/signature.ts";

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

const del = (path: string) => new Request(`http://fake${path}`, { method: "DELETE" });
const errorOf = async (res: Response) => ({ status: res.status, ...(await res.json()).error });

describe("fake provider: Cloud API body validation", () => {
  it("refuses bodies Meta would refuse, naming the parameter", async () => {
    const fake = createFakeProvider();
    const base = { messaging_product: "whatsapp", to: "5511999990000" };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, text: { body: "x" } }, /parameter type is required/],
      [{ ...base, type: "contacts", contacts: [] }, /Param type is invalid/],
      [{ ...base, type: "text" }, /parameter text is required/],
      [{ ...base, type: "text", text: {} }, /parameter text\.body is required/],
      [
        { ...base, type: "image", image: { caption: "c" } },
        /Param image: one of link or id is required/,
      ],
      [{ ...base, type: "template", template: { name: "t" } }, /template\.language is required/],
      [{ ...base, type: "template", template: { name: "t", language: {} } }, /language\.code/],
      [{ ...base, type: "reaction", reaction: { message_id: "m" } }, /reaction\.emoji is required/],
    ];
    for (const [body, message] of cases) {
      const e = await errorOf(await fake.handle(post("/v21.0/1/messages", body, auth)));
      expect(e).toMatchObject({ status: 400, code: 100 });
      expect(e.message).toMatch(message);
    }
    await fake.handle(
      post("/__fake/media", {
        provider: "cloud_api",
        phone_number_id: "1",
        media_id: "MID",
        mime_type: "image/jpeg",
        size: 8,
      }),
    );
    const ok = [
      { ...base, type: "image", image: { id: "MID" } },
      { ...base, type: "template", template: { name: "t", language: { code: "en" } } },
      { ...base, type: "reaction", reaction: { message_id: "m", emoji: "" } },
      { ...base, type: "location", location: { latitude: 1, longitude: 2 } },
      { ...base, type: "interactive", interactive: { type: "button" } },
    ];
    for (const body of ok) {
      expect((await fake.handle(post("/v21.0/1/messages", body, auth))).status).toBe(200);
    }
  });
});

describe("fake provider: Evolution sends", () => {
  it("answers sendMedia, sendLocation, sendReaction and sendSticker, and checks their fields", async () => {
    const fake = createFakeProvider();
    const k = { apikey: "k" };
    const good: [string, Record<string, unknown>, string][] = [
      [
        "sendMedia",
        { number: "55119", mediatype: "image", media: "https://m/i.jpg" },
        "imageMessage",
      ],
      ["sendLocation", { number: "55119", latitude: 1, longitude: 2 }, "locationMessage"],
      [
        "sendReaction",
        { key: { remoteJid: "55119@s.whatsapp.net", fromMe: true, id: "X" }, reaction: "👍" },
        "reactionMessage",
      ],
      ["sendSticker", { number: "55119", sticker: "https://m/s.webp" }, "stickerMessage"],
    ];
    for (const [endpoint, body, messageType] of good) {
      const res = await fake.handle(post(`/message/${endpoint}/inst1`, body, k));
      expect(res.status).toBe(201);
      const answer = await res.json();
      expect(answer).toMatchObject({ messageType, key: { remoteJid: "55119@s.whatsapp.net" } });
      expect(answer.key.id).toMatch(/^BAE5/);
    }
    const bad = await fake.handle(post("/message/sendMedia/inst1", { number: "1", media: "x" }, k));
    expect(bad.status).toBe(400);
    expect((await bad.json()).response.message.join()).toMatch(/mediatype/);
    expect((await fake.handle(post("/message/sendSticker/inst1", { number: "1" }, k))).status)
      .toBe(400);
    expect((await fake.handle(post("/message/sendLocation/i", { number: "1" }))).status).toBe(401);
  });
});

describe("fake provider: templates", () => {
  it("lists a WABA's templates in pages with absolute next URLs", async () => {
    const fake = createFakeProvider();
    const templates = Array.from({ length: 5 }, (_, i) => ({ id: `${i}`, name: `t${i}` }));
    expect((await fake.handle(post("/__fake/templates", { waba_id: "W1", templates }))).status)
      .toBe(201);
    let url: string | undefined = "http://fake:8080/v21.0/W1/message_templates?limit=2";
    const pages: string[][] = [];
    while (url) {
      const res = await fake.handle(new Request(url, { headers: auth }));
      const body: { data: { name: string }[]; paging?: { next?: string } } = await res.json();
      pages.push(body.data.map((t) => t.name));
      url = body.paging?.next;
      if (url) expect(url).toMatch(/^http:\/\/fake:8080\/v21\.0\/W1\/message_templates\?.*after=/);
    }
    expect(pages).toEqual([["t0", "t1"], ["t2", "t3"], ["t4"]]);

    const all = await (await fake.handle(
      new Request("http://fake/v21.0/W1/message_templates", { headers: auth }),
    )).json();
    expect(all.data).toHaveLength(5);
    expect(all.paging.next).toBeUndefined();
    const noToken = await fake.handle(new Request("http://fake/v21.0/W1/message_templates"));
    expect(noToken.status).toBe(401);
    await fake.handle(del("/__fake/templates"));
    const cleared = await fake.handle(
      new Request("http://fake/v21.0/W1/message_templates", { headers: auth }),
    );
    expect((await cleared.json()).data).toEqual([]);
  });
});

describe("fake provider: pair rate limit and aborted requests", () => {
  it("injects 131056 for a (business, consumer) pair", async () => {
    const fake = createFakeProvider();
    await fake.handle(post("/__fake/faults", { kind: "pair_rate_limit", times: 1 }));
    const e = await errorOf(await fake.handle(post("/v21.0/1/messages", cloudText, auth)));
    expect(e).toMatchObject({ status: 400, code: 131056 });
    expect(e.message).toBe("(#131056) (Business Account, Consumer Account) pair rate limit hit");
  });

  it("logs 499 and sends nothing when the client leaves during a latency fault", async () => {
    const posted: Request[] = [];
    const fake = createFakeProvider({
      fetch: (i, init) => (posted.push(new Request(i, init)), Promise.resolve(new Response("ok"))),
    });
    await fake.handle(
      post("/__fake/callbacks", {
        phone_number_id: "1",
        url: "http://hook/",
        app_secret: "s",
        delay_ms: 0,
      }),
    );
    await fake.handle(post("/__fake/faults", { kind: "latency", delay_ms: 60, times: 1 }));
    const ac = new AbortController();
    const req = new Request("http://fake/v21.0/1/messages", {
      method: "POST",
      headers: auth,
      body: JSON.stringify(cloudText),
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 10);
    expect((await fake.handle(req)).status).toBe(499);
    expect(fake.log.map((r) => r.status)).toEqual([499]);
    await new Promise((r) => setTimeout(r, 30));
    expect(posted).toHaveLength(0);
  });
});

describe("fake provider: status callbacks", () => {
  it("posts signed sent, delivered and read webhooks after a Cloud API send", async () => {
    const posted: { url: string; headers: Headers; body: string; at: number }[] = [];
    const fake = createFakeProvider({
      fetch: async (input, init) => {
        const req = new Request(input, init);
        posted.push({ url: req.url, headers: req.headers, body: await req.text(), at: Date.now() });
        return new Response("ok");
      },
    });
    const hook = {
      phone_number_id: "PN9",
      url: "http://crm/hook",
      app_secret: "shh",
      delay_ms: 20,
    };
    expect((await fake.handle(post("/__fake/callbacks", hook))).status).toBe(201);
    const sent = await (await fake.handle(post("/v21.0/PN9/messages", cloudText, auth))).json();
    await fake.handle(post("/v21.0/OTHER/messages", cloudText, auth));
    await new Promise((r) => setTimeout(r, 150));

    expect(posted.map((p) => p.url)).toEqual(Array(3).fill("http://crm/hook"));
    expect(posted[2].at - posted[0].at).toBeGreaterThanOrEqual(35);
    const statuses = [];
    for (const p of posted) {
      const raw = new TextEncoder().encode(p.body);
      expect(await verifyHubSignature(p.headers.get("x-hub-signature-256"), "shh", raw)).toBe(true);
      const body = MetaWebhook.parse(JSON.parse(p.body));
      const value = body.entry[0].changes[0].value as {
        metadata: { phone_number_id: string };
        statuses: { id: string; status: string; timestamp: string; recipient_id: string }[];
      };
      expect(value.metadata.phone_number_id).toBe("PN9");
      expect(value.statuses[0]).toMatchObject({
        id: sent.messages[0].id,
        recipient_id: cloudText.to,
      });
      expect(value.statuses[0].timestamp).toMatch(/^\d{10}$/);
      statuses.push(value.statuses[0].status);
    }
    expect(statuses).toEqual(["sent", "delivered", "read"]);
  });

  it("sends only the chosen statuses, survives a dead endpoint, and stops when cleared", async () => {
    let calls = 0;
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const fake = createFakeProvider({
      fetch: () => (calls++, Promise.reject(new TypeError("connection refused"))),
    });
    const hook = { phone_number_id: "1", url: "http://x/", app_secret: "s", delay_ms: 5 };
    await fake.handle(post("/__fake/callbacks", { ...hook, statuses: ["delivered"] }));
    expect((await fake.handle(post("/v21.0/1/messages", cloudText, auth))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).toBe(1);
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();

    await fake.handle(post("/__fake/callbacks", { ...hook, delay_ms: 30 }));
    await fake.handle(post("/v21.0/1/messages", cloudText, auth));
    await fake.handle(del("/__fake/callbacks"));
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toBe(1);
    expect((await fake.handle(post("/__fake/callbacks", { url: "nope" }))).status).toBe(400);
  });
});

describe("fake provider: request log queries", () => {
  it("filters by path, status and sequence, keeps the newest, and counts", async () => {
    const fake = createFakeProvider();
    await fake.handle(post("/v21.0/1/messages", cloudText, auth));
    await fake.handle(post("/v21.0/1/messages", cloudText));
    await fake.handle(post("/message/sendText/i", { number: "1", text: "x" }, { apikey: "k" }));
    await fake.handle(post("/v21.0/2/messages", cloudText, auth));
    const get = async (q: string) =>
      await (await fake.handle(new Request(`http://fake${q}`))).json();

    expect((await get("/__fake/requests")).map((r: LoggedRequest) => r.seq)).toEqual([1, 2, 3, 4]);
    expect((await get("/__fake/requests?since=2")).map((r: LoggedRequest) => r.seq)).toEqual([
      3,
      4,
    ]);
    expect(
      (await get("/__fake/requests?path=/messages&status=200")).map((r: LoggedRequest) => r.seq),
    )
      .toEqual([1, 4]);
    expect(await get("/__fake/count?path=/messages")).toEqual({ count: 3 });
    expect(await get("/__fake/count?status=401")).toEqual({ count: 1 });
    expect(await get("/__fake/count?path=/v21.0/2/&since=3")).toEqual({ count: 1 });
    expect(await get("/__fake/count?since=4")).toEqual({ count: 0 });
    expect((await get("/__fake/requests?last=2")).map((r: LoggedRequest) => r.seq)).toEqual([3, 4]);
    expect(
      (await get("/__fake/requests?path=/messages&status=200&last=1")).map((r: LoggedRequest) =>
        r.seq
      ),
    ).toEqual([4]);
  });
});
