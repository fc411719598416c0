import { beforeEach, describe, expect, it } from "vitest";
import { createFakeProvider } from "../../scripts/services/fake-provider-app.ts";
import { createEvolutionClient } from "../../shared/outbound/evolution.ts";
import type { OutboundMessage } from "../../shared/outbound/types.ts";
import {
  answering,
  channel,
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

describe("Evolution client", () => {
  const evo = () => createEvolutionClient({ fetch: viaFake(fake) });

  it("posts each kind of message to its endpoint with the apikey", async () => {
    const c = evo();
    const cases: [Partial<OutboundMessage>, string, Record<string, unknown>][] = [
      [{ content: "hi", quoted_provider_message_id: "Q1" }, "sendText", {
        number: "5511999990000",
        text: "hi",
        quoted: { key: { id: "Q1" } },
      }],
      [
        {
          type: "image",
          media_url: "https://m/i.jpg",
          content: "cap",
          media_mime_type: "image/jpeg",
          media_filename: "i.jpg",
        },
        "sendMedia",
        {
          number: "5511999990000",
          mediatype: "image",
          media: "https://m/i.jpg",
          caption: "cap",
          mimetype: "image/jpeg",
          fileName: "i.jpg",
        },
      ],
      [{ type: "audio", media_url: "https://m/a.ogg" }, "sendMedia", {
        number: "5511999990000",
        mediatype: "audio",
        media: "https://m/a.ogg",
      }],
      [
        { type: "location", location: { latitude: 1, longitude: 2, name: "N", address: null } },
        "sendLocation",
        { number: "5511999990000", latitude: 1, longitude: 2, name: "N", address: "" },
      ],
      [
        {
          type: "reaction",
          recipient: "5511999990000@s.whatsapp.net",
          reaction_target_id: "BAE5X",
          reaction_emoji: "❤️",
        },
        "sendReaction",
        {
          key: { remoteJid: "5511999990000@s.whatsapp.net", fromMe: true, id: "BAE5X" },
          reaction: "❤️",
        },
      ],
      [{ type: "sticker", media_url: "https://m/s.webp" }, "sendSticker", {
        number: "5511999990000",
        sticker: "https://m/s.webp",
      }],
      [
        { type: "template", template: template({ body: { 1: "Ana", 2: "42", when: "today" } }) },
        "sendText",
        { number: "5511999990000", text: "Hi Ana, order 42 ships today" },
      ],
      // A template's document header (an invoice's stored PDF, by then a
      // signed URL): the document, with the body as its caption.
      [
        {
          type: "template",
          template: template({
            header: { type: "document", filename: "INV-2026-0007.pdf" },
            body: { 1: "Ana", 2: "42", when: "today" },
          }),
          media_url: "https://storage/sign/inv.pdf",
          media_mime_type: "application/pdf",
        },
        "sendMedia",
        {
          number: "5511999990000",
          mediatype: "document",
          media: "https://storage/sign/inv.pdf",
          caption: "Hi Ana, order 42 ships today",
          mimetype: "application/pdf",
          fileName: "INV-2026-0007.pdf",
        },
      ],
    ];
    for (const [over, endpoint, body] of cases) {
      const out = await c.send(evoCh, msg(over));
      expect(out.kind === "sent" && out.providerMessageId).toMatch(/^BAE5/);
      const logged = fake.log.at(-1)!;
      expect(logged.path).toBe(`/message/${endpoint}/inst1`);
      expect(logged.headers.apikey).toBe("key");
      expect(logged.body).toEqual(body);
    }
  });

  it("joins Evolution's error messages and classifies by status", async () => {
    const c = createEvolutionClient({
      fetch: answering(400, {
        status: 400,
        error: "Bad Request",
        response: { message: [[{ exists: false, number: "1" }]] },
      }),
    });
    const out = await c.send(evoCh, msg({ content: "hi" }));
    expect(out).toMatchObject({
      kind: "failed",
      error: { title: "Bad Request", http_status: 400 },
    });
    expect(out.kind === "failed" && out.error.message).toBe('{"exists":false,"number":"1"}');
    await fault(fake, { kind: "server_error", status: 500, times: 1, match: "/message/" });
    expect((await evo().send(evoCh, msg({ content: "hi" }))).kind).toBe("retry");
    expect((await evo().send(evoCh, msg({ type: "interactive", interactive: {} }))).kind).toBe(
      "failed",
    );
    expect((await evo().send(evoCh, msg({ type: "video", media_id: "only-an-id" }))).kind).toBe(
      "failed",
    );
    const noKey = await evo().send(
      channel({ provider: "evolution", credentials: {} }),
      msg({ content: "x" }),
    );
    expect(noKey.kind === "failed" && noKey.error.message).toMatch(/api_key/);
  });
});
