import { afterEach, describe, expect, it, vi } from "vitest";
import { createFakeProvider } from "../../scripts/services/fake-provider-app.ts";
import { deterministicBytes } from "../../scripts/services/fake-provider-media-bytes.ts";

type Fake = ReturnType<typeof createFakeProvider>;

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  new Request(`http://fake${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const get = (url: string, headers: Record<string, string> = {}) =>
  new Request(url.startsWith("http") ? url : `http://fake${url}`, { headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const gowaAuth = { authorization: `Basic ${btoa("gowa:pass")}`, "x-device-id": "shop" };

async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function register(fake: Fake, spec: Record<string, unknown>) {
  const res = await fake.handle(post("/__fake/media", spec));
  expect(res.status).toBe(201);
  return await res.json();
}

// Two numbers with their own tokens, as a test stack registers them.
async function withNumbers(fake: Fake) {
  for (const [id, token] of [["PN1", "tok1"], ["PN2", "tok2"]]) {
    await fake.handle(post("/__fake/phone_numbers", { phone_number_id: id, access_token: token }));
  }
}

const cloudImage = (to: string, image: Record<string, unknown>) => ({
  messaging_product: "whatsapp",
  to,
  type: "image",
  image,
});

afterEach(() => {
  vi.useRealTimers();
});

describe("fake provider media: registration", () => {
  it("generates the same bytes for the same id, answers the real sha256, and validates", async () => {
    const fake = createFakeProvider();
    const a = await register(fake, {
      provider: "cloud_api",
      phone_number_id: "PN1",
      media_id: "111",
      mime_type: "image/jpeg",
      size: 1000,
    });
    const bytes = deterministicBytes("111", 1000, "image/jpeg");
    expect(a.sha256.hex).toBe(await sha256Hex(bytes));
    expect(atob(a.sha256.base64).length).toBe(32);
    expect(Array.from(bytes.slice(0, 3))).toEqual([0xff, 0xd8, 0xff]);
    const again = await register(fake, {
      provider: "cloud_api",
      phone_number_id: "PN1",
      media_id: "111",
      mime_type: "image/jpeg",
      size: 1000,
    });
    expect(again.sha256).toEqual(a.sha256);

    const given = await register(fake, {
      provider: "cloud_api",
      phone_number_id: "PN1",
      mime_type: "text/plain",
      base64: btoa("hello"),
    });
    expect(given.media_id).toMatch(/^\d{16}$/);
    expect(given.size).toBe(5);
    expect(given.sha256.hex).toBe(await sha256Hex(new TextEncoder().encode("hello")));

    for (
      const bad of [
        { provider: "cloud_api", phone_number_id: "1", mime_type: "image/png" }, // no content
        { provider: "cloud_api", mime_type: "image/png", size: 1 }, // no number
        { provider: "evolution", mime_type: "image/png", size: 1 }, // no instance
        { provider: "whatsmeow", mime_type: "image/png", size: 1, path: "/etc/passwd" },
      ]
    ) {
      expect((await fake.handle(post("/__fake/media", bad))).status).toBe(400);
    }
  });

  it("generates 200 KB files fast enough for a benchmark that fetches thousands", () => {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) deterministicBytes(`id-${i}`, 200 * 1024, "image/jpeg");
    // about 0.2 ms each on a shared core; the bound only catches a per-byte rewrite
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe("fake provider media: Cloud API retrieve, download, delete", () => {
  it("answers Meta's media object to the number's token and downloads with it", async () => {
    const fake = createFakeProvider();
    await withNumbers(fake);
    const m = await register(fake, {
      provider: "cloud_api",
      phone_number_id: "PN1",
      mime_type: "image/png",
      size: 2048,
    });
    const res = await fake.handle(get(`http://fake:9/v21.0/${m.media_id}`, bearer("tok1")));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      messaging_product: "whatsapp",
      url: expect.stringMatching(/^http:\/\/fake:9\/whatsapp_business\/attachments\/\?mid=/),
      mime_type: "image/png",
      sha256: m.sha256.hex,
      file_size: 2048,
      id: m.media_id,
    });
    const ok = await fake.handle(
      get(`http://fake:9/v21.0/${m.media_id}?phone_number_id=PN1`, bearer("tok1")),
    );
    expect(ok.status).toBe(200);

    const file = await fake.handle(get(body.url, bearer("tok1")));
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(file.headers.get("content-length")).toBe("2048");
    expect(await sha256Hex(await file.arrayBuffer())).toBe(m.sha256.hex);

    // Meta refuses a download without the token, or with another number's
    expect((await fake.handle(get(body.url))).status).toBe(401);
    expect((await fake.handle(get(body.url, bearer("tok2")))).status).toBe(401);
    // an edited expiry no longer matches its hash
    const forged = new URL(body.url);
    forged.searchParams.set("ext", String(Number(forged.searchParams.get("ext")) + 3600));
    expect((await fake.handle(get(forged.toString(), bearer("tok1")))).status).toBe(404);
  });

  it("refuses a missing or unknown token (190), another number's token and unknown, expired or foreign ids (100/33)", async () => {
    const fake = createFakeProvider();
    await withNumbers(fake);
    const m = await register(fake, {
      provider: "cloud_api",
      phone_number_id: "PN1",
      mime_type: "image/jpeg",
      size: 10,
    });
    const old = await register(fake, {
      provider: "cloud_api",
      phone_number_id: "PN1",
      mime_type: "image/jpeg",
      size: 10,
      expired: true,
    });
    const errorOf = async (r: Request) => {
      const res = await fake.handle(r);
      return { status: res.status, ...(await res.json()).error };
    };
    expect(await errorOf(get(`/v21.0/${m.media_id}`))).toMatchObject({ status: 401, code: 190 });
    expect(await errorOf(get(`/v21.0/${m.media_id}`, bearer("nobody")))).toMatchObject({
      status: 401,
      code: 190,
    });
    for (
      const r of [
        get(`/v21.0/${m.media_id}`, bearer("tok2")),
        get(`/v21.0/${old.media_id}`, bearer("tok1")),
        get(`/v21.0/${m.media_id}?phone_number_id=PN2`, bearer("tok1")),
        get(`/v21.0/9999999999999999`, bearer("tok1")),
      ]
    ) {
      const e = await errorOf(r);
      expect(e).toMatchObject({ status: 400, code: 100, error_subcode: 33 });
      expect(e.message).toMatch(/^Unsupported get request\. Object with ID '\d+' does not exist/);
    }
  });

  it("lets a URL expire after url_ttl_seconds: then the download is 404", async () => {
    const fake = createFakeProvider();
    await withNumbers(fake);
    const m = await register(fake, {
      provider: "cloud_api",
      phone_number_id: "PN1",
      mime_type: "image/jpeg",
      size: 10,
      url_ttl_seconds: 60,
    });
    const { url } = await (await fake.handle(get(`/v21.0/${m.media_id}`, bearer("tok1")))).json();
    expect((await fake.handle(get(url, bearer("tok1")))).status).toBe(200);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    expect((await fake.handle(get(url, bearer("tok1")))).status).toBe(404);
  });

  it("claims the overridden sha256, so a client can be shown a mismatch", async () => {
    const fake = createFakeProvider();
    const m = await register(fake, {
      provider: "cloud_api",
      phone_number_id: "PN9",
      mime_type: "image/jpeg",
      size: 10,
      sha256_override: "0".repeat(64),
    });
    expect(m.claimed_sha256).toBe("0".repeat(64));
    const body = await (await fake.handle(get(`/v21.0/${m.media_id}`, bearer("any")))).json();
    expect(body.sha256).toBe("0".repeat(64));
    const bytes = await (await fake.handle(get(body.url, bearer("any")))).arrayBuffer();
    expect(await sha256Hex(bytes)).toBe(m.sha256.hex);
  });

  it("deletes media (Graph answers success, then no longer knows the id), and clears the store", async () => {
    const fake = createFakeProvider();
    await withNumbers(fake);
    const spec = {
      provider: "cloud_api",
      phone_number_id: "PN1",
      mime_type: "image/jpeg",
      size: 4,
    };
    const m = await register(fake, spec);
    const del = (token: string) =>
      new Request(`http://fake/v21.0/${m.media_id}`, { method: "DELETE", headers: bearer(token) });
    expect((await fake.handle(del("tok2"))).status).toBe(400);
    const res = await fake.handle(del("tok1"));
    expect(await res.json()).toEqual({ success: true });
    expect((await fake.handle(get(`/v21.0/${m.media_id}`, bearer("tok1")))).status).toBe(400);
    expect((await fake.handle(del("tok1"))).status).toBe(400);

    const n = await register(fake, spec);
    await fake.handle(new Request("http://fake/__fake/media", { method: "DELETE" }));
    expect((await fake.handle(get(`/v21.0/${n.media_id}`, bearer("tok1")))).status).toBe(400);
  });
});

const uploadReq = (
  phone: string,
  token: string | null,
  fields: { file?: Blob; name?: string; type?: string; messaging_product?: string },
) => {
  const form = new FormData();
  if (fields.messaging_product !== "") {
    form.set("messaging_product", fields.messaging_product ?? "whatsapp");
  }
  if (fields.file) form.set("file", fields.file, fields.name ?? "f.jpg");
  if (fields.type !== "") form.set("type", fields.type ?? fields.file?.type ?? "image/jpeg");
  return new Request(`http://fake/v21.0/${phone}/media`, {
    method: "POST",
    headers: token ? bearer(token) : {},
    body: form,
  });
};

describe("fake provider media: Cloud API upload and send by id", () => {
  it("stores an upload, accepts a send by its id to that number (logged with its sha256), refuses others", async () => {
    const fake = createFakeProvider();
    await withNumbers(fake);
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3, 4, 5]);
    const up = await fake.handle(
      uploadReq("PN1", "tok1", { file: new Blob([bytes], { type: "image/jpeg" }) }),
    );
    expect(up.status).toBe(200);
    const { id } = await up.json();
    expect(id).toMatch(/^\d+$/);
    expect(fake.log.at(-1)!.body).toMatchObject({
      messaging_product: "whatsapp",
      file: { type: "image/jpeg", size: 8 },
    });

    const sent = await fake.handle(
      post("/v21.0/PN1/messages", cloudImage("5511999990000", { id }), bearer("tok1")),
    );
    expect(sent.status).toBe(200);
    expect(fake.log.at(-1)!.media).toEqual({
      id,
      sha256: await sha256Hex(bytes),
      mime_type: "image/jpeg",
      size: 8,
    });
    // retrievable and downloadable like any Graph media
    const info = await (await fake.handle(get(`/v21.0/${id}`, bearer("tok1")))).json();
    const file = await fake.handle(get(info.url, bearer("tok1")));
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);

    for (
      const [phone, token, mediaId] of [["PN2", "tok2", id], ["PN1", "tok1", "424242"]] as const
    ) {
      const res = await fake.handle(
        post(
          `/v21.0/${phone}/messages`,
          cloudImage("5511999990000", { id: mediaId }),
          bearer(token),
        ),
      );
      expect(res.status).toBe(400);
      const e = (await res.json()).error;
      expect(e.code).toBe(100);
      expect(e.message).toBe(
        "(#100) Param image['id'] is not a valid whatsapp business account media attachment ID",
      );
    }
    const template = {
      messaging_product: "whatsapp",
      to: "1",
      type: "template",
      template: {
        name: "t",
        language: { code: "en" },
        components: [{ type: "header", parameters: [{ type: "image", image: { id: "404" } }] }],
      },
    };
    const t = await fake.handle(post("/v21.0/PN1/messages", template, bearer("tok1")));
    expect((await t.json()).error.message).toMatch(
      /^\(#100\) Param template\['components'\]\[0\]\['parameters'\]\[0\]\['image'\]\['id'\] is not/,
    );
  });

  it("checks the token, the fields, the type and the size as Meta does", async () => {
    const fake = createFakeProvider();
    await withNumbers(fake);
    const jpeg = new Blob([new Uint8Array(10)], { type: "image/jpeg" });
    const errorOf = async (r: Request) => {
      const res = await fake.handle(r);
      return { status: res.status, ...(await res.json()).error };
    };
    expect(await errorOf(uploadReq("PN1", null, { file: jpeg }))).toMatchObject({
      status: 401,
      code: 190,
    });
    expect(await errorOf(uploadReq("PN1", "nobody", { file: jpeg }))).toMatchObject({
      status: 401,
      code: 190,
    });
    expect(await errorOf(uploadReq("PN1", "tok2", { file: jpeg }))).toMatchObject({
      status: 400,
      code: 100,
      error_subcode: 33,
    });
    expect(await errorOf(uploadReq("PN1", "tok1", { file: jpeg, messaging_product: "" })))
      .toMatchObject({ code: 100, message: "(#100) The parameter messaging_product is required." });
    expect(await errorOf(uploadReq("PN1", "tok1", {}))).toMatchObject({
      code: 100,
      message: "(#100) The parameter file is required.",
    });
    expect(await errorOf(uploadReq("PN1", "tok1", { file: jpeg, type: "" }))).toMatchObject({
      message: "(#100) The parameter type is required.",
    });
    const gif = await errorOf(
      uploadReq("PN1", "tok1", {
        file: new Blob([new Uint8Array(10)], { type: "image/gif" }),
        type: "image/jpeg", // the part's own type is what counts
      }),
    );
    expect(gif).toMatchObject({ status: 400, code: 100 });
    expect(gif.message).toMatch(
      /^\(#100\) Param file must be a file with one of the following types: audio\/aac, .*Received file of type 'image\/gif'\.$/,
    );
    const big = await errorOf(
      uploadReq("PN1", "tok1", {
        file: new Blob([new Uint8Array(5 * 1024 * 1024 + 1)], { type: "image/png" }),
      }),
    );
    expect(big).toMatchObject({
      status: 400,
      code: 131053,
      message: "(#131053) Media upload error",
    });
    expect(big.error_data.details).toMatch(/limit is 5242880 bytes/);
    const pdf = await fake.handle(
      uploadReq("PN1", "tok1", {
        file: new Blob([new Uint8Array(6 * 1024 * 1024)], { type: "application/pdf" }),
        name: "big.pdf",
      }),
    );
    expect(pdf.status).toBe(200);
  });
});

describe("fake provider media: Evolution", () => {
  it("answers getBase64FromMediaMessage as Evolution does, and its errors", async () => {
    const fake = createFakeProvider();
    const m = await register(fake, {
      provider: "evolution",
      instance: "inst1",
      message_id: "3EB0AAA",
      mime_type: "image/jpeg",
      size: 3000,
      caption: "the blue one",
    });
    expect(m).toMatchObject({ instance: "inst1", message_id: "3EB0AAA" });
    const k = { apikey: "k" };
    const res = await fake.handle(
      post("/chat/getBase64FromMediaMessage/inst1", { message: { key: { id: "3EB0AAA" } } }, k),
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toEqual({
      mediaType: "imageMessage",
      fileName: "3EB0AAA.jpeg",
      caption: "the blue one",
      size: { fileLength: "3000" },
      mimetype: "image/jpeg",
      base64: expect.any(String),
      buffer: null,
    });
    const bytes = Uint8Array.from(atob(body.base64), (c) => c.charCodeAt(0));
    expect(await sha256Hex(bytes)).toBe(m.sha256.hex);

    const audio = await register(fake, {
      provider: "evolution",
      instance: "inst1",
      mime_type: "audio/ogg",
      size: 10,
    });
    const mp4 = await (await fake.handle(
      post("/chat/getBase64FromMediaMessage/inst1", {
        message: { key: { id: audio.message_id } },
        convertToMp4: true,
      }, k),
    )).json();
    expect(mp4).toMatchObject({ mediaType: "audioMessage", mimetype: "audio/mp4" });

    expect(
      (await fake.handle(
        post("/chat/getBase64FromMediaMessage/inst1", { message: { key: { id: "3EB0AAA" } } }),
      )).status,
    ).toBe(401);
    for (const [instance, id] of [["inst1", "NOPE"], ["inst2", "3EB0AAA"]]) {
      const r = await fake.handle(
        post(`/chat/getBase64FromMediaMessage/${instance}`, { message: { key: { id } } }, k),
      );
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({
        status: 400,
        error: "Bad Request",
        response: { message: ["Message not found"] },
      });
    }
    const gone = await register(fake, {
      provider: "evolution",
      instance: "inst1",
      mime_type: "image/jpeg",
      size: 10,
      expired: true,
    });
    const r = await fake.handle(
      post(
        "/chat/getBase64FromMediaMessage/inst1",
        { message: { key: { id: gone.message_id } } },
        k,
      ),
    );
    expect(r.status).toBe(400);
    expect((await r.json()).response.message[0]).toMatch(/Failed to fetch stream/);
  });

  it("answers fetchProfilePictureUrl with a picture URL that serves an image and expires", async () => {
    const fake = createFakeProvider();
    const k = { apikey: "k" };
    const ask = async (number: string) =>
      await (await fake.handle(post("/chat/fetchProfilePictureUrl/inst1", { number }, k))).json();
    const a = await ask("+55 11 99999-0000");
    expect(a.wuid).toBe("5511999990000@s.whatsapp.net");
    expect(a.profilePictureUrl).toMatch(/^http:\/\/fake\/v\/t61\.24694-24\/\d+_n\.jpg\?/);
    expect((await ask("5511999990000")).profilePictureUrl.split("?")[0]).toBe(
      a.profilePictureUrl.split("?")[0],
    );
    const pic = await fake.handle(get(a.profilePictureUrl));
    expect(pic.status).toBe(200);
    expect(pic.headers.get("content-type")).toBe("image/jpeg");
    expect((await pic.arrayBuffer()).byteLength).toBe(4096);

    await fake.handle(
      post("/__fake/avatars", {
        provider: "evolution",
        instance: "inst1",
        number: "1",
        absent: true,
      }),
    );
    expect(await ask("1")).toEqual({ wuid: "1@s.whatsapp.net", profilePictureUrl: null });
    await fake.handle(
      post("/__fake/avatars", {
        provider: "evolution",
        instance: "inst1",
        number: "2",
        size: 777,
        mime_type: "image/png",
      }),
    );
    const png = await fake.handle(get((await ask("2")).profilePictureUrl));
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(png.headers.get("content-length")).toBe("777");
    expect((await fake.handle(post("/chat/fetchProfilePictureUrl/inst1", { number: "2" }))).status)
      .toBe(401);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 3601_000);
    const late = await fake.handle(get(a.profilePictureUrl));
    expect(late.status).toBe(403);
    expect(await late.text()).toBe("URL signature expired");
  });
});

describe("fake provider media: GOWA", () => {
  it("serves downloads under /statics without auth, typed by extension, 404 once gone", async () => {
    const fake = createFakeProvider();
    const m = await register(fake, {
      provider: "whatsmeow",
      device_id: "shop",
      mime_type: "image/jpeg",
      size: 5000,
    });
    expect(m.path).toMatch(/^statics\/media\/\d+-[0-9a-f-]{36}\.jpg$/);
    expect(m.url).toBe(`http://fake/${m.path}`);
    const res = await fake.handle(get(m.url));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("content-length")).toBe("5000");
    expect(await sha256Hex(await res.arrayBuffer())).toBe(m.sha256.hex);

    const doc = await register(fake, {
      provider: "whatsmeow",
      path: "statics/media/1700000000-x.pdf",
      mime_type: "application/pdf",
      size: 10,
    });
    expect((await fake.handle(get(doc.url))).headers.get("content-type")).toBe("application/pdf");
    const gone = await register(fake, {
      provider: "whatsmeow",
      mime_type: "audio/ogg",
      size: 10,
      expired: true,
    });
    expect((await fake.handle(get(gone.url))).status).toBe(404);
    expect((await fake.handle(get("/statics/media/nothing.jpg"))).status).toBe(404);
  });

  it("answers /user/avatar behind basic auth and X-Device-Id, as GOWA answers", async () => {
    const fake = createFakeProvider();
    const res = await fake.handle(
      get("/user/avatar?phone=5511999990000&is_preview=true", gowaAuth),
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      code: "SUCCESS",
      message: "Success get avatar",
      results: {
        url: expect.stringMatching(/^http:\/\/fake\/v\/t61/),
        id: expect.any(String),
        type: "preview",
      },
    });
    expect((await fake.handle(get(body.results.url))).status).toBe(200);

    expect((await fake.handle(get("/user/avatar?phone=1"))).status).toBe(401);
    const noDevice = await fake.handle(
      get("/user/avatar?phone=1", { authorization: gowaAuth.authorization }),
    );
    expect(noDevice.status).toBe(400);
    const noPhone = await fake.handle(get("/user/avatar", gowaAuth));
    expect(noPhone.status).toBe(400);
    expect((await noPhone.json()).code).toBe("VALIDATION_ERROR");

    await fake.handle(
      post("/__fake/avatars", {
        provider: "whatsmeow",
        device_id: "shop",
        number: "77",
        absent: true,
      }),
    );
    const none = await fake.handle(get("/user/avatar?phone=77", gowaAuth));
    expect(none.status).toBe(500);
    expect(await none.json()).toMatchObject({
      code: "INTERNAL_SERVER_ERROR",
      message: "that user or group does not have a profile picture",
    });
  });
});

