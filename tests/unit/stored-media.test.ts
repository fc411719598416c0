import { describe, expect, it } from "vitest";
import { withStoredMedia } from "../../shared/outbound/stored-media.ts";
import type { Storage } from "../../shared/storage.ts";
import type { ChannelTarget, OutboundMessage, SendOutcome } from "../../shared/outbound/types.ts";
import { bridgeCh, cloudCh, evoCh, msg } from "../helpers/outbound.ts";

// A message naming a stored file reaches each provider as it takes files:
// Meta by an uploaded id (one upload per file and number), the bridges by a
// short-lived signed URL.

function storageStub(opts: { missing?: boolean } = {}) {
  const calls: string[] = [];
  const bucket = {
    createSignedUrl(path: string, ttl: number) {
      calls.push(`sign ${path} ${ttl}`);
      return Promise.resolve(
        opts.missing ? { data: null, error: { statusCode: "404", message: "Object not found" } } : {
          data: { signedUrl: `http://api/storage/v1/object/sign/media/${path}?token=t` },
          error: null,
        },
      );
    },
    download(path: string) {
      calls.push(`download ${path}`);
      return Promise.resolve(
        opts.missing
          ? { data: null, error: { status: 400, message: "Object not found" } }
          : { data: new Blob([new Uint8Array([1, 2, 3])], { type: "image/jpeg" }), error: null },
      );
    },
  };
  return { calls, storage: { from: () => bucket } as unknown as Storage };
}

function recorder() {
  const sent: [ChannelTarget, OutboundMessage][] = [];
  const send = (c: ChannelTarget, m: OutboundMessage): Promise<SendOutcome> => {
    sent.push([c, m]);
    return Promise.resolve({ kind: "sent", providerMessageId: "x" });
  };
  return { sent, send };
}

const stored = msg({
  type: "image",
  media_path: "w1/uploads/a.jpg",
  media_mime_type: "image/jpeg",
});

describe("outbound media from Storage", () => {
  it("hands Evolution and GOWA a signed URL, signed once for many sends", async () => {
    const { storage, calls } = storageStub();
    const r = recorder();
    const send = withStoredMedia(r.send, {
      storage,
      graphBaseUrl: "http://graph",
      graphVersion: "v23.0",
    });
    await send(evoCh, stored, AbortSignal.timeout(1000));
    await send(bridgeCh, stored, AbortSignal.timeout(1000));
    expect(r.sent.map(([, m]) => [m.media_url, m.media_path, m.media_id])).toEqual([
      ["http://api/storage/v1/object/sign/media/w1/uploads/a.jpg?token=t", null, null],
      ["http://api/storage/v1/object/sign/media/w1/uploads/a.jpg?token=t", null, null],
    ]);
    expect(calls).toEqual(["sign w1/uploads/a.jpg 900"]);
  });

  it("uploads to the number's media endpoint for Meta and sends by id, once for concurrent sends", async () => {
    const { storage, calls } = storageStub();
    const r = recorder();
    const uploads: Request[] = [];
    const fetch = async (input: Request | URL | string, init?: RequestInit) => {
      const req = new Request(input, init);
      uploads.push(req);
      const form = await req.formData();
      expect(form.get("messaging_product")).toBe("whatsapp");
      expect(form.get("type")).toBe("image/jpeg");
      expect((form.get("file") as File).size).toBe(3);
      return new Response(JSON.stringify({ id: "UPLOADED-1" }), { status: 200 });
    };
    const send = withStoredMedia(r.send, {
      storage,
      fetch,
      graphBaseUrl: "http://graph",
      graphVersion: "v23.0",
    });
    await Promise.all([1, 2, 3].map(() => send(cloudCh, stored, AbortSignal.timeout(1000))));
    expect(uploads.map((u) => [u.url, u.headers.get("authorization")])).toEqual([
      ["http://graph/v23.0/PN1/media", "Bearer token"],
    ]);
    expect(calls).toEqual(["download w1/uploads/a.jpg"]);
    expect(r.sent.map(([, m]) => [m.media_id, m.media_url])).toEqual([
      ["UPLOADED-1", null],
      ["UPLOADED-1", null],
      ["UPLOADED-1", null],
    ]);
  });

  it("fails a message whose file is gone, without calling the provider", async () => {
    const { storage } = storageStub({ missing: true });
    const r = recorder();
    const send = withStoredMedia(r.send, {
      storage,
      graphBaseUrl: "http://graph",
      graphVersion: "v23.0",
    });
    const out = await send(evoCh, stored, AbortSignal.timeout(1000));
    expect(out).toMatchObject({
      kind: "failed",
      error: { message: "the stored file w1/uploads/a.jpg could not be read: Object not found" },
    });
    expect(r.sent).toHaveLength(0);
  });

  it("passes a Meta upload refusal on as the send's outcome", async () => {
    const { storage } = storageStub();
    const r = recorder();
    const fetch = () =>
      Promise.resolve(
        new Response(
          JSON.stringify({ error: { message: "(#131053) Media upload error", code: 131053 } }),
          {
            status: 400,
          },
        ),
      );
    const send = withStoredMedia(r.send, {
      storage,
      fetch,
      graphBaseUrl: "http://graph",
      graphVersion: "v23.0",
    });
    const out = await send(cloudCh, stored, AbortSignal.timeout(1000));
    expect(out).toMatchObject({ kind: "failed", error: { code: 131053 } });
    expect(r.sent).toHaveLength(0);
  });

  it("leaves messages without a stored file alone", async () => {
    const { storage, calls } = storageStub();
    const r = recorder();
    const send = withStoredMedia(r.send, {
      storage,
      graphBaseUrl: "http://graph",
      graphVersion: "v23.0",
    });
    const plain = msg({ type: "image", media_url: "https://x/y.jpg" });
    await send(cloudCh, plain, AbortSignal.timeout(1000));
    expect(r.sent[0][1]).toBe(plain);
    expect(calls).toEqual([]);
  });
});
