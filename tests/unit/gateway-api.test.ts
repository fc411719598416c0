import { describe, expect, it } from "vitest";
import { corsPreflight, isApiPath, toUpstream } from "../../scripts/services/gateway-api.ts";

const keys = { anon: "anon-key", serviceRole: "service-key" };
const ups = { rest: "http://127.0.0.1:1", auth: "http://127.0.0.1:2" };
const req = (path: string, headers: Record<string, string> = {}, method = "GET") =>
  new Request(`http://gw${path}`, { method, headers });

describe("the API gateway in front of /rest/v1 and /auth/v1", () => {
  it("knows its paths", () => {
    expect(isApiPath("/rest/v1/")).toBe(true);
    expect(isApiPath("/rest/v1")).toBe(true);
    expect(isApiPath("/auth/v1/token")).toBe(true);
    expect(isApiPath("/rest/v10/x")).toBe(false);
    expect(isApiPath("/functions/v1/health")).toBe(false);
  });

  it("refuses a request without an API key, as hosted does", async () => {
    const r = toUpstream(req("/rest/v1/conversations"), keys, ups) as Response;
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({
      message: "No API key found in request",
      hint: "No `apikey` request header or url param was found.",
    });
  });

  it("refuses a key that is not the project's, even a valid-looking JWT", async () => {
    const r = toUpstream(
      req("/rest/v1/x", { apikey: "eyJhbGciOiJIUzI1NiJ9.e30.x", authorization: "Bearer t" }),
      keys,
      ups,
    ) as Response;
    expect(r.status).toBe(401);
    expect((await r.json()).message).toBe("Invalid API key");
  });

  it("makes the key the bearer when the client sent none, and drops the key", () => {
    const up = toUpstream(
      req("/rest/v1/conversations?select=*", { apikey: "anon-key" }),
      keys,
      ups,
    );
    if (up instanceof Response) throw new Error("refused");
    expect(up.url).toBe("http://127.0.0.1:1/conversations?select=*");
    expect(up.headers.get("authorization")).toBe("Bearer anon-key");
    expect(up.headers.get("apikey")).toBeNull();
  });

  it("keeps the user's own bearer token", () => {
    const up = toUpstream(
      req("/auth/v1/user", { apikey: "anon-key", authorization: "Bearer user-jwt" }),
      keys,
      ups,
    );
    if (up instanceof Response) throw new Error("refused");
    expect(up.url).toBe("http://127.0.0.1:2/user");
    expect(up.headers.get("authorization")).toBe("Bearer user-jwt");
  });

  it("takes the key from the query string and passes filters on as written", () => {
    const up = toUpstream(
      req("/rest/v1/messages?apikey=service-key&content=ilike.*a%2Cb*&order=created_at.desc"),
      keys,
      ups,
    );
    if (up instanceof Response) throw new Error("refused");
    expect(up.headers.get("authorization")).toBe("Bearer service-key");
    expect(new URL(up.url).searchParams.get("apikey")).toBeNull();
    expect(new URL(up.url).searchParams.get("content")).toBe("ilike.*a,b*");
    const plain = toUpstream(req("/rest/v1/rpc/f?a=x%2Cy", { apikey: "anon-key" }), keys, ups);
    if (plain instanceof Response) throw new Error("refused");
    expect(plain.url).toBe("http://127.0.0.1:1/rpc/f?a=x%2Cy");
  });

  it("answers CORS preflights without a key", () => {
    const r = corsPreflight(
      req("/rest/v1/x", {
        origin: "http://app",
        "access-control-request-method": "POST",
        "access-control-request-headers": "apikey, authorization, content-type, prefer",
      }, "OPTIONS"),
    )!;
    expect(r.status).toBe(200);
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    expect(r.headers.get("access-control-allow-headers")).toContain("prefer");
    expect(corsPreflight(req("/rest/v1/x", {}, "OPTIONS"))).toBeNull();
  });
});
