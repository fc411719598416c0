import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asUser, createUser, type Sql, type TestUser } from "../helpers/db.ts";
import { fake, until } from "../helpers/e2e.ts";

// A Cloud API channel's phone_number_id through the real path: an admin
// stores the access token, the database asks the dispatch function (pg_net,
// after commit), which asks Graph (the fake provider) for the number with
// that token and records the answer. A squatter who typed the id first
// neither blocks the real business nor passes verification.
const run = Date.now().toString().slice(-6);
const pnid = `PN-VERIFY-${run}`;
const realToken = `real-token-${run}`;
let sql: Sql;
let owner: TestUser;
let squatter: TestUser;
let ownerWs: string;
let squatWs: string;

type Row = { verified: boolean; error: string | null };
const state = async (id: string): Promise<Row> => {
  const [r] = await sql<Row[]>`
    select phone_number_verified_at is not null as verified, phone_number_error as error
      from public.channels where id = ${id}`;
  return r;
};

async function workspaceOf(user: TestUser, slug: string): Promise<string> {
  const [w] = await sql<{ id: string }[]>`
    insert into public.workspaces (name, slug, plan) values (${slug}, ${slug}, 'basic') returning id`;
  await sql`insert into public.workspace_members (workspace_id, user_id, role) values (${w.id}, ${user.id}, 'owner')`;
  return w.id;
}

async function addChannel(user: TestUser, ws: string, token: string): Promise<string> {
  return await asUser(sql, user, async (tx) => {
    const [c] = await tx<{ id: string }[]>`
      insert into public.channels (workspace_id, provider, name, phone_number_id)
      values (${ws}, 'cloud_api', 'WhatsApp', ${pnid}) returning id`;
    await tx`select public.set_channel_credentials(${c.id}, ${
      sql.json({ access_token: token, app_secret: `secret-${run}` })
    })`;
    return c.id;
  });
}

beforeAll(async () => {
  sql = adminSql();
  owner = await createUser(`pn-owner-${run}@example.com`);
  squatter = await createUser(`pn-squatter-${run}@example.com`);
  ownerWs = await workspaceOf(owner, `pn-owner-${run}`);
  squatWs = await workspaceOf(squatter, `pn-squat-${run}`);
  const res = await fake("/__fake/phone_numbers", {
    method: "POST",
    body: JSON.stringify({
      phone_number_id: pnid,
      access_token: realToken,
      display_phone_number: "+1 555-010-2030",
      verified_name: "Real Business",
    }),
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  // A verification the dispatcher is still recording can update both
  // channels (the number moves to its verified owner): one workspace at a
  // time, and again when the two crossed (deadlock_detected).
  for (const ws of [ownerWs, squatWs]) {
    for (let attempt = 1;; attempt++) {
      try {
        await sql`delete from public.workspaces where id = ${ws}`;
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== "40P01" || attempt === 5) throw e;
      }
    }
  }
  await sql`delete from auth.users where id in (${owner.id}, ${squatter.id})`;
  await sql.end();
});

describe("phone_number_id verification", () => {
  let squatChannel: string;
  let ownerChannel: string;

  it("records Graph's refusal of a squatter's token", async () => {
    squatChannel = await addChannel(squatter, squatWs, `squatter-token-${run}`);
    const r = await until("the squatter's verification", async () => {
      const s = await state(squatChannel);
      return s.error ? s : null;
    });
    expect(r.verified).toBe(false);
    expect(r.error).toMatch(/^Graph answered 401: Invalid OAuth access token/);
  });

  it("lets the real business add the same id and verifies it", async () => {
    ownerChannel = await addChannel(owner, ownerWs, realToken);
    const r = await until("the owner's verification", async () => {
      const s = await state(ownerChannel);
      return s.verified ? s : null;
    });
    expect(r).toEqual({ verified: true, error: null });
    const asked = (await (await fake(`/__fake/requests?path=/${pnid}%3Ffields&last=1`)).json()) as {
      headers: Record<string, string>;
      status: number;
    }[];
    expect(asked[0]?.headers.authorization).toBe(`Bearer ${realToken}`);
    expect(asked[0]?.status).toBe(200);
  });

  it("keeps the held id from a squatter who obtains a working token later", async () => {
    await fake("/__fake/phone_numbers", {
      method: "POST",
      body: JSON.stringify({ phone_number_id: pnid, access_token: realToken }),
    });
    await asUser(
      sql,
      squatter,
      (tx) =>
        tx`select public.set_channel_credentials(${squatChannel}, ${
          sql.json({ access_token: realToken })
        })`,
    );
    const r = await until("the squatter's second verification", async () => {
      const s = await state(squatChannel);
      return s.error?.includes("another channel") ? s : null;
    });
    expect(r.verified).toBe(false);
    expect((await state(ownerChannel)).verified).toBe(true);
  });

  it("lets admins ask again, and no one else", async () => {
    await expect(
      asUser(sql, squatter, (tx) => tx`select public.verify_phone_number(${ownerChannel})`),
    ).rejects.toThrow(/channel not found/);
    const [r] = await asUser(
      sql,
      owner,
      (tx) => tx<{ ok: boolean }[]>`select public.verify_phone_number(${ownerChannel}) as ok`,
    );
    expect(r.ok).toBe(true);
  });
});
