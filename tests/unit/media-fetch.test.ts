import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { announcedHex, readCapped } from "../../functions/media/download.ts";
import { fetchFromProvider, type ProviderFetchOptions } from "../../functions/media/providers.ts";
import { fetchAvatar } from "../../functions/media/avatars.ts";
import type { AvatarJob, MediaJob } from "../../functions/media/types.ts";
import type { Fetch } from "../../shared/outbound/types.ts";
import { bridgeCh, cloudCh, evoCh } from "../helpers/outbound.ts";

// The media function's provider side against scripted answers: what it asks
// each provider, and how every kind of answer ends.

const bytes = new Uint8Array(Buffer.from("a picture of a dress, honestly"));
const hex = createHash("sha256").update(bytes).digest("hex");
const b64 = createHash("sha256").update(bytes).digest("base64");

type Route = (req: Request) => Response | Promise<Response>;
function scripted(routes: Record<string, Route>) {
  const seen: Request[] = [];
  const fetch: Fetch = async (input, init) => {
    const req = new Request(input, init);
    seen.push(req);
    const u = new URL(req.url);
    const route = routes[`${req.method} ${u.host}${u.pathname}`];
    return route ? await route(req) : new Response("no route", { status: 599 });
  };
  return { fetch, seen };
}

const opts = (fetch: Fetch): ProviderFetchOptions => ({
  fetch,
  graphBaseUrl: "http://graph",
  graphVersion: "v23.0",
  guard: () => Promise.resolve(null),
  timeoutMs: 5000,
});

const job = (over: Partial<MediaJob>): MediaJob => ({
  id: "f1",
  workspace_id: "w1",
  channel_id: "c1",
  channel: cloudCh,
  provider_media_id: "MID1",
  source_url: null,
  mime_type: "image/jpeg",
  file_name: null,
  size_bytes: null,
  provider_sha256: null,
  came_inline: false,
  attempts: 1,
  max_bytes: 1000,
  message_provider_id: "wamid.1",
  chat_id: "5511999990000",
  from_me: false,
  existing: null,
  ...over,
});

const jsonRes = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const file = (b: Uint8Array, type = "image/jpeg") =>
  new Response(b as Uint8Array<ArrayBuffer>, {
    headers: { "content-type": type, "content-length": String(b.length) },
  });

describe("announced hashes", () => {
  it("reads hex and base64 as the same 32 bytes, and nothing else", () => {
    expect(announcedHex(hex.toUpperCase())).toBe(hex);
    expect(announcedHex(b64)).toBe(hex);
    expect(announcedHex("Zm9v")).toBeNull();
    expect(announcedHex("")).toBeNull();
  });
  it("stops reading a body past the limit", async () => {
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(400));
      },
    });
    const got = await readCapped(new Response(body), 1000);
    expect(got).toEqual({
      kind: "final",
      reason: "the file is 1200 bytes, over the workspace's limit of 1000 bytes",
    });
  });
});

describe("Cloud API", () => {
  const meta = (answer: Route) =>
    scripted({
      "GET graph/v23.0/MID1": answer,
      "GET lookaside/file": (req) =>
        req.headers.get("authorization") === "Bearer token"
          ? file(bytes)
          : jsonRes(401, { error: { code: 190 } }),
    });

  it("asks Graph for the URL with the token, downloads it with the token, checks Meta's hash", async () => {
    const s = meta(() =>
      jsonRes(200, {
        url: "http://lookaside/file",
        mime_type: "image/jpeg",
        sha256: hex,
        file_size: String(bytes.length),
        id: "MID1",
      })
    );
    const got = await fetchFromProvider(job({}), opts(s.fetch));
    expect(got).toMatchObject({ sha256: hex, mime: "image/jpeg" });
    expect(s.seen[0].url).toBe("http://graph/v23.0/MID1?phone_number_id=PN1");
    expect(s.seen.map((r) => r.headers.get("authorization"))).toEqual([
      "Bearer token",
      "Bearer token",
    ]);
  });

  it("refuses a file whose bytes do not match the hash Meta announced", async () => {
    const s = meta(() => jsonRes(200, { url: "http://lookaside/file", sha256: "00".repeat(32) }));
    const got = await fetchFromProvider(job({}), opts(s.fetch));
    expect(got).toEqual({
      kind: "final",
      reason: `the file's sha256 ${hex} does not match the ${
        "00".repeat(32)
      } the provider announced`,
    });
  });

  it("refuses a file over the workspace's limit before downloading it", async () => {
    const s = meta(() => jsonRes(200, { url: "http://lookaside/file", file_size: "5000" }));
    const got = await fetchFromProvider(job({}), opts(s.fetch));
    expect(got).toMatchObject({ kind: "final", reason: expect.stringMatching(/5000 bytes/) });
    expect(s.seen).toHaveLength(1);
  });

  it("takes an unknown media id (Graph 100/33) as expired and a refused token as worth a retry", async () => {
    const gone = meta(() =>
      jsonRes(400, {
        error: { message: "Unsupported get request", code: 100, error_subcode: 33 },
      })
    );
    expect(await fetchFromProvider(job({}), opts(gone.fetch))).toMatchObject({ kind: "expired" });
    const token = meta(() => jsonRes(401, { error: { message: "bad token", code: 190 } }));
    expect(await fetchFromProvider(job({}), opts(token.fetch))).toMatchObject({ kind: "retry" });
    const down = meta(() => jsonRes(503, {}));
    expect(await fetchFromProvider(job({}), opts(down.fetch))).toMatchObject({ kind: "retry" });
  });

  it("asks again later when the short-lived URL has already expired", async () => {
    const s = scripted({
      "GET graph/v23.0/MID1": () => jsonRes(200, { url: "http://lookaside/old" }),
      "GET lookaside/old": () => new Response("gone", { status: 404 }),
    });
    expect(await fetchFromProvider(job({}), opts(s.fetch))).toMatchObject({ kind: "retry" });
  });

  it("never downloads from an address the guard refuses", async () => {
    const s = meta(() => jsonRes(200, { url: "http://lookaside/file" }));
    const got = await fetchFromProvider(job({}), {
      ...opts(s.fetch),
      guard: () => Promise.resolve({ refused: "private address" }),
    });
    expect(got).toEqual({ kind: "final", reason: "private address" });
    expect(s.seen).toHaveLength(1);
  });
});

