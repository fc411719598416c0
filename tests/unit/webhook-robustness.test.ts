import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createHandler,
  defaultDeps,
  type Deps,
  type Failure,
  type Received,
} from "../../functions/whatsapp-webhook/handler.ts";
import type { WebhookChannel } from "../../functions/whatsapp-webhook/channels.ts";
import { readLimits } from "../../functions/whatsapp-webhook/limits.ts";
import type { Sql } from "../../shared/db.ts";
import { hubSignature } from "../../shared/signature.ts";
import { cloudEnvelope, cloudText, evolutionUpsert } from "../fixtures/payloads.ts";

// The webhook's answers when bodies are odd, large or hostile, and when the
// database is away: always a verdict the provider can act on, never a 500.
const CLOUD = "11111111-1111-4111-8111-111111111111";
const EVO = "22222222-2222-4222-8222-222222222222";
const channels: Record<string, WebhookChannel> = {
  [CLOUD]: {
    id: CLOUD,
    workspace_id: "w",
    provider: "cloud_api",
    is_active: true,
    credentials: { app_secret: "s3cret-app" },
  },
  [EVO]: {
    id: EVO,
    workspace_id: "w",
    provider: "evolution",
    is_active: true,
    credentials: { api_key: "evo-instance-key-123" },
  },
};
const channelDeps: Deps["channels"] = {
  get: (id) => Promise.resolve(channels[id] ?? null),
  refresh: (id) => Promise.resolve(channels[id] ?? null),
};

function recording(ingest: Deps["ingest"] = () => Promise.resolve({ status: "processed" })) {
  const got = {
    ingested: [] as Received[],
    failures: [] as Failure[],
    inline: [] as { workspace: string; sha256: string; bytes: string; mimetype: string | null }[],
  };
  const deps: Deps = {
    channels: channelDeps,
    ingest: (item) => {
      got.ingested.push(item);
      return ingest(item);
    },
    recordFailure: (f) => {
      got.failures.push(f);
      return Promise.resolve();
    },
    storeInline: (channel, files) => {
      for (const f of files) {
        got.inline.push({
          workspace: channel.workspace_id,
          sha256: f.sha256,
          bytes: new TextDecoder().decode(f.bytes),
          mimetype: f.mimetype,
        });
      }
      return Promise.resolve();
    },
  };
  return { deps, got };
}

async function signed(
  h: (r: Request) => Promise<Response>,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
) {
  return await h(
    new Request(`http://fn/whatsapp-webhook/${CLOUD}`, {
      method: "POST",
      body: body as BodyInit,
      headers: { "x-hub-signature-256": await hubSignature("s3cret-app", body), ...headers },
    }),
  );
}

const text = JSON.stringify(cloudText("PN", { from: "5511900000001", id: "wamid.R1", body: "hi" }));

describe("webhook: bytes that are not JSON text", () => {
  it("stores a raw NUL byte body exactly and answers 400 stored for replay", async () => {
    const { deps, got } = recording();
    const body = new TextEncoder().encode(text.replace('"hi"', '"h\u0000i"'));
    const res = await signed(createHandler(deps), body);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/stored for replay/);
    expect(got.failures).toHaveLength(1);
    expect(Buffer.from(got.failures[0].raw).equals(Buffer.from(body))).toBe(true);
    expect(got.failures[0].preview).not.toContain("\u0000");
  });

  it("keeps invalid UTF-8 as the bytes received, never a replaced copy", async () => {
    const { deps, got } = recording();
    const body = new Uint8Array([...new TextEncoder().encode(text.slice(0, 40)), 0xff, 0xfe, 0xc3]);
    const res = await signed(createHandler(deps), body);
    expect(res.status).toBe(400);
    expect(Buffer.from(got.failures[0].raw).equals(Buffer.from(body))).toBe(true);
    expect(got.failures[0].kind).toBe("unparseable");
  });
});

