import { beforeEach, describe, expect, it } from "vitest";
import { createFakeProvider } from "../../scripts/services/fake-provider-app.ts";
import { createCloudApiClient } from "../../shared/outbound/cloud-api.ts";
import { createProviderClients } from "../../shared/outbound/clients.ts";
import { renderTemplateBody } from "../../shared/outbound/template-text.ts";
import type { Fetch, OutboundMessage } from "../../shared/outbound/types.ts";
import {
  answering,
  bridgeCh,
  channel,
  cloudCh,
  evoCh,
  type Fake,
  fault,
  msg,
  template,
  viaFake,
} from "../helpers/outbound.ts";

let fake: Fake;
beforeEach(() => {
  fake = createFakeProvider();
});
const lastBody = () => fake.log.at(-1)!.body as Record<string, unknown>;

describe("Cloud API client: request bodies", () => {
  const cloud = () =>
    createCloudApiClient({ baseUrl: "http://fake/", version: "v21.0", fetch: viaFake(fake) });

  it("sends text with a link preview only when the body has a URL, and reply context", async () => {
    const out = await cloud().send(
      cloudCh,
      msg({ content: "see https://x.io", quoted_provider_message_id: "wamid.Q" }),
    );
    expect(out.kind).toBe("sent");
    expect(out.kind === "sent" && out.providerMessageId).toMatch(/^wamid\./);
    const logged = fake.log.at(-1)!;
    expect(logged.path).toBe("/v21.0/PN1/messages");
    expect(logged.headers.authorization).toBe("Bearer token");
    expect(logged.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "5511999990000",
      type: "text",
      text: { body: "see https://x.io", preview_url: true },
      context: { message_id: "wamid.Q" },
    });
    await cloud().send(cloudCh, msg({ content: "no link" }));
    expect(lastBody().text).toEqual({ body: "no link", preview_url: false });
    expect(lastBody().context).toBeUndefined();
  });

  it("sends media by link or id, with caption and filename where Meta takes them", async () => {
    const c = cloud();
    // Meta takes only media ids it holds for the number
    await fake.handle(
      new Request("http://fake/__fake/media", {
        method: "POST",
        body: JSON.stringify({
          provider: "cloud_api",
          phone_number_id: "PN1",
          media_id: "MID",
          mime_type: "video/mp4",
          size: 16,
        }),
      }),
    );
    const cases: [Partial<OutboundMessage>, unknown][] = [
      [{ type: "image", media_url: "https://m/i.jpg", content: "cap" }, {
        link: "https://m/i.jpg",
        caption: "cap",
      }],
      [{ type: "video", media_id: "MID" }, { id: "MID" }],
      [{ type: "audio", media_url: "https://m/a.ogg", content: "ignored" }, {
        link: "https://m/a.ogg",
      }],
      [
        { type: "document", media_url: "https://m/d.pdf", media_filename: "d.pdf", content: "c" },
        { link: "https://m/d.pdf", filename: "d.pdf", caption: "c" },
      ],
      [{ type: "sticker", media_url: "https://m/s.webp", content: "x" }, {
        link: "https://m/s.webp",
      }],
    ];
    for (const [over, expected] of cases) {
      expect((await c.send(cloudCh, msg(over))).kind).toBe("sent");
      expect(lastBody()[over.type!]).toEqual(expected);
    }
  });

  it("sends location, reaction and interactive objects", async () => {
    const c = cloud();
    await c.send(
      cloudCh,
      msg({
        type: "location",
        location: { latitude: -23.5, longitude: -46.6, name: "Office", address: null },
      }),
    );
    expect(lastBody().location).toEqual({ latitude: -23.5, longitude: -46.6, name: "Office" });
    await c.send(
      cloudCh,
      msg({ type: "reaction", reaction_target_id: "wamid.T", reaction_emoji: "👍" }),
    );
    expect(lastBody().reaction).toEqual({ message_id: "wamid.T", emoji: "👍" });
    const interactive = { type: "button", body: { text: "ok?" }, action: { buttons: [] } };
    expect((await c.send(cloudCh, msg({ type: "interactive", interactive }))).kind).toBe("sent");
    expect(lastBody().interactive).toEqual(interactive);
  });

  it("builds templates: text header, positional body, url buttons", async () => {
    const t = template({
      header: ["Ana"],
      body: ["Ana", "42"],
      buttons: { "1": "track/42", "0": "a" },
    });
    expect((await cloud().send(cloudCh, msg({ type: "template", template: t }))).kind).toBe("sent");
    expect(lastBody().template).toEqual({
      name: "order_update",
      language: { code: "pt_BR" },
      components: [
        { type: "header", parameters: [{ type: "text", text: "Ana" }] },
        { type: "body", parameters: [{ type: "text", text: "Ana" }, { type: "text", text: "42" }] },
        { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "a" }] },
        {
          type: "button",
          sub_type: "url",
          index: "1",
          parameters: [{ type: "text", text: "track/42" }],
        },
      ],
    });
  });

  it("builds templates: media header, named body, and no components when nothing is filled", async () => {
    const c = cloud();
    const named = template({
      header: { type: "image", link: "https://m/h.png" },
      body: { when: "today" },
    });
    await c.send(cloudCh, msg({ type: "template", template: named }));
    expect((lastBody().template as { components: unknown }).components).toEqual([
      { type: "header", parameters: [{ type: "image", image: { link: "https://m/h.png" } }] },
      { type: "body", parameters: [{ type: "text", parameter_name: "when", text: "today" }] },
    ]);
    const doc = template({
      header: { type: "document", link: "https://m/f.pdf", filename: "f.pdf" },
      body: [],
    });
    await c.send(cloudCh, msg({ type: "template", template: doc }));
    expect((lastBody().template as { components: unknown }).components).toEqual([
      {
        type: "header",
        parameters: [{
          type: "document",
          document: { link: "https://m/f.pdf", filename: "f.pdf" },
        }],
      },
    ]);
    // A header without a link is the message's stored file, uploaded to Meta by then.
    const stored = template({ header: { type: "document", filename: "INV-1.pdf" }, body: [] });
    await fake.handle(
      new Request("http://fake/__fake/media", {
        method: "POST",
        body: JSON.stringify({
          provider: "cloud_api",
          phone_number_id: "PN1",
          media_id: "PDF1",
          mime_type: "application/pdf",
          size: 16,
        }),
      }),
    );
    await c.send(cloudCh, msg({ type: "template", template: stored, media_id: "PDF1" }));
    expect((lastBody().template as { components: unknown }).components).toEqual([
      {
        type: "header",
        parameters: [{ type: "document", document: { id: "PDF1", filename: "INV-1.pdf" } }],
      },
    ]);
    await c.send(cloudCh, msg({ type: "template", template: template({}) }));
    expect(lastBody().template).toEqual({ name: "order_update", language: { code: "pt_BR" } });
  });

  it("fails without a request for unsendable types, a missing token or missing fields", async () => {
    const c = cloud();
    for (
      const type of [
        "contacts",
        "order",
        "poll",
        "list",
        "system",
        "unsupported",
        "button",
      ] as const
    ) {
      const out = await c.send(cloudCh, msg({ type, content: "x" }));
      expect(out).toMatchObject({ kind: "failed", error: { http_status: null } });
      expect(out.kind === "failed" && out.error.message).toContain(type);
    }
    const noToken = await c.send(channel({ credentials: {} }), msg({ content: "x" }));
    expect(noToken.kind === "failed" && noToken.error.message).toMatch(/access_token/);
    expect((await c.send(cloudCh, msg({ type: "image" }))).kind).toBe("failed");
    expect(fake.log).toHaveLength(0);
  });
});

