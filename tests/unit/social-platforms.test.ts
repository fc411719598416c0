import { describe, expect, it } from "vitest";
import { classifyInstagram, createInstagram } from "../../functions/social/instagram.ts";
import { classifyTiktok } from "../../functions/social/tiktok.ts";
import { call } from "../../functions/social/http.ts";

// How the social function reads the platforms' error envelopes: what is
// retried, what disconnects an account, and that no token reaches a message.
describe("Instagram errors", () => {
  const graph = (code: number, extra: Record<string, unknown> = {}) => ({
    error: { message: "m", type: "OAuthException", code, fbtrace_id: "A1", ...extra },
  });
  it("rate limits and service errors are transient", () => {
    for (const code of [1, 2, 4, 17, 32, 613]) {
      expect(classifyInstagram(400, graph(code)).transient).toBe(true);
    }
    expect(classifyInstagram(500, graph(100)).transient).toBe(true);
    expect(classifyInstagram(400, graph(100, { is_transient: true })).transient).toBe(true);
  });
  it("code 190 is an invalid token, permanent; subcodes are kept", () => {
    const e = classifyInstagram(400, graph(190, { error_subcode: 463 }));
    expect(e).toMatchObject({
      transient: false,
      invalidToken: true,
      code: "190/463",
      message: "m (code 190/463)",
    });
  });
  it("bad media is permanent", () => {
    expect(classifyInstagram(400, graph(9004, { error_subcode: 2207052 })).transient).toBe(false);
  });
});

describe("TikTok errors", () => {
  const env = (code: string) => ({ error: { code, message: "m", log_id: "L" } });
  it("rate limits and internal errors are transient; an invalid token disconnects", () => {
    expect(classifyTiktok(429, env("rate_limit_exceeded")).transient).toBe(true);
    expect(classifyTiktok(500, env("internal_error")).transient).toBe(true);
    expect(classifyTiktok(401, env("access_token_invalid"))).toMatchObject({
      transient: false,
      invalidToken: true,
    });
    expect(classifyTiktok(400, env("invalid_params")).transient).toBe(false);
  });
  it("OAuth's flat envelope", () => {
    expect(
      classifyTiktok(400, {
        error: "invalid_grant",
        error_description: "Refresh token is invalid or expired.",
      }),
    )
      .toMatchObject({
        invalidToken: true,
        message: "Refresh token is invalid or expired. (invalid_grant)",
      });
  });
});

describe("tokens stay out of messages", () => {
  it("a network error naming the URL is redacted", async () => {
    const failing = (() =>
      Promise.reject(
        new Error("connect refused: https://x/?access_token=SECRET-TOKEN-1"),
      )) as typeof fetch;
    await expect(call(failing, "https://x/", {}, classifyInstagram, ["SECRET-TOKEN-1"])).rejects
      .toMatchObject({
        message: "network error: connect refused: https://x/?access_token=[redacted]",
        transient: true,
      });
  });
  it("an Instagram refresh refused says why, not with what", async () => {
    const fake = (() =>
      Promise.resolve(
        new Response(
          JSON.stringify({
            error: { message: "Error validating access token: SECRET-TOKEN-2", code: 190 },
          }),
          {
            status: 400,
          },
        ),
      )) as typeof fetch;
    const ig = createInstagram({ baseUrl: "https://graph.example", version: "v21.0", fetch: fake });
    expect(await ig.refresh("SECRET-TOKEN-2")).toEqual({
      ok: false,
      transient: false,
      error: "Error validating access token: [redacted] (code 190)",
    });
  });
});
