import { describe, expect, it } from "vitest";
import { createHandler, type Deps } from "../../functions/whatsapp-webhook/handler.ts";
import type { WebhookChannel } from "../../functions/whatsapp-webhook/channels.ts";
import { hubSignature } from "../../shared/signature.ts";
import { cloudText, evolutionUpsert } from "../fixtures/payloads.ts";
import { metaEcho } from "../fixtures/documented-payloads.ts";
import { countItems } from "../../functions/whatsapp-webhook/limits.ts";

const CLOUD = "11111111-1111-4111-8111-111111111111";
const EVO = "22222222-2222-4222-8222-222222222222";

function fakeDeps(channels: Record<string, WebhookChannel>) {
  const calls = { ingest: [] as string[], failures: [] as string[], fetches: 0 };
  const deps: Deps = {
    channels: {
      get: (id) => {
        calls.fetches++;
        return Promise.resolve(channels[id] ?? null);
      },
      refresh: (id) => Promise.resolve(channels[id] ?? null),
    },
    ingest: (item) => {
      calls.ingest.push(item.payload);
      return Promise.resolve({ status: "processed" });
    },
    recordFailure: (f) => {
      calls.failures.push(`${f.error} | ${new TextDecoder().decode(f.raw)}`);
      return Promise.resolve();
    },
    storeInline: () => Promise.reject(new Error("no inline media in these tests")),
  };
  return { deps, calls };
}

const channels: Record<string, WebhookChannel> = {
  [CLOUD]: {
    id: CLOUD,
    workspace_id: "w",
    provider: "cloud_api",
    is_active: true,
    credentials: { app_secret: "s3cret", verify_token: "vt-123" },
  },
  [EVO]: {
    id: EVO,
    workspace_id: "w",
    provider: "evolution",
    is_active: true,
    credentials: { api_key: "evo-key-123" },
  },
};

async function post(
  handler: (r: Request) => Promise<Response>,
  id: string,
  body: string,
  headers: Record<string, string> = {},
) {
  return await handler(
    new Request(`http://fn/whatsapp-webhook/${id}`, { method: "POST", body, headers }),
  );
}