describe("Evolution", () => {
  it("asks getBase64FromMediaMessage by the message key, with the instance key", async () => {
    const s = scripted({
      "POST fake/chat/getBase64FromMediaMessage/inst1": async (req) => {
        expect(req.headers.get("apikey")).toBe("key");
        expect(await req.json()).toEqual({
          message: { key: { id: "3EB0X", remoteJid: "5511@s.whatsapp.net", fromMe: false } },
          convertToMp4: false,
        });
        return jsonRes(201, {
          mediaType: "imageMessage",
          fileName: "x.jpeg",
          mimetype: "image/jpeg",
          base64: Buffer.from(bytes).toString("base64"),
        });
      },
    });
    const got = await fetchFromProvider(
      job({
        channel: evoCh,
        provider_media_id: null,
        message_provider_id: "3EB0X",
        chat_id: "5511@s.whatsapp.net",
        provider_sha256: b64,
      }),
      opts(s.fetch),
    );
    expect(got).toMatchObject({ sha256: hex, mime: "image/jpeg", name: "x.jpeg" });
  });

  it("takes a message Evolution no longer has as expired", async () => {
    const s = scripted({
      "POST fake/chat/getBase64FromMediaMessage/inst1": () =>
        jsonRes(400, {
          status: 400,
          error: "Bad Request",
          response: { message: ["Message not found"] },
        }),
    });
    const got = await fetchFromProvider(job({ channel: evoCh }), opts(s.fetch));
    expect(got).toMatchObject({ kind: "expired" });
  });
});

describe("GOWA", () => {
  it("downloads the bridge's path with its basic auth and device id", async () => {
    const s = scripted({
      "GET fake/statics/media/1.jpg": (req) =>
        req.headers.get("authorization") === "Basic Z293YTpwYXNz" &&
          req.headers.get("x-device-id") === "dev1"
          ? file(bytes)
          : new Response("unauthorized", { status: 401 }),
    });
    const got = await fetchFromProvider(
      job({ channel: bridgeCh, provider_media_id: "statics/media/1.jpg" }),
      opts(s.fetch),
    );
    expect(got).toMatchObject({ sha256: hex });
  });

  it("sends no credentials to a URL off the bridge, and a 404 there is expired", async () => {
    const s = scripted({
      "GET cdn/x.jpg": (req) =>
        new Response(null, { status: req.headers.get("authorization") ? 400 : 404 }),
    });
    const got = await fetchFromProvider(
      job({ channel: bridgeCh, provider_media_id: null, source_url: "http://cdn/x.jpg" }),
      opts(s.fetch),
    );
    expect(got).toMatchObject({ kind: "expired" });
  });
});

