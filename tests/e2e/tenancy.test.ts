import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asAnon, asUser, createUser, type Sql, type TestUser } from "../helpers/db.ts";

// The same isolation the pgTAP suite proves, driven from TypeScript the way
// PostgREST runs requests, through the helper later modules' tests use.
let sql: Sql;
let first: TestUser;
let second: TestUser;
let firstWs: string;

beforeAll(async () => {
  sql = adminSql();
  first = await createUser(`first-${crypto.randomUUID()}@example.com`);
  second = await createUser(`second-${crypto.randomUUID()}@example.com`);
  [{ id: firstWs }] =
    await sql`select id from public.workspaces where created_by = ${first.id} and is_personal`;
});
afterAll(async () => {
  // The second user leaves first: the first is the last owner of a
  // workspace the second belongs to, and the database protects that.
  await sql`delete from auth.users where id = ${second.id}`;
  await sql`delete from auth.users where id = ${first.id}`;
  await sql.end();
});

describe("sign-up", () => {
  it("gives each user a profile and a personal workspace they own", async () => {
    const rows = await asUser(
      sql,
      first,
      (tx) =>
        tx`select w.id, w.is_personal, m.role from public.workspaces w
           join public.workspace_members m on m.workspace_id = w.id and m.user_id = auth.uid()`,
    );
    expect(rows).toEqual([{ id: firstWs, is_personal: true, role: "owner" }]);
  });
});

describe("a second user", () => {
  it("sees nothing of the first user's workspace", async () => {
    const seen = await asUser(sql, second, async (tx) => ({
      workspaces: await tx`select id from public.workspaces where id = ${firstWs}`,
      members: await tx`select id from public.workspace_members where workspace_id = ${firstWs}`,
      profile: await tx`select id from public.profiles where id = ${first.id}`,
    }));
    expect(seen).toEqual({ workspaces: [], members: [], profile: [] });
  });

  it("cannot change it, directly or through an RPC", async () => {
    const updated = await asUser(
      sql,
      second,
      (tx) => tx`update public.workspaces set name = 'pwned' where id = ${firstWs} returning id`,
    );
    expect(updated).toHaveLength(0);
    await expect(
      asUser(
        sql,
        second,
        (tx) => tx`select * from public.invite_member(${firstWs}, 'x@example.com', 'admin')`,
      ),
    ).rejects.toMatchObject({ code: "42501" });
    const [{ name }] = await sql`select name from public.workspaces where id = ${firstWs}`;
    expect(name).not.toBe("pwned");
  });

  it("joins only through an invitation to their confirmed email", async () => {
    const [inv] = await asUser(
      sql,
      first,
      (tx) => tx`select * from public.invite_member(${firstWs}, ${second.email}, 'viewer')`,
    );
    const member = await asUser(
      sql,
      second,
      (tx) => tx`select * from public.accept_invitation(${inv.token})`,
    );
    expect(member[0]).toMatchObject({ workspace_id: firstWs, user_id: second.id, role: "viewer" });
    const visible = await asUser(
      sql,
      second,
      (tx) => tx`select id from public.workspaces where id = ${firstWs}`,
    );
    expect(visible).toHaveLength(1);
  });
});

describe("anon", () => {
  it("reads no identity table", async () => {
    await expect(asAnon(sql, (tx) => tx`select 1 from public.workspaces`)).rejects.toMatchObject({
      code: "42501",
    });
  });
});
