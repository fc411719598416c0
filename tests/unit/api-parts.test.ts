import { describe, expect, it } from "vitest";
import { ApiError, fromPostgres } from "../../functions/api/errors.ts";
import { decodeCursor, encodeCursor, page } from "../../functions/api/pagination.ts";

// The public API's pure parts: how database errors become HTTP answers, and
// keyset cursors.
describe("api: Postgres errors", () => {
  it("maps the SQLSTATEs the modules raise on purpose to stable codes", () => {
    const cases: [string, number, string][] = [
      ["42501", 403, "forbidden"],
      ["P0002", 404, "not_found"],
      ["22023", 422, "invalid_request"],
      ["23505", 409, "conflict"],
      ["55000", 409, "invalid_state"],
      ["54000", 403, "limit_reached"],
      ["28000", 401, "unauthorized"],
    ];
    for (const [code, status, apiCode] of cases) {
      const e = fromPostgres({ code, message: "m" });
      expect(e, code).toBeInstanceOf(ApiError);
      expect([e!.status, e!.code], code).toEqual([status, apiCode]);
    }
  });

  it("keeps anything else out of the answer", () => {
    expect(fromPostgres({ code: "XX000", message: "internal detail" })).toBeNull();
    expect(fromPostgres(new Error("boom"))).toBeNull();
  });

  it("says an RLS refusal plainly instead of naming the table", () => {
    const e = fromPostgres({
      code: "42501",
      message: 'new row violates row-level security policy for table "hooks"',
    });
    expect(e!.message).not.toContain("hooks");
  });
});

describe("api: keyset cursors", () => {
  it("round-trip and refuse anything else", () => {
    const c = encodeCursor([
      "2026-12-04T06:30:00.123456+00:00",
      "0193a1b2-0000-7000-8000-000000000001",
    ]);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, 2)).toEqual([
      "2026-12-04T06:30:00.123456+00:00",
      "0193a1b2-0000-7000-8000-000000000001",
    ]);
    expect(decodeCursor(undefined, 2)).toBeNull();
    for (const bad of ["nonsense", encodeCursor(["a"]), encodeCursor([1, 2]), "%%%"]) {
      expect(() => decodeCursor(bad, 2), bad).toThrow(ApiError);
    }
  });

  it("pages: one row more than asked means another page, from the last row kept", () => {
    const rows = [{ id: "a" }, { id: "b" }, { id: "c" }];
    const p = page(rows, 2, (r) => [r.id]);
    expect(p.data).toEqual([{ id: "a" }, { id: "b" }]);
    expect(decodeCursor(p.next_cursor!, 1)).toEqual(["b"]);
    expect(page(rows.slice(0, 2), 2, (r) => [r.id]).next_cursor).toBeNull();
  });
});

// Postgres takes any 8-4-4-4-12 hex as a uuid, and rows made by hand or by
// other systems (the demo data's 00000000-0000-4000-e000-...) carry ids
// that are not RFC 9562 variants: the API must take what the database does.
describe("api: ids", () => {
  it("accepts every uuid Postgres accepts", async () => {
    const { SendMessage } = await import("../../functions/api/routes/messages.ts");
    const ok = SendMessage.safeParse({
      type: "text",
      conversation_id: "00000000-0000-4000-e000-000000000003",
      text: "hi",
    });
    expect(ok.success).toBe(true);
    const bad = SendMessage.safeParse({ type: "text", conversation_id: "not-a-uuid", text: "hi" });
    expect(bad.success).toBe(false);
  });
});
