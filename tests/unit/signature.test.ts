import { describe, expect, it } from "vitest";
import {
  hmacSha256Hex,
  hubSignature,
  timingSafeEqual,
  verifyHubSignature,
} from "../../shared/signature.ts";

const body = new TextEncoder().encode('{"object":"whatsapp_business_account"}');

describe("HMAC signatures", () => {
  it("matches a known HMAC-SHA256 vector (RFC 4231 case 2)", async () => {
    expect(await hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("verifies X-Hub-Signature-256 over the raw body", async () => {
    const header = await hubSignature("app-secret", body);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await verifyHubSignature(header, "app-secret", body)).toBe(true);
    expect(
      await verifyHubSignature(
        header.toUpperCase().replace("SHA256=", "sha256="),
        "app-secret",
        body,
      ),
    ).toBe(true);
  });

  it("refuses a wrong secret, a changed body, a missing or malformed header, and no secret", async () => {
    const header = await hubSignature("app-secret", body);
    expect(await verifyHubSignature(header, "other-secret", body)).toBe(false);
    expect(
      await verifyHubSignature(header, "app-secret", new TextEncoder().encode('{"object":"x"}')),
    ).toBe(false);
    expect(await verifyHubSignature(null, "app-secret", body)).toBe(false);
    expect(await verifyHubSignature("sha1=abc", "app-secret", body)).toBe(false);
    expect(await verifyHubSignature(header.slice(0, -2), "app-secret", body)).toBe(false);
    expect(await verifyHubSignature(header, undefined, body)).toBe(false);
  });

  it("compares strings of any length without throwing", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
    expect(timingSafeEqual("", "a")).toBe(false);
  });
});