describe("fake provider media: sends by URL download the media", () => {
  // A second fake plays the media host (Storage, a CDN): what it serves is
  // what the provider fake downloads.
  async function setUp(timeoutMs = 2000) {
    const host = createFakeProvider();
    const fetched: string[] = [];
    const fake = createFakeProvider({
      mediaFetch: (input, init) => {
        const req = new Request(input, init);
        fetched.push(req.url);
        if (req.url.includes("/hang")) {
          return new Promise((_, reject) =>
            req.signal.addEventListener("abort", () => reject(req.signal.reason))
          );
        }
        return host.handle(req);
      },
      mediaFetchTimeoutMs: timeoutMs,
    });
    const jpg = await register(host, {
      provider: "whatsmeow",
      mime_type: "image/jpeg",
      size: 20_000,
    });
    const pdf = await register(host, {
      provider: "whatsmeow",
      mime_type: "application/pdf",
      size: 99,
    });
    return {
      fake,
      fetched,
      jpg: { ...jpg, signed: `${jpg.url}?token=secret` },
      pdf,
      missing: "http://fake/statics/media/missing.jpg",
    };
  }

  it("records what a Cloud API send's link gave (no query), and fails the send with 131053 when it fails", async () => {
    const { fake, fetched, jpg, missing } = await setUp();
    const ok = await fake.handle(
      post("/v21.0/PN1/messages", cloudImage("1", { link: jpg.signed }), bearer("t")),
    );
    expect(ok.status).toBe(200);
    expect(fetched).toEqual([jpg.signed]);
    expect(fake.log.at(-1)!.media_fetch).toEqual({
      url_host_path: `fake/${jpg.path}`,
      status: 200,
      bytes: 20_000,
      sha256: jpg.sha256.hex,
      content_type: "image/jpeg",
    });
    const bad = await fake.handle(
      post("/v21.0/PN1/messages", cloudImage("1", { link: missing }), bearer("t")),
    );
    expect(bad.status).toBe(400);
    const e = (await bad.json()).error;
    expect(e).toMatchObject({ code: 131053, message: "(#131053) Media upload error" });
    expect(e.error_data.details).toMatch(/http code 404/);
    expect(fake.log.at(-1)).toMatchObject({
      status: 400,
      media_fetch: { status: 404, sha256: null },
    });
  });

  it("fails Evolution sendMedia/sendSticker with its 500 and GOWA sends with its INTERNAL_SERVER_ERROR", async () => {
    const { fake, jpg, pdf, missing } = await setUp();
    const k = { apikey: "k" };
    const media = (url: string) => ({ number: "55119", mediatype: "image", media: url });
    expect((await fake.handle(post("/message/sendMedia/i", media(jpg.url), k))).status).toBe(201);
    const evo = await fake.handle(post("/message/sendMedia/i", media(missing), k));
    expect(evo.status).toBe(500);
    expect(await evo.json()).toEqual({
      status: 500,
      error: "Internal Server Error",
      response: { message: ["AxiosError: Request failed with status code 404"] },
    });
    const sticker = await fake.handle(
      post("/message/sendSticker/i", { number: "55119", sticker: missing }, k),
    );
    expect(sticker.status).toBe(500);
    // base64 media is not a URL: nothing to fetch
    expect((await fake.handle(post("/message/sendMedia/i", media("aGk="), k))).status).toBe(201);
    expect(fake.log.at(-1)!.media_fetch).toBeUndefined();

    const gowa = (path: string, body: Record<string, unknown>) =>
      fake.handle(post(path, { phone: "5511999990000", ...body }, gowaAuth));
    expect((await gowa("/send/image", { image_url: jpg.url })).status).toBe(200);
    expect((await gowa("/send/file", { file_url: pdf.url })).status).toBe(200);
    const notFound = await gowa("/send/image", { image_url: missing });
    expect(notFound.status).toBe(500);
    expect(await notFound.json()).toEqual({
      code: "INTERNAL_SERVER_ERROR",
      message: "failed to download image from URL HTTP request failed with status: 404 Not Found",
    });
    const notImage = await gowa("/send/image", { image_url: pdf.url });
    expect((await notImage.json()).message).toBe(
      "failed to download image from URL invalid content type: application/pdf",
    );
    const file = await gowa("/send/file", { file_url: missing });
    expect((await file.json()).message).toMatch(/^failed to download file from URL: HTTP request/);
  });

  it("gives up on a URL that does not answer within the timeout", async () => {
    const { fake } = await setUp(50);
    const t0 = performance.now();
    const res = await fake.handle(
      post("/v21.0/PN1/messages", cloudImage("1", { link: "http://slow/hang.jpg" }), bearer("t")),
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(res.status).toBe(400);
    expect(fake.log.at(-1)!.media_fetch).toMatchObject({
      url_host_path: "slow/hang.jpg",
      status: 0,
      error: expect.stringMatching(/TimeoutError/),
    });
  });
});