describe("Cloud API client: classifying answers", () => {
  const send = (fetch: Fetch = viaFake(fake)) =>
    createCloudApiClient({ baseUrl: "http://fake", version: "v21.0", fetch }).send(
      cloudCh,
      msg({ content: "hi" }),
    );

  it("retries 5xx and 408, with the status", async () => {
    await fault(fake, { kind: "server_error", status: 503, times: 1 });
    expect(await send()).toMatchObject({ kind: "retry", error: { http_status: 503, code: 2 } });
    await fault(fake, { kind: "server_error", status: 408, times: 1 });
    expect(await send()).toMatchObject({ kind: "retry", error: { http_status: 408 } });
  });

  it("throttles the channel on HTTP 429 (honouring Retry-After) and Meta's rate limit codes", async () => {
    await fault(fake, { kind: "http_429", times: 1 });
    expect(await send()).toMatchObject({ kind: "throttled", scope: "channel", retryAfterMs: 1000 });
    await fault(fake, { kind: "rate_limit", times: 1 });
    expect(await send()).toMatchObject({
      kind: "throttled",
      scope: "channel",
      error: { code: 130429, http_status: 400 },
    });
    for (const code of [80007, 4, 613]) {
      const out = await send(
        answering(400, { error: { message: "limit", type: "OAuthException", code } }),
      );
      expect(out).toMatchObject({ kind: "throttled", scope: "channel", error: { code } });
    }
  });

  it("throttles only the recipient on 131056, even over HTTP 429", async () => {
    await fault(fake, { kind: "pair_rate_limit", times: 1 });
    expect(await send()).toMatchObject({
      kind: "throttled",
      scope: "recipient",
      error: { code: 131056 },
    });
    const out = await send(
      answering(429, { error: { message: "pair", code: 131056 } }, { "retry-after": "7" }),
    );
    expect(out).toMatchObject({ kind: "throttled", scope: "recipient", retryAfterMs: 7000 });
  });

  it("fails other 4xx with Meta's code, type and details", async () => {
    await fault(fake, { kind: "bad_request", times: 1 });
    expect(await send()).toMatchObject({
      kind: "failed",
      error: { code: 100, http_status: 400, title: "OAuthException" },
    });
    const out = await send(answering(400, {
      error: {
        message: "(#131026) Message undeliverable",
        code: 131026,
        error_data: { details: "not on WhatsApp" },
      },
    }));
    expect(out.kind === "failed" && out.error.message).toBe(
      "(#131026) Message undeliverable: not on WhatsApp",
    );
  });

  it("retries network errors and timeouts without a status", async () => {
    const out = await send(() => Promise.reject(new TypeError("fetch failed")));
    expect(out).toMatchObject({
      kind: "retry",
      error: { http_status: null, message: "network error: fetch failed" },
    });
    await fault(fake, { kind: "latency", delay_ms: 150, times: 1 });
    const clients = createProviderClients({
      graphBaseUrl: "http://fake",
      graphVersion: "v21.0",
      fetch: viaFake(fake),
      timeoutMs: 30,
    });
    const timedOut = await clients.send(
      cloudCh,
      msg({ content: "slow" }),
      new AbortController().signal,
    );
    expect(timedOut).toMatchObject({
      kind: "retry",
      error: { http_status: null, message: "request timed out" },
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.log.map((r) => r.status)).toEqual([499]);
  });

  it("fails a 2xx without a message id, saying the id is unknown", async () => {
    const out = await send(answering(200, { messaging_product: "whatsapp" }));
    expect(out).toMatchObject({ kind: "failed", error: { http_status: 200 } });
    expect(out.kind === "failed" && out.error.message).toMatch(/id is unknown/);
    const html = await send(() =>
      Promise.resolve(new Response("<html>oops</html>", { status: 502 }))
    );
    expect(html).toMatchObject({
      kind: "retry",
      error: { code: null, message: "HTTP 502: <html>oops</html>" },
    });
  });
});

describe("Cloud API client: listing templates", () => {
  const seed = (n: number) =>
    fake.handle(
      new Request("http://fake/__fake/templates", {
        method: "POST",
        body: JSON.stringify({
          waba_id: "WABA1",
          templates: Array.from({ length: n }, (_, i) => ({
            id: `T${i}`,
            name: `t_${i}`,
            language: "en_US",
            category: "UTILITY",
            status: i % 2 ? "APPROVED" : "REJECTED",
            components: [{ type: "BODY", text: "Hi {{1}}" }],
            rejected_reason: i % 2 ? "NONE" : "INVALID_FORMAT",
            ...(i === 0 ? { parameter_format: "POSITIONAL" } : {}),
          })),
        }),
      }),
    );

  it("follows paging.next across pages and maps each template", async () => {
    await seed(250);
    const c = createCloudApiClient({
      baseUrl: "http://fake",
      version: "v21.0",
      fetch: viaFake(fake),
    });
    const list = await c.listTemplates(cloudCh);
    expect(list).toHaveLength(250);
    expect(new Set(list.map((t) => t.name)).size).toBe(250);
    expect(fake.log.map((r) => r.path.split("?")[0])).toEqual(
      Array(3).fill("/v21.0/WABA1/message_templates"),
    );
    expect(fake.log[0].path).toBe("/v21.0/WABA1/message_templates?limit=100");
    expect(fake.log[0].headers.authorization).toBe("Bearer token");
    expect(list[0]).toEqual({
      provider_template_id: "T0",
      name: "t_0",
      language: "en_US",
      category: "UTILITY",
      status: "REJECTED",
      components: [{ type: "BODY", text: "Hi {{1}}" }],
      rejected_reason: "INVALID_FORMAT",
      parameter_format: "POSITIONAL",
    });
    expect(list[1]).toMatchObject({ rejected_reason: null, parameter_format: null });
  });

  it("throws clear errors for HTTP errors, a missing WABA and odd templates", async () => {
    const c = createCloudApiClient({
      baseUrl: "http://fake",
      version: "v21.0",
      fetch: viaFake(fake),
    });
    await expect(c.listTemplates(channel({ business_account_id: null }))).rejects.toThrow(
      /business_account_id/,
    );
    await fault(fake, { kind: "server_error", times: 1, match: "message_templates" });
    await expect(c.listTemplates(cloudCh)).rejects.toThrow(
      /HTTP 503: Service temporarily unavailable/,
    );
    await fake.handle(
      new Request("http://fake/__fake/templates", {
        method: "POST",
        body: JSON.stringify({
          waba_id: "WABA1",
          templates: [{ id: "1", name: "odd", language: "en" }],
        }),
      }),
    );
    await expect(c.listTemplates(cloudCh)).rejects.toThrow(/template odd is not as expected/);
    const offline = createCloudApiClient({
      baseUrl: "http://fake",
      version: "v21.0",
      fetch: () => Promise.reject(new TypeError("fetch failed")),
    });
    await expect(offline.listTemplates(cloudCh)).rejects.toThrow(
      "listing templates failed: fetch failed",
    );
  });
});

describe("Cloud API client: verifying a phone number id", () => {
  const register = (n: Record<string, string>) =>
    fake.handle(
      new Request("http://fake/__fake/phone_numbers", { method: "POST", body: JSON.stringify(n) }),
    );
  const client = () =>
    createCloudApiClient({ baseUrl: "http://fake", version: "v21.0", fetch: viaFake(fake) });

  it("is verified when Graph answers for the id with the channel's token", async () => {
    await register({ phone_number_id: "PN1", access_token: "token", verified_name: "Shop" });
    expect(await client().verifyPhoneNumber(cloudCh)).toEqual({
      kind: "verified",
      display_phone_number: "+1 555-000-0000",
      verified_name: "Shop",
    });
    expect(fake.log[0].path).toBe("/v21.0/PN1?fields=id,display_phone_number,verified_name");
    expect(fake.log[0].headers.authorization).toBe("Bearer token");
  });

  it("is refused for a token of another business or one nobody issued", async () => {
    await register({ phone_number_id: "PN1", access_token: "owner-token" });
    await register({ phone_number_id: "PN2", access_token: "token" });
    const other = await client().verifyPhoneNumber(cloudCh);
    expect(other).toMatchObject({ kind: "refused" });
    expect((other as { error: string }).error).toMatch(
      /^Graph answered 400: Unsupported get request/,
    );
    const bogus = await client().verifyPhoneNumber(
      channel({ credentials: { access_token: "bogus" } }),
    );
    expect((bogus as { error: string }).error).toMatch(/^Graph answered 401: Invalid OAuth/);
    expect(await client().verifyPhoneNumber(channel({ credentials: {} }))).toMatchObject({
      kind: "refused",
    });
  });

  it("proves nothing either way on a server error or an answer for another id", async () => {
    await register({ phone_number_id: "PN1", access_token: "token" });
    await fault(fake, { kind: "server_error", times: 1 });
    expect((await client().verifyPhoneNumber(cloudCh)).kind).toBe("unknown");
    const c = createCloudApiClient({
      baseUrl: "http://fake",
      version: "v21.0",
      fetch: answering(200, { id: "SOMEONE-ELSE", display_phone_number: "+1" }),
    });
    expect((await c.verifyPhoneNumber(cloudCh)).kind).toBe("refused");
  });
});

describe("createProviderClients", () => {
  it("dispatches on the channel's provider and lists templates for Cloud API only", async () => {
    const clients = createProviderClients({
      graphBaseUrl: "http://fake",
      graphVersion: "v21.0",
      fetch: viaFake(fake),
    });
    for (const ch of [cloudCh, evoCh, bridgeCh]) {
      expect((await clients.send(ch, msg({ content: "hi" }))).kind).toBe("sent");
    }
    expect(fake.log.map((r) => r.path)).toEqual([
      "/v21.0/PN1/messages",
      "/message/sendText/inst1",
      "/send/message",
    ]);
    await expect(clients.listTemplates(evoCh)).rejects.toThrow(/Cloud API/);
    expect(await clients.listTemplates(cloudCh)).toEqual([]);
  });

  it("renders template bodies for text-only providers", () => {
    expect(renderTemplateBody(template({ body: ["A", "B"] }))).toBe(
      "Hi A, order B ships {{ when }}",
    );
    expect(renderTemplateBody({ ...template({}), components: [] })).toBe("");
  });
});