describe("webhook: secrets and inline media", () => {
  const evoImage = () => ({
    ...evolutionUpsert({
      instance: "i",
      apikey: "evo-instance-key-123",
      jid: "5511900000002@s.whatsapp.net",
      id: "3EB0IMG",
      text: "",
    }),
    data: {
      key: { remoteJid: "5511900000002@s.whatsapp.net", fromMe: false, id: "3EB0IMG" },
      pushName: "Ana",
      messageType: "imageMessage",
      messageTimestamp: 1767225600,
      message: {
        imageMessage: { url: "https://mmg.whatsapp.net/x", mimetype: "image/jpeg", caption: "c" },
        base64: Buffer.from("not really a jpeg").toString("base64"),
      },
      nested: { apikey: "evo-instance-key-123", token: "another-secret-token" },
    },
  });

  it("redacts the Evolution key wherever it sits and strips base64 media to a marker", async () => {
    const { deps, got } = recording();
    const body = JSON.stringify(evoImage());
    const res = await createHandler(deps)(
      new Request(`http://fn/whatsapp-webhook/${EVO}`, { method: "POST", body }),
    );
    expect(res.status).toBe(200);
    const stored = got.ingested[0];
    expect(stored.payload).not.toContain("evo-instance-key-123");
    expect(stored.payload).not.toContain("another-secret-token");
    expect(stored.payload).not.toContain(Buffer.from("not really a jpeg").toString("base64"));
    expect(JSON.parse(stored.payload).data.message.base64).toMatchObject({
      stripped: "inline media",
      bytes: 17,
      mimetype: "image/jpeg",
    });
    // The private raw copy: the key replaced (Evolution signs nothing) and the
    // inline bytes out of it too; they went to Storage before the ingest.
    const raw = new TextDecoder().decode(stored.raw);
    expect(raw).not.toContain("evo-instance-key-123");
    expect(raw).not.toContain(Buffer.from("not really a jpeg").toString("base64"));
    expect(JSON.parse(raw).data.message.base64).toMatchObject({ stripped: "inline media" });
    expect(got.inline).toEqual([{
      workspace: channels[EVO]!.workspace_id,
      sha256: createHash("sha256").update("not really a jpeg").digest("hex"),
      bytes: "not really a jpeg",
      mimetype: "image/jpeg",
    }]);
  });

  it("redacts the key on the failure path too", async () => {
    const { deps, got } = recording();
    const body = JSON.stringify({ ...evoImage(), event: "" }); // fails the schema
    const res = await createHandler(deps)(
      new Request(`http://fn/whatsapp-webhook/${EVO}`, { method: "POST", body }),
    );
    expect(res.status).toBe(400);
    const f = got.failures[0];
    expect(f.payload).not.toContain("evo-instance-key-123");
    expect(new TextDecoder().decode(f.raw)).not.toContain("evo-instance-key-123");
  });
});

