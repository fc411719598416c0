import { describe, expect, it, vi } from "vitest";
import { createFakeProvider } from "../../scripts/services/fake-provider-app.ts";
import { createWhatsmeowClient, gowaCall } from "../../shared/outbound/whatsmeow.ts";
import type { OutboundMessage } from "../../shared/outbound/types.ts";
import { checkWhatsmeowPayload, WhatsmeowWebhook } from "../../shared/providers/whatsmeow.ts";
import { verifyHubSignature } from "../../shared/signature.ts";
import { gowa, gowaDocs } from "../fixtures/gowa.ts";
import {
  answering,
  bridgeCh,
  channel,
  type Fake,
  msg,
  template,
  viaFake,
} from "../helpers/outbound.ts";

// GOWA (go-whatsapp-web-multidevice): its documented webhook bodies, the
// REST requests we send it, and the fake that stands in for it.

const valid = (body: unknown) => {
  const r = WhatsmeowWebhook.safeParse(body);
  return r.success ? checkWhatsmeowPayload(r.data) === null : false;
};

describe("GOWA webhook schema", () => {
  it("accepts every example body GOWA documents", () => {
    for (const [name, body] of Object.entries(gowaDocs)) {
      expect([name, valid(body)]).toEqual([name, true]);
    }
  });

  it("refuses the shape no bridge sends, and events missing what we read", () => {
    // The former WhatsHooked-style guess: chat, text and a numeric timestamp.
    expect(valid({
      event: "message",
      device_id: "d",
      payload: { id: "M", chat: "1@s.whatsapp.net", timestamp: 1767225600, text: "t" },
    })).toBe(false);
    expect(valid(gowa(gowaDocs.ackRead, { ids: [] }))).toBe(false);
    expect(valid(gowa(gowaDocs.revoked, { revoked_message_id: undefined }))).toBe(false);
    expect(valid(gowa(gowaDocs.reaction, { reacted_message_id: "" }))).toBe(false);
    expect(valid({ event: "message", payload: "not an object" })).toBe(false);
  });

  it("lets events it does not read through, whatever their case", () => {
    expect(valid({ event: "something.new", payload: {} })).toBe(true);
    expect(valid({ ...gowaDocs.text, event: "MESSAGE", payload: { id: "x" } })).toBe(false);
  });
});

describe("GOWA client: requests", () => {
  const to = "628123456789@s.whatsapp.net";
  const send = (m: Partial<OutboundMessage>) => gowaCall(msg({ recipient: to, ...m }));

  it("builds each documented endpoint's body", () => {
    expect(send({ content: "hi", quoted_provider_message_id: "3EB0Q" })).toEqual({
      path: "/send/message",
      body: { phone: to, message: "hi", reply_message_id: "3EB0Q" },
      form: false,
    });
    expect(send({ type: "template", template: template({ body: ["Bo", "7"] }) })).toEqual({
      path: "/send/message",
      body: { phone: to, message: "Hi Bo, order 7 ships {{ when }}" },
      form: false,
    });
    // A template's media header goes as that media, the body its caption.
    expect(send({
      type: "template",
      template: template({
        header: { type: "document", link: "https://m/f.pdf" },
        body: ["Bo", "7"],
      }),
    })).toEqual({
      path: "/send/file",
      body: { phone: to, file_url: "https://m/f.pdf", caption: "Hi Bo, order 7 ships {{ when }}" },
      form: true,
    });
    const media: [OutboundMessage["type"], string, string, boolean][] = [
      ["image", "/send/image", "image_url", true],
      ["video", "/send/video", "video_url", true],
      ["document", "/send/file", "file_url", true],
      ["audio", "/send/audio", "audio_url", false],
      ["sticker", "/send/sticker", "sticker_url", false],
    ];
    for (const [type, path, field, caption] of media) {
      expect(send({ type, media_url: "https://m/x", content: caption ? "cap" : null })).toEqual({
        path,
        body: { phone: to, [field]: "https://m/x", ...(caption ? { caption: "cap" } : {}) },
        form: true,
      });
    }
    expect(send({ type: "image", media_url: "https://m/i.jpg", quoted_provider_message_id: "Q" }))
      .toMatchObject({ body: { reply_message_id: "Q" } });
    expect(send({
      type: "location",
      location: { latitude: -7.797068, longitude: 110.370529, name: null, address: null },
    })).toEqual({
      path: "/send/location",
      body: { phone: to, latitude: "-7.797068", longitude: "110.370529" },
      form: false,
    });
    expect(send({ type: "reaction", reaction_target_id: "3EB0/X", reaction_emoji: "🙏" }))
      .toEqual({
        path: "/message/3EB0%2FX/reaction",
        body: { phone: to, emoji: "🙏" },
        form: false,
      });
  });

  it("refuses what GOWA cannot send", () => {
    expect(send({ type: "image", media_id: "only-an-id" })).toMatch(/media_url/);
    expect(send({ type: "interactive", interactive: {} })).toMatch(/cannot be sent/);
    expect(send({ type: "text", content: null })).toMatch(/content/);
  });
});