describe("whatsapp-webhook handler", () => {
  const text = JSON.stringify(
    cloudText("PN", { from: "5511900000001", id: "wamid.1", body: "hi" }),
  );

  it("ingests a correctly signed Cloud API body", async () => {
    const { deps, calls } = fakeDeps(channels);
    const res = await post(createHandler(deps), CLOUD, text, {
      "x-hub-signature-256": await hubSignature("s3cret", text),
    });
    expect(res.status).toBe(200);
    expect(calls.ingest.map((b) => JSON.parse(b))).toEqual([JSON.parse(text)]);
  });

  it("answers 401 and stores nothing for a bad or missing signature", async () => {
    const { deps, calls } = fakeDeps(channels);
    const h = createHandler(deps);
    expect(
      (await post(h, CLOUD, text, { "x-hub-signature-256": await hubSignature("wrong", text) }))
        .status,
    ).toBe(401);
    expect((await post(h, CLOUD, text)).status).toBe(401);
    expect(calls.ingest).toEqual([]);
    expect(calls.failures).toEqual([]);
  });

  it("stores a signed but malformed body raw and answers 400", async () => {
    const { deps, calls } = fakeDeps(channels);
    const h = createHandler(deps);
    const broken = '{"object":"whatsapp_business_account","entry":[';
    const r1 = await post(h, CLOUD, broken, {
      "x-hub-signature-256": await hubSignature("s3cret", broken),
    });
    expect(r1.status).toBe(400);
    const wrongShape = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ id: "W", changes: [{ field: "messages", value: {} }] }],
    });
    const r2 = await post(h, CLOUD, wrongShape, {
      "x-hub-signature-256": await hubSignature("s3cret", wrongShape),
    });
    expect(r2.status).toBe(400);
    expect((await r2.json()).details.length).toBeGreaterThan(0);
    expect(calls.failures).toHaveLength(2);
    expect(calls.failures[0]).toMatch(/^invalid JSON/);
    expect(calls.ingest).toEqual([]);
  });

  it("answers 404 for an unknown or malformed channel id", async () => {
    const { deps } = fakeDeps(channels);
    const h = createHandler(deps);
    expect((await post(h, "33333333-3333-4333-8333-333333333333", text)).status).toBe(404);
    expect((await post(h, "not-a-uuid", text)).status).toBe(404);
    expect((await h(new Request("http://fn/whatsapp-webhook"))).status).toBe(404);
  });

  it("echoes the challenge on Meta's handshake only with the right token", async () => {
    const { deps } = fakeDeps(channels);
    const h = createHandler(deps);
    const ok = await h(
      new Request(
        `http://fn/whatsapp-webhook/${CLOUD}?hub.mode=subscribe&hub.verify_token=vt-123&hub.challenge=987`,
      ),
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("987");
    const bad = await h(
      new Request(
        `http://fn/whatsapp-webhook/${CLOUD}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=987`,
      ),
    );
    expect(bad.status).toBe(403);
    expect((await h(new Request(`http://fn/whatsapp-webhook/${EVO}?hub.mode=subscribe`))).status)
      .toBe(405);
  });

  it("accepts Evolution with the instance key in the body or a header, and refuses without", async () => {
    const { deps, calls } = fakeDeps(channels);
    const h = createHandler(deps);
    const good = JSON.stringify(
      evolutionUpsert({
        instance: "i",
        apikey: "evo-key-123",
        jid: "1@s.whatsapp.net",
        id: "A",
        text: "x",
      }),
    );
    const bad = JSON.stringify(
      evolutionUpsert({
        instance: "i",
        apikey: "guess",
        jid: "1@s.whatsapp.net",
        id: "A",
        text: "x",
      }),
    );
    expect((await post(h, EVO, good)).status).toBe(200);
    expect((await post(h, EVO, bad)).status).toBe(401);
    expect((await post(h, EVO, bad, { apikey: "evo-key-123" })).status).toBe(200);
    expect((await post(h, EVO, "not json")).status).toBe(401);
    expect(calls.ingest).toHaveLength(2);
  });

  it("takes Evolution's per-event URLs (webhook_by_events) at the channel's URL plus the event", async () => {
    const { deps, calls } = fakeDeps(channels);
    const h = createHandler(deps);
    const body = JSON.stringify(
      evolutionUpsert({
        instance: "i",
        apikey: "evo-key-123",
        jid: "1@s.whatsapp.net",
        id: "B",
        text: "x",
      }),
    );
    expect((await post(h, `${EVO}/messages-upsert`, body)).status).toBe(200);
    expect((await post(h, `${EVO}/connection-update/`, body)).status).toBe(200);
    expect(calls.ingest).toHaveLength(2);
    // Only Evolution builds such URLs; nothing else answers under them.
    const signed = { "x-hub-signature-256": await hubSignature("s3cret", text) };
    expect((await post(h, `${CLOUD}/messages-upsert`, text, signed)).status).toBe(404);
    expect((await post(h, `${EVO}/Messages_Upsert`, body)).status).toBe(404);
    expect((await post(h, `${EVO}/a/b`, body)).status).toBe(404);
  });

  it("counts Business app echoes as items toward the body's cap", () => {
    const echo = metaEcho("PN", "15550783881", "16505551234", "wamid.E");
    const echoes = echo.entry[0].changes[0].value.message_echoes;
    echoes.push({ ...echoes[0], id: "wamid.F" });
    expect(countItems("cloud_api", echo)).toBe(3);
  });

  it("refuses methods other than GET and POST", async () => {
    const { deps } = fakeDeps(channels);
    expect(
      (await createHandler(deps)(
        new Request(`http://fn/whatsapp-webhook/${CLOUD}`, { method: "PUT" }),
      )).status,
    ).toBe(405);
  });
});