describe("webhook: size and shape limits", () => {
  it("refuses a body over the cap with 413 before reading it, storing nothing", async () => {
    const { deps, got } = recording();
    const h = createHandler(deps, { ...readLimits(), maxBodyBytes: 1024 });
    const big = JSON.stringify(cloudText("PN", { from: "1", id: "x", body: "a".repeat(5000) }));
    expect((await signed(h, big)).status).toBe(413);
    // No Content-Length (a stream): cut off at the limit.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await h(
      new Request(`http://fn/whatsapp-webhook/${CLOUD}`, {
        method: "POST",
        body: stream,
        // @ts-ignore: Node's fetch needs this for a stream body
        duplex: "half",
        headers: { "x-hub-signature-256": await hubSignature("s3cret-app", big) },
      }),
    );
    expect(res.status).toBe(413);
    expect(got.failures).toHaveLength(0);
    expect(got.ingested).toHaveLength(0);
  });

  it("stores a body with more items than the cap for replay (400), without ingesting it", async () => {
    const { deps, got } = recording();
    const h = createHandler(deps, { ...readLimits(), maxItems: 10 });
    const messages = Array.from({ length: 20 }, (_, i) => ({
      from: "5511900000001",
      id: `wamid.M${i}`,
      timestamp: "1767225600",
      type: "text",
      text: { body: "x" },
    }));
    const res = await signed(h, JSON.stringify(cloudEnvelope("PN", { messages })));
    expect(res.status).toBe(400);
    expect(got.failures[0].error).toMatch(/over the limit of 10/);
    expect(got.ingested).toHaveLength(0);
  });

  it("routes large bodies to their own slot", async () => {
    const { deps, got } = recording();
    const h = createHandler(deps, { ...readLimits(), largeBodyBytes: 100 });
    expect((await signed(h, text)).status).toBe(200);
    expect(got.ingested[0].large).toBe(true);
  });

  it("keeps answering other channels while large bodies are being written", async () => {
    // A database stand-in that takes forever over any batch holding a large
    // body and answers small ones at once.
    const slow = (() => (_s: TemplateStringsArray, batch: string) => {
      const items = JSON.parse(batch) as unknown[];
      if (batch.includes("LARGE-BODY")) return new Promise(() => {});
      return Promise.resolve([{ results: items.map(() => ({ status: "processed" })) }]);
    }) as unknown as () => Sql;
    const deps: Deps = { ...defaultDeps(slow), channels: channelDeps };
    const h = createHandler(deps, { ...readLimits(), largeBodyBytes: 2000, deadlineMs: 2000 });
    const large = JSON.stringify(
      cloudText("PN", {
        from: "5511900000009",
        id: "wamid.LARGE",
        body: `LARGE-BODY ${"l".repeat(3000)}`,
      }),
    );
    const stuck = [signed(h, large), signed(h, large.replace("wamid.LARGE", "wamid.LARGE2"))];
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    const small = await signed(h, text);
    expect(small.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(500);
    expect((await Promise.all(stuck)).map((r) => r.status)).toEqual([503, 503]);
  });

  it("never echoes a huge field back in an error", async () => {
    const { deps } = recording();
    const huge = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ id: "x".repeat(1_000_000), changes: "y".repeat(1_000_000) }],
    });
    const res = await signed(createHandler(deps), huge);
    expect(res.status).toBe(400);
    expect((await res.text()).length).toBeLessThan(5000);
    // Nor what the database quoted of it, refused or failed.
    const echo = `invalid input syntax for type numeric: "${"9".repeat(1_000_000)}x"`;
    for (const status of ["rejected", "failed"]) {
      const { deps } = recording(() => Promise.resolve({ status, error: echo }));
      const r = await signed(createHandler(deps), text);
      expect((await r.text()).length).toBeLessThan(5000);
    }
  });
});

describe("webhook: the database away", () => {
  const down = Object.assign(new Error("terminating connection due to administrator command"), {
    code: "57P01",
  });
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
    code: "ECONNREFUSED",
  });
  // A postgres.js stand-in whose every query fails with err.
  const failingSql = (err: Error) => (() => () => Promise.reject(err)) as unknown as () => Sql;

  for (const [name, err] of [["57P01", down], ["ECONNREFUSED", refused]] as const) {
    it(`answers 503 with Retry-After on ${name}, recording nothing as a rejection`, async () => {
      const real = defaultDeps(failingSql(err));
      let failures = 0;
      const deps: Deps = {
        ...real,
        channels: channelDeps,
        recordFailure: (f) => {
          failures++;
          return real.recordFailure(f);
        },
      };
      const res = await signed(createHandler(deps), text);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(failures).toBe(0);
    });
  }

  it("answers within its deadline when the database does not answer, and drops the wait", async () => {
    const { deps } = recording(() => new Promise(() => {}));
    const h = createHandler(deps, { ...readLimits(), deadlineMs: 300 });
    const t0 = Date.now();
    const res = await signed(h, text);
    expect(res.status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("answers 503 at once while the database was just seen down", async () => {
    let calls = 0;
    const { deps } = recording(() => {
      calls++;
      return Promise.reject(Object.assign(new Error("gone"), { code: "08006" }));
    });
    const h = createHandler(deps);
    expect((await signed(h, text)).status).toBe(503);
    expect((await signed(h, text)).status).toBe(503);
    expect(calls).toBe(1);
  });

  it("bounds the bytes held: over the in-flight budget is a 503, not a queue", async () => {
    const { deps } = recording(() => new Promise(() => {}));
    const h = createHandler(deps, {
      ...readLimits(),
      deadlineMs: 500,
      maxInFlightBytes: text.length * 2 + 10,
    });
    const t0 = Date.now();
    const answers = await Promise.all([1, 2, 3].map(async () => {
      const r = await signed(h, text);
      return { status: r.status, ms: Date.now() - t0 };
    }));
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
    expect(Math.min(...answers.map((a) => a.ms))).toBeLessThan(300);
  });
});