describe("GOWA client against the fake", () => {
  let fake: Fake;
  const client = () => createWhatsmeowClient({ fetch: viaFake(fake) });

  it("sends with basic auth and X-Device-Id, JSON or multipart, and keeps results.message_id", async () => {
    fake = createFakeProvider();
    const out = await client().send(
      bridgeCh,
      msg({ recipient: "5511999990000@s.whatsapp.net", content: "hi" }),
    );
    expect(out.kind === "sent" && out.providerMessageId).toMatch(/^3EB0[0-9A-F]{18}$/);
    const text = fake.log.at(-1)!;
    expect(text.path).toBe("/send/message");
    expect(text.headers.authorization).toBe(`Basic ${btoa("gowa:pass")}`);
    expect(text.headers["x-device-id"]).toBe("dev1");
    expect(text.body).toEqual({ phone: "5511999990000@s.whatsapp.net", message: "hi" });

    const doc = await client().send(
      bridgeCh,
      msg({ type: "document", media_url: "https://m/d.pdf", content: "Monthly report" }),
    );
    expect(doc.kind).toBe("sent");
    const form = fake.log.at(-1)!;
    expect(form.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(form.body).toEqual({
      phone: "5511999990000",
      file_url: "https://m/d.pdf",
      caption: "Monthly report",
    });
  });

  it("fails on GOWA's validation errors, retries its 5xx, and checks its own credentials", async () => {
    fake = createFakeProvider();
    const zero = await client().send(bridgeCh, msg({ recipient: "08123", content: "x" }));
    expect(zero).toMatchObject({
      kind: "failed",
      error: { title: "VALIDATION_ERROR", http_status: 400 },
    });
    expect(zero.kind === "failed" && zero.error.message).toMatch(/international format/);
    const loggedOut = await createWhatsmeowClient({
      fetch: answering(500, { code: "INTERNAL_SERVER_ERROR", message: "you are not loggin" }),
    }).send(bridgeCh, msg({ content: "a" }));
    expect(loggedOut).toMatchObject({
      kind: "retry",
      error: { message: "you are not loggin", http_status: 500 },
    });
    const noId = await createWhatsmeowClient({ fetch: answering(200, { code: "SUCCESS" }) })
      .send(bridgeCh, msg({ content: "a" }));
    expect(noId.kind === "failed" && noId.error.message).toMatch(/results\.message_id/);
    const notAPair = await client().send(
      channel({ provider: "whatsmeow", credentials: { api_key: "just-a-key" } }),
      msg({ content: "a" }),
    );
    expect(notAPair.kind === "failed" && notAPair.error.message).toMatch(/user:password/);
    expect(fake.log.length).toBe(1); // the refused pair never left
  });
});

describe("fake GOWA", () => {
  const req = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    new Request(`http://fake${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${btoa("u:p")}`,
        "x-device-id": "dev1",
        ...headers,
      },
      body: JSON.stringify(body),
    });

  it("answers as GOWA's REST layer, refusing what its validations refuse", async () => {
    const fake = createFakeProvider();
    const ok = await (await fake.handle(req("/send/message", { phone: "62812", message: "x" })))
      .json();
    expect(ok).toMatchObject({ code: "SUCCESS", results: { message_id: expect.any(String) } });
    expect(ok.message).toMatch(/^Message sent to 62812@s\.whatsapp\.net/);
    const cases: [string, unknown, number, RegExp][] = [
      ["/send/message", { phone: "62812" }, 400, /message: cannot be blank/],
      ["/send/image", { phone: "62812" }, 400, /either Image or ImageURL/],
      ["/send/file", { phone: "62812", file_url: "not a url" }, 400, /FileURL must be a valid URL/],
      ["/send/location", { phone: "62812", latitude: "95", longitude: "1" }, 400, /latitude/],
      ["/send/contact", { phone: "62812", contact_name: "A" }, 400, /contact_phone/],
      ["/message/ABC/reaction", { emoji: "👍" }, 400, /phone: cannot be blank/],
    ];
    for (const [path, body, status, message] of cases) {
      const res = await fake.handle(req(path, body));
      expect([path, res.status]).toEqual([path, status]);
      const answer = await res.json();
      expect(answer.code).toBe("VALIDATION_ERROR");
      expect(answer.message).toMatch(message);
    }
    const noAuth = await fake.handle(req("/send/message", { phone: "1", message: "x" }, {
      authorization: "",
    }));
    expect([noAuth.status, await noAuth.text()]).toEqual([401, "Unauthorized"]);
    const noDevice = await fake.handle(req("/send/message", { phone: "1", message: "x" }, {
      "x-device-id": "",
    }));
    expect((await noDevice.json()).code).toBe("DEVICE_ID_REQUIRED");
  });

  it("posts signed message.ack webhooks, as GOWA documents them, after a send", async () => {
    const posted: { body: string; signature: string | null }[] = [];
    const fetch = vi.fn((_url: string | URL | Request, init?: RequestInit) => {
      const h = new Headers(init?.headers);
      posted.push({ body: String(init?.body), signature: h.get("x-hub-signature-256") });
      return Promise.resolve(new Response("{}"));
    });
    const fake = createFakeProvider({ fetch });
    await fake.handle(req("/__fake/gowa-callbacks", {
      device_id: "dev1",
      url: "http://hook/whatsapp-webhook/x",
      webhook_secret: "gowa-secret",
      delay_ms: 0,
    }));
    const sent = await (await fake.handle(req("/send/message", { phone: "62812", message: "x" })))
      .json();
    await vi.waitFor(() => expect(posted).toHaveLength(2));
    for (const [i, receipt] of ["delivered", "read"].entries()) {
      const { body, signature } = posted[i];
      expect(await verifyHubSignature(signature, "gowa-secret", new TextEncoder().encode(body)))
        .toBe(true);
      const parsed = JSON.parse(body);
      expect(valid(parsed)).toBe(true);
      expect(parsed).toMatchObject({
        event: "message.ack",
        payload: {
          ids: [sent.results.message_id],
          chat_id: "62812@s.whatsapp.net",
          receipt_type: receipt,
        },
      });
      expect(Object.keys(parsed)).toEqual([...Object.keys(parsed)].sort()); // Go's map order
    }
  });
});
