import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { outcomeOf, replyOf, retryAfterSeconds } from "../../functions/hooks/classify.ts";
import {
  createDeliverer,
  readCapped,
  requestHeaders,
  urlRefusal,
} from "../../functions/hooks/deliver.ts";
import { createHandler, type Deps } from "../../functions/hooks/handler.ts";
import { signatureHeaders } from "../../functions/hooks/signing.ts";
import type { HookJob } from "../../functions/hooks/types.ts";
import { createFakeProvider } from "../../scripts/services/fake-provider-app.ts";
import { localApiKeys } from "../../shared/jwt.ts";
import type { Fetch } from "../../shared/outbound/types.ts";
import { createUrlGuard, type Resolve } from "../../shared/outbound/url-guard.ts";
import { viaFake } from "../helpers/outbound.ts";

// The hooks function's delivery of one event: signed so that the
// standardwebhooks library verifies it, classified per the contract, read
// up to a cap, and never sent to an address inside the deployment.

const secret = (c: string) => `whsec_${btoa(c.repeat(32))}`;
const S1 = secret("a");
const S2 = secret("b");
const BODY = JSON.stringify({
  id: "0193e0f0-0000-7000-8000-000000000001",
  type: "message.received",
  version: 1,
  data: { message: { id: "m1", content: "hi" } },
});

const job = (over: Partial<HookJob> = {}): HookJob => ({
  job_id: "7",
  hook_id: "h1",
  webhook_id: "msg_0123456789abcdef",
  event_type: "message.received",
  body: BODY,
  url: "http://fake/__hooks/r1",
  method: "POST",
  headers: {},
  secrets: [S1],
  timeout_ms: 2000,
  allow_insecure: true,
  attempt: 1,
  max_attempts: 3,
  ...over,
});

const allowAll = createUrlGuard({ allowPrivate: true });
const dns = (table: Record<string, string[]>): Resolve => (host, type) =>
  Promise.resolve((table[host] ?? []).filter((a) => (type === "A") === !a.includes(":")));

function receiver(spec: Record<string, unknown> = {}) {
  const fake = createFakeProvider();
  const setup = (name: string, s: Record<string, unknown>) =>
    fake.handle(
      new Request(`http://fake/__hooks/${name}/setup`, {
        method: "POST",
        body: JSON.stringify({ secrets: [S1], ...s }),
      }),
    );
  const received = async (name = "r1") =>
    await (await fake.handle(new Request(`http://fake/__hooks/${name}/received`))).json();
  return { fake, fetch: viaFake(fake), ready: setup("r1", spec), setup, received };
}

const counting = (inner: Fetch) => {
  const calls: { url: string; init?: RequestInit }[] = [];
  const f: Fetch = (input, init) => {
    calls.push({ url: String(input), init });
    return inner(input, init);
  };
  return { f, calls };
};