describe("profile pictures", () => {
  const avatar = (over: Partial<AvatarJob>): AvatarJob => ({
    contact_id: "k1",
    workspace_id: "w1",
    external_id: "5511988887777@s.whatsapp.net",
    picture_url: null,
    attempts: 1,
    channel_id: "c1",
    channel: evoCh,
    ...over,
  });

  it("asks Evolution for the URL by number and downloads the picture", async () => {
    const s = scripted({
      "POST fake/chat/fetchProfilePictureUrl/inst1": async (req) => {
        expect(await req.json()).toEqual({ number: "5511988887777" });
        return jsonRes(200, {
          wuid: "5511988887777@s.whatsapp.net",
          profilePictureUrl: "http://pps/p.jpg",
        });
      },
      "GET pps/p.jpg": () => file(bytes),
    });
    expect(await fetchAvatar(avatar({}), opts(s.fetch))).toMatchObject({ sha256: hex });
  });

  it("asks GOWA's /user/avatar, and a person without a picture is no failure", async () => {
    const s = scripted({
      "GET fake/user/avatar": () => jsonRes(200, { code: "SUCCESS", results: { url: null } }),
    });
    expect(await fetchAvatar(avatar({ channel: bridgeCh }), opts(s.fetch))).toBeNull();
    expect(new URL(s.seen[0].url).searchParams.get("phone")).toBe("5511988887777@s.whatsapp.net");
  });

  it("refuses what is not an image", async () => {
    const s = scripted({ "GET pps/p.jpg": () => file(bytes, "text/html") });
    expect(await fetchAvatar(avatar({ picture_url: "http://pps/p.jpg" }), opts(s.fetch)))
      .toMatchObject({ kind: "final" });
  });
});

describe("Evolution's stored copy", () => {
  it("downloads mediaUrl when Evolution stored the file, never WhatsApp's encrypted CDN", async () => {
    const s = scripted({
      "GET s3/evo/1.jpeg": () => file(bytes),
      "POST fake/chat/getBase64FromMediaMessage/inst1": () =>
        jsonRes(201, { base64: Buffer.from(bytes).toString("base64"), mimetype: "image/jpeg" }),
    });
    await fetchFromProvider(
      job({ channel: evoCh, source_url: "http://s3/evo/1.jpeg" }),
      opts(s.fetch),
    );
    expect(s.seen.map((r) => new URL(r.url).host)).toEqual(["s3"]);
    await fetchFromProvider(
      job({ channel: evoCh, source_url: "https://mmg.whatsapp.net/x.enc" }),
      opts(s.fetch),
    );
    expect(s.seen.map((r) => new URL(r.url).host)).toEqual(["s3", "fake"]);
  });
});

describe("GOWA without auto-download", () => {
  it("refuses WhatsApp's encrypted CDN URL instead of storing ciphertext", async () => {
    const s = scripted({});
    const got = await fetchFromProvider(
      job({
        channel: bridgeCh,
        provider_media_id: null,
        source_url: "https://mmg.whatsapp.net/v/x.enc",
      }),
      opts(s.fetch),
    );
    expect(got).toMatchObject({ kind: "final", reason: expect.stringMatching(/auto-download/) });
    expect(s.seen).toHaveLength(0);
  });
});

describe("the byte budget", () => {
  it("holds files back while the bytes in hand would pass it, and lets a huge one go alone", async () => {
    const { createBudget } = await import("../../functions/media/budget.ts");
    const budget = createBudget(100);
    const order: string[] = [];
    const a = await budget.acquire(60);
    const b = budget.acquire(60).then((r) => (order.push("b"), r));
    const c = budget.acquire(30).then((r) => (order.push("c"), r));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]); // c waits behind b: first come, first served
    a();
    const rb = await b;
    const rc = await c;
    expect(order).toEqual(["b", "c"]);
    rb();
    rc();
    const huge = await budget.acquire(500); // more than the budget: alone
    const small = budget.acquire(1).then(() => order.push("small"));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(["b", "c"]);
    huge();
    await small;
    expect(order).toEqual(["b", "c", "small"]);
  });

  it("a download reserves its length and gives it back when the file is refused", async () => {
    const { createBudget } = await import("../../functions/media/budget.ts");
    const budget = createBudget(1000);
    let held = 0;
    const counting = {
      acquire: async (n: number) => {
        const r = await budget.acquire(n);
        held += n;
        return () => {
          held -= n;
          r();
        };
      },
    };
    const s = scripted({
      "GET graph/v23.0/MID1": () =>
        jsonRes(200, { url: "http://lookaside/file", sha256: "00".repeat(32) }),
      "GET lookaside/file": () => file(bytes),
    });
    const got = await fetchFromProvider(job({}), { ...opts(s.fetch), budget: counting });
    expect(got).toMatchObject({ kind: "final" });
    expect(held).toBe(0);
    const ok = scripted({
      "GET graph/v23.0/MID1": () => jsonRes(200, { url: "http://lookaside/file" }),
      "GET lookaside/file": () => file(bytes),
    });
    const fine = await fetchFromProvider(job({}), { ...opts(ok.fetch), budget: counting });
    expect(held).toBe(bytes.length);
    (fine as { release?: () => void }).release?.();
    expect(held).toBe(0);
  });
});
