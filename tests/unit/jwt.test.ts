import { describe, expect, it } from "vitest";
import {
  bearerToken,
  LOCAL_JWT_SECRET,
  localApiKeys,
  signJwt,
  verifyJwt,
} from "../../shared/jwt.ts";

// The anon key `supabase start` prints; supabase-js examples and tools know it.
const WELL_KNOWN_ANON =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";

describe("local API keys", () => {
  it("are the keys supabase start prints for the default secret", async () => {
    const keys = await localApiKeys();
    expect(keys.anon).toBe(WELL_KNOWN_ANON);
    expect((await verifyJwt(keys.serviceRole, LOCAL_JWT_SECRET)).role).toBe("service_role");
  });
});

describe("verifyJwt", () => {
  it("accepts a token signed with the secret", async () => {
    const t = await signJwt(
      { role: "authenticated", sub: "u1", exp: 4102444800 },
      LOCAL_JWT_SECRET,
    );
    expect((await verifyJwt(t, LOCAL_JWT_SECRET)).sub).toBe("u1");
  });

  it("refuses another secret, an expired token and an unsigned one", async () => {
    const other = await signJwt({ role: "anon" }, "another-secret-of-at-least-32-characters!!");
    await expect(verifyJwt(other, LOCAL_JWT_SECRET)).rejects.toThrow();
    const expired = await signJwt({ role: "anon", exp: 1000 }, LOCAL_JWT_SECRET);
    await expect(verifyJwt(expired, LOCAL_JWT_SECRET)).rejects.toThrow(/exp/);
    const none = `${btoa('{"alg":"none","typ":"JWT"}')}.${btoa('{"role":"service_role"}')}.`;
    await expect(verifyJwt(none, LOCAL_JWT_SECRET)).rejects.toThrow();
  });
});

describe("bearerToken", () => {
  it("reads the token of a Bearer header only", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("bearer x")).toBe("x");
    expect(bearerToken("Basic abc")).toBeNull();
    expect(bearerToken("Bearer")).toBeNull();
    expect(bearerToken(null)).toBeNull();
  });
});
