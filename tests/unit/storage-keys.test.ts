import { describe, expect, it } from "vitest";
import {
  isValidBucketName,
  isValidKey,
  mimeAllowed,
  parseFileSize,
} from "../../scripts/services/storage/keys.ts";
import { boundaryOf, parseMultipart } from "../../scripts/services/storage/multipart.ts";

describe("object keys", () => {
  it("accepts storage-api's S3-safe characters", () => {
    for (const k of ["a.txt", "folder/name", "u/1 2/(x)!*'&$=@;:+,?-_.png", "a/b/c/d.jpg"]) {
      expect(isValidKey(k), k).toBe(true);
    }
  });

  it("refuses other characters, empty keys, and segments a URL would rewrite", () => {
    for (
      const k of [
        "",
        "a/../b",
        "../x",
        "./x",
        "a/./b",
        "/leading",
        "trailing/",
        "a//b",
        "é.txt",
        "a\\b",
        "a#b",
        "a%b",
        "..",
        "x\ny",
      ]
    ) {
      expect(isValidKey(k), JSON.stringify(k)).toBe(false);
    }
  });

  it("bucket names: no slash, 1 to 100 characters", () => {
    expect(isValidBucketName("media")).toBe(true);
    expect(isValidBucketName("a/b")).toBe(false);
    expect(isValidBucketName("")).toBe(false);
    expect(isValidBucketName("x".repeat(100))).toBe(true);
    expect(isValidBucketName("x".repeat(101))).toBe(false);
  });
});

describe("bucket limits", () => {
  it("reads sizes as storage-api does", () => {
    expect(parseFileSize("1MB")).toBe(1e6);
    expect(parseFileSize("20kb")).toBe(2e4);
    expect(parseFileSize(1024)).toBe(1024);
    expect(parseFileSize("lots")).toBeNull();
  });

  it("matches mime types exactly or by wildcard", () => {
    expect(mimeAllowed("image/png", ["image/*"])).toBe(true);
    expect(mimeAllowed("text/plain;charset=UTF-8", ["text/plain"])).toBe(true);
    expect(mimeAllowed("application/pdf", ["image/*", "text/plain"])).toBe(false);
    expect(mimeAllowed("anything/at-all", null)).toBe(true);
  });
});

describe("multipart bodies", () => {
  it("keeps the file part whose name is empty, as storage-js sends it", async () => {
    const fd = new FormData();
    fd.append("cacheControl", "3600");
    fd.append("", new Blob(["hello\r\n--not-a-boundary"], { type: "text/plain" }));
    const req = new Request("http://x/", { method: "POST", body: fd });
    const parts = parseMultipart(
      new Uint8Array(await req.arrayBuffer()),
      boundaryOf(req.headers.get("content-type")!)!,
    );
    expect(parts.map((p) => [p.name, p.type, new TextDecoder().decode(p.data)])).toEqual([
      ["cacheControl", null, "3600"],
      ["", "text/plain", "hello\r\n--not-a-boundary"],
    ]);
  });
});