describe("signing", () => {
  it("signs id.timestamp.body so the standardwebhooks library verifies it", () => {
    const h = signatureHeaders("msg_1", new Date(), BODY, [S1]);
    expect(h["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(S1).verify(BODY, h)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(S2).verify(BODY, h)).toThrow();
    expect(() => new Webhook(S1).verify(BODY + " ", h)).toThrow();
  });

  it("during a rotation's overlap both secrets sign, and each verifies alone", () => {
    const h = signatureHeaders("msg_2", new Date(), BODY, [S2, S1]);
    expect(h["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(S1).verify(BODY, h)).toBeTruthy();
    expect(new Webhook(S2).verify(BODY, h)).toBeTruthy();
  });

  it("the hook's headers cannot replace the signature or the content type", () => {
    const h = requestHeaders(
      job({
        headers: {
          "Webhook-Signature": "v1,forged",
          "webhook-id": "msg_forged",
          "Content-Type": "text/plain",
          "X-Token": "t",
        },
      }),
      new Date(),
    );
    expect(h.get("webhook-id")).toBe("msg_0123456789abcdef");
    expect(h.get("content-type")).toBe("application/json");
    expect(h.get("x-token")).toBe("t");
    expect(new Webhook(S1).verify(BODY, Object.fromEntries(h))).toBeTruthy();
  });
});

describe("classification", () => {
  it.each([200, 201, 202, 204, 299])(
    "%i is delivered",
    (s) => expect(outcomeOf(s)).toBe("delivered"),
  );
  it.each([400, 401, 403, 404, 405, 410, 413, 422])(
    "%i is final",
    (s) => expect(outcomeOf(s)).toBe("permanent"),
  );
  it.each([408, 409, 425, 429, 500, 502, 503, 504, 301, 302, 307, 100])(
    "%i is retried",
    (s) => expect(outcomeOf(s)).toBe("retry"),
  );

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-12-04T07:00:00Z");
    expect(retryAfterSeconds("120", now)).toBe(120);
    expect(retryAfterSeconds(" 0 ", now)).toBe(0);
    expect(retryAfterSeconds("Fri, 04 Dec 2026 07:00:30 GMT", now)).toBe(30);
    expect(retryAfterSeconds("Fri, 04 Dec 2026 06:00:00 GMT", now)).toBe(0);
    for (const bad of [null, "", "-5", "1.5", "soon", "12abc"]) {
      expect(retryAfterSeconds(bad, now), String(bad)).toBeNull();
    }
  });

  it("takes a reply only from a complete 2xx JSON answer to message.received", () => {
    const r = JSON.stringify({ reply: { text: "hello" } });
    expect(replyOf("message.received", 200, r, true)).toEqual({ text: "hello" });
    expect(replyOf("message.sent", 200, r, true)).toBeNull();
    expect(replyOf("message.received", 500, r, true)).toBeNull();
    expect(replyOf("message.received", 200, r, false)).toBeNull();
    expect(replyOf("message.received", 200, "not json", true)).toBeNull();
    expect(replyOf("message.received", 200, "[1]", true)).toBeNull();
    expect(replyOf("message.received", 200, '{"ok":true}', true)).toBeNull();
    // passed as it is: the database judges it
    expect(replyOf("message.received", 200, '{"reply":"text"}', true)).toBe("text");
  });
});

describe("URLs never called", () => {
  it("refuses credentials in the URL and plain http unless allowed", () => {
    expect(urlRefusal("https://user:pw@hooks.example.com/x", false)).toMatch(/credentials/);
    expect(urlRefusal("https://user@hooks.example.com/x", false)).toMatch(/credentials/);
    expect(urlRefusal("http://hooks.example.com/x", false)).toMatch(/allow_insecure/);
    expect(urlRefusal("http://hooks.example.com/x", true)).toBeNull();
    expect(urlRefusal("https://hooks.example.com/x", false)).toBeNull();
    expect(urlRefusal("ftp://hooks.example.com/x", true)).toMatch(/http/);
    expect(urlRefusal("not a url", true)).toMatch(/not a valid URL/);
  });

  it("a refused URL is final and nothing is sent", async () => {
    const { f, calls } = counting(() => Promise.resolve(new Response("ok")));
    const deliver = createDeliverer({ fetch: f, guard: allowAll });
    for (
      const [url, allow] of [
        ["https://u:p@hooks.example.com/", true],
        ["http://hooks.example.com/", false],
      ] as const
    ) {
      const r = await deliver(job({ url, allow_insecure: allow }));
      expect(r.outcome, url).toBe("permanent");
      expect(r.error, url).toBeTruthy();
    }
    expect(calls).toHaveLength(0);
  });

  it("refuses private, loopback, link-local and IPv4-mapped targets unless the deployment allows them", async () => {
    const guard = createUrlGuard({
      allowPrivate: false,
      subject: "the hook's url",
      resolve: dns({
        "inside.example.com": ["10.1.2.3"],
        "meta.example.com": ["169.254.169.254"],
        "mapped.example.com": ["::ffff:127.0.0.1"],
        "v6.example.com": ["fe80::1"],
        "public.example.com": ["93.184.216.34"],
      }),
    });
    const { f, calls } = counting(() => Promise.resolve(new Response("ok")));
    const deliver = createDeliverer({ fetch: f, guard });
    for (
      const url of [
        "https://127.0.0.1/h",
        "https://localhost/h",
        "https://[::1]/h",
        "https://[::ffff:10.0.0.1]/h",
        "https://169.254.169.254/latest",
        "https://inside.example.com/h",
        "https://meta.example.com/h",
        "https://mapped.example.com/h",
        "https://v6.example.com/h",
      ]
    ) {
      const r = await deliver(job({ url }));
      expect(r.outcome, url).toBe("permanent");
      expect(r.error, url).toMatch(/the hook's url (resolves to a private|points at localhost)/);
    }
    expect(calls).toHaveLength(0);
    expect((await deliver(job({ url: "https://public.example.com/h" }))).outcome).toBe(
      "delivered",
    );
    // what a pinned client may connect to: only what passed
    expect(guard.addresses?.("public.example.com")).toEqual(["93.184.216.34"]);
    expect(guard.addresses?.("inside.example.com")).toBeUndefined();
    // a name that does not resolve may resolve later
    const gone = await deliver(job({ url: "https://gone.example.com/h" }));
    expect(gone).toMatchObject({ outcome: "retry", error: "could not resolve gone.example.com" });
    const local = createDeliverer({ fetch: f, guard: createUrlGuard({ allowPrivate: true }) });
    expect((await local(job({ url: "https://127.0.0.1/h" }))).outcome).toBe("delivered");
  });
});

describe("delivery to the fake's hook receiver", () => {
  it("arrives verified, with the hook's method and headers and the exact body", async () => {
    const rx = receiver();
    await rx.ready;
    const r = await createDeliverer({ fetch: rx.fetch, guard: allowAll })(
      job({ method: "PUT", headers: { "X-Token": "secret-value" } }),
    );
    expect(r).toMatchObject({ job_id: 7, outcome: "delivered", status_code: 200, error: null });
    const [got] = await rx.received();
    expect(got).toMatchObject({ method: "PUT", body: BODY, verified: true, verified_with: [0] });
    expect(got.headers).toMatchObject({
      "webhook-id": "msg_0123456789abcdef",
      "content-type": "application/json",
      "x-token": "secret-value",
    });
    expect(Math.abs(Number(got.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("a receiver without the secret does not verify", async () => {
    const rx = receiver({ secrets: [S2] });
    await rx.ready;
    await createDeliverer({ fetch: rx.fetch, guard: allowAll })(job());
    const [got] = await rx.received();
    expect(got.verified).toBe(false);
    expect(got.verify_error).toBeTruthy();
  });

  it("5xx is retried with the receiver's Retry-After; 400 is final; the reply is taken", async () => {
    const rx = receiver({ statuses: [503, 400, 429], retry_after: "7", reply: { text: "hey" } });
    await rx.ready;
    const deliver = createDeliverer({ fetch: rx.fetch, guard: allowAll });
    expect(await deliver(job())).toMatchObject({
      outcome: "retry",
      status_code: 503,
      retry_after_seconds: 7,
      reply: null,
    });
    expect(await deliver(job())).toMatchObject({ outcome: "permanent", status_code: 400 });
    expect(await deliver(job())).toMatchObject({ outcome: "retry", status_code: 429 });
    expect(await deliver(job())).toMatchObject({
      outcome: "delivered",
      reply: { text: "hey" },
      retry_after_seconds: null,
    });
    expect(await deliver(job({ event_type: "message.sent" }))).toMatchObject({ reply: null });
  });

  it("gives up at the hook's timeout", async () => {
    const rx = receiver({ delay_ms: 5000 });
    await rx.ready;
    const started = Date.now();
    const r = await createDeliverer({ fetch: rx.fetch, guard: allowAll })(job({ timeout_ms: 100 }));
    expect(r).toMatchObject({ outcome: "retry", status_code: null, error: "timeout after 100 ms" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("does not follow redirects", async () => {
    const { f, calls } = counting(() =>
      Promise.resolve(
        new Response(null, { status: 302, headers: { location: "http://10.0.0.1/" } }),
      )
    );
    const r = await createDeliverer({ fetch: f, guard: allowAll })(job());
    expect(r).toMatchObject({ outcome: "retry", status_code: 302 });
    expect(r.error).toMatch(/redirect to http:\/\/10\.0\.0\.1\/ not followed/);
    expect(calls[0].init?.redirect).toBe("manual");
  });
});

describe("response bodies", () => {
  it("reads up to the cap and stops, even from a body that never ends", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 1024;
        c.enqueue(new Uint8Array(1024).fill(120));
      },
    });
    const f: Fetch = () => Promise.resolve(new Response(endless, { status: 200 }));
    const r = await createDeliverer({ fetch: f, guard: allowAll, maxReadBytes: 64 * 1024 })(
      job({ timeout_ms: 5000 }),
    );
    expect(r.outcome).toBe("delivered");
    expect(r.response_body).toHaveLength(2048);
    expect(pulled).toBeLessThan(64 * 1024 + 10 * 1024);
  });

  it("a capped body is not complete, so no reply is read from it", async () => {
    const big = JSON.stringify({ reply: { text: "x" }, pad: "p".repeat(100_000) });
    const capped = await readCapped(new Response(big), 64 * 1024);
    expect(capped.complete).toBe(false);
    expect(capped.text).toHaveLength(64 * 1024);
    const whole = await readCapped(new Response("small"), 64 * 1024);
    expect(whole).toEqual({ text: "small", complete: true });
  });
});

const keys = await localApiKeys();

describe("hooks handler", () => {
  const post = (body: string, token = keys.serviceRole) =>
    new Request("http://fn/hooks", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body,
    });
  const deps = () => {
    const calls = { drains: 0, background: 0 };
    const d: Deps = {
      worker: {
        drain: () => {
          calls.drains++;
          return Promise.resolve({
            delivered: 1,
            retrying: 0,
            dead_lettered: 0,
            replies: 0,
            ignored: 0,
            attempts: 1,
            ms: 1,
          });
        },
        running: false,
      },
      background: () => {
        calls.background++;
      },
    };
    return { d, calls };
  };

  it("answers a poke at once and drains in the background", async () => {
    const { d, calls } = deps();
    const res = await createHandler(d)(post("{}"));
    expect(res.status).toBe(202);
    expect(calls).toEqual({ drains: 1, background: 1 });
  });

  it("is for the service role only and takes {} or {wait}", async () => {
    const { d, calls } = deps();
    expect((await createHandler(d)(post("{}", keys.anon))).status).toBe(403);
    expect((await createHandler(d)(post('{"x":1}'))).status).toBe(400);
    expect(calls.drains).toBe(0);
    const waited = await createHandler(d)(post('{"wait":true}'));
    expect(waited.status).toBe(200);
    expect(await waited.json()).toMatchObject({ delivered: 1 });
  });
});
