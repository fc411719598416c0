import { describe, expect, it } from "vitest";
import { createHandler, type Deps } from "../../functions/dispatch/handler.ts";
import { localApiKeys, signJwt } from "../../shared/jwt.ts";
import type { Sql } from "../../shared/db.ts";

const keys = await localApiKeys();
const post = (body: string, token = keys.serviceRole, method = "POST") =>
  new Request("http://fn/dispatch", {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: method === "GET" ? undefined : body,
  });

function deps(over: Partial<Deps> = {}) {
  const calls = { drains: 0, background: 0 };
  const d: Deps = {
    sql: () => {
      throw new Error("no database in unit tests");
    },
    clients: {
      send: () => Promise.reject(new Error("unused")),
      listTemplates: () => Promise.reject(new Error("unused")),
      verifyPhoneNumber: () => Promise.reject(new Error("unused")),
    },
    dispatcher: {
      drain: () => {
        calls.drains++;
        return Promise.resolve();
      },
      running: false,
    },
    background: () => {
      calls.background++;
    },
    ...over,
  };
  return { d, calls };
}

describe("dispatch handler", () => {
  it("starts a drain in the background and answers 202 at once", async () => {
    const { d, calls } = deps();
    const res = await createHandler(d)(post(""));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: true, already_running: false });
    expect(calls).toEqual({ drains: 1, background: 1 });
  });

  it("is for the service role only", async () => {
    const { d, calls } = deps();
    const user = await signJwt({ role: "authenticated", sub: "u" }, "x".repeat(32));
    for (const token of [keys.anon, user, "not-a-jwt"]) {
      expect((await createHandler(d)(post("{}", token))).status).toBe(403);
    }
    expect(calls.drains).toBe(0);
  });

  it("refuses other methods and bodies it does not know", async () => {
    const { d } = deps();
    expect((await createHandler(d)(post("", keys.serviceRole, "GET"))).status).toBe(405);
    expect((await createHandler(d)(post("{not json"))).status).toBe(400);
    expect((await createHandler(d)(post('{"action":"explode"}'))).status).toBe(400);
    expect((await createHandler(d)(post('{"action":"sync_templates","channel_id":"x"}'))).status)
      .toBe(400);
  });

  it("syncs templates of a channel with any well-formed id (the seed's ids are not RFC 4122)", async () => {
    const rows: unknown[] = [];
    const sql = ((strings: TemplateStringsArray, ...values: unknown[]) => {
      rows.push(values);
      const q = strings.join("?");
      if (q.includes("dispatch_channel")) {
        return Promise.resolve([{ c: { id: values[0], provider: "cloud_api", credentials: {} } }]);
      }
      return Promise.resolve([{ r: { synced: 1, disabled: 0 } }]);
    }) as unknown as Sql;
    const { d } = deps({
      sql: () => sql,
      clients: {
        send: () => Promise.reject(new Error("unused")),
        listTemplates: () =>
          Promise.resolve([{
            provider_template_id: "1",
            name: "hello",
            language: "en_US",
            category: "UTILITY",
            status: "APPROVED",
            components: [],
            rejected_reason: null,
            parameter_format: null,
          }]),
        verifyPhoneNumber: () => Promise.reject(new Error("unused")),
      },
    });
    const res = await createHandler(d)(
      post('{"action":"sync_templates","channel_id":"00000000-0000-4000-d000-000000000001"}'),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ synced: 1, disabled: 0 });
  });

  it("reports a provider that will not list templates as 502", async () => {
    const sql = (() =>
      Promise.resolve([{
        c: { id: "c", provider: "cloud_api", credentials: {} },
      }])) as unknown as Sql;
    const { d } = deps({
      sql: () => sql,
      clients: {
        send: () => Promise.reject(new Error("unused")),
        listTemplates: () => Promise.reject(new Error("Graph said 190: token expired")),
        verifyPhoneNumber: () => Promise.reject(new Error("unused")),
      },
    });
    const res = await createHandler(d)(
      post('{"action":"sync_templates","channel_id":"11111111-1111-4111-8111-111111111111"}'),
    );
    expect(res.status).toBe(502);
    expect((await res.json()).error).toMatch(/token expired/);
  });

  it("records what Graph says of a phone number id, and nothing when it proves nothing", async () => {
    const recorded: unknown[][] = [];
    const sql = ((strings: TemplateStringsArray, ...values: unknown[]) => {
      if (strings.join("?").includes("dispatch_channel")) {
        return Promise.resolve([{
          c: { id: values[0], provider: "cloud_api", phone_number_id: "PN-1", credentials: {} },
        }]);
      }
      recorded.push(values);
      return Promise.resolve([{ r: { verified: values[2] } }]);
    }) as unknown as Sql;
    const answers = [
      { kind: "verified", display_phone_number: "+1 555", verified_name: "Shop" },
      { kind: "refused", error: "Graph answered 400: no such object" },
      { kind: "unknown", error: "request timed out" },
    ] as const;
    let i = 0;
    const { d } = deps({
      sql: () => sql,
      clients: {
        send: () => Promise.reject(new Error("unused")),
        listTemplates: () => Promise.reject(new Error("unused")),
        verifyPhoneNumber: () => Promise.resolve(answers[i++]),
      },
    });
    const body =
      '{"action":"verify_phone_number","channel_id":"11111111-1111-4111-8111-111111111111"}';
    expect((await createHandler(d)(post(body))).status).toBe(200);
    expect((await createHandler(d)(post(body))).status).toBe(200);
    expect((await createHandler(d)(post(body))).status).toBe(502);
    expect(recorded).toEqual([
      ["11111111-1111-4111-8111-111111111111", "PN-1", true, null],
      ["11111111-1111-4111-8111-111111111111", "PN-1", false, "Graph answered 400: no such object"],
    ]);
  });
});
