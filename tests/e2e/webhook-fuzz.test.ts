import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createHash } from "node:crypto";
import { hubSignature } from "../../shared/signature.ts";
import { adminSql, asUser, createUser, type Sql, type TestUser } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";
import { cloudText } from "../fixtures/payloads.ts";

// Signed bodies of every kind a fuzzer finds, through the gateway and the
// real function and database. Whatever the bytes, a signed request gets a
// verdict the provider can act on (200 processed, 400 stored for replay,
// 413 too large), never a 500, and each 200/400 leaves exactly one copy of
// its bytes for replay.
const s = stack();
let sql: Sql;
let owner: TestUser;
let channel = "";
const SECRET = "fuzz-app-secret";
const pnid = `PN-FUZZ-${Date.now()}`;
const enc = new TextEncoder();
let n = 0;

const valid = (body: string) =>
  JSON.stringify(cloudText(pnid, { from: "5511987000001", id: `wamid.FZ-${++n}`, body }));

// Each class builds the bytes of one request.
const classes: Record<string, fc.Arbitrary<Uint8Array>> = {
  valid: fc.string({ maxLength: 200 }).map((t) => enc.encode(valid(t))),
  truncated: fc.tuple(fc.string({ maxLength: 50 }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([t, f]) => {
      const text = valid(t);
      return enc.encode(text.slice(0, Math.floor(text.length * f)));
    }),
  nul_byte: fc.tuple(fc.string({ maxLength: 50 }), fc.nat()).map(([t, i]) => {
    const b = enc.encode(valid(t));
    const at = i % b.length;
    return new Uint8Array([...b.subarray(0, at), 0, ...b.subarray(at)]);
  }),
  binary: fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) =>
    new Uint8Array([...enc.encode(`FZ-${++n}:`), ...b])
  ),
  invalid_utf8: fc.tuple(
    fc.string({ maxLength: 50 }),
    fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf0, 0x28, 0x8c], [0x80]),
  ).map(([t, bad]) => {
    const text = valid(t);
    const at = text.indexOf('"body"') + 8;
    return new Uint8Array([
      ...enc.encode(text.slice(0, at)),
      ...bad,
      ...enc.encode(text.slice(at)),
    ]);
  }),
  // JSON, but not the Cloud API's schema, with any code units (NUL, lone
  // surrogates: JSON jsonb cannot hold).
  schema_violation: fc.string({ unit: "binary", maxLength: 40 }).map((t) =>
    enc.encode(JSON.stringify({ object: "whatsapp_business_account", entry: [], n: ++n, x: t }))
  ),
  nul_escape: fc.string({ maxLength: 30 }).map((t) =>
    enc.encode(valid(t).replace('"body":"', '"body":"\\u0000'))
  ),
  lone_surrogate: fc.constantFrom("\\ud800", "\\udfff", "\\ud83d x").map((esc) =>
    enc.encode(valid("s").replace('"body":"', `"body":"${esc}`))
  ),
  huge_number: fc.constantFrom("1e400", "-1e400", "123456789012345678901234567890", "0.1e-400")
    .map((num) =>
      enc.encode(
        valid("n").replace('"messaging_product"', `"fuzz_number":${num},"messaging_product"`),
      )
    ),
  long_string: fc.integer({ min: 10_000, max: 300_000 }).map((len) =>
    enc.encode(valid("x".repeat(len)))
  ),
  deep_nesting: fc.integer({ min: 100, max: 3000 }).map((depth) =>
    enc.encode(
      valid("d").replace(
        '"messaging_product"',
        `"deep":${"[".repeat(depth)}${"]".repeat(depth)},"messaging_product"`,
      ),
    )
  ),
};

async function send(body: Uint8Array): Promise<number> {
  const res = await fetch(`${s.apiUrl}/functions/v1/whatsapp-webhook/${channel}`, {
    method: "POST",
    headers: { "x-hub-signature-256": await hubSignature(SECRET, body) },
    body: body as BodyInit,
  });
  await res.body?.cancel();
  return res.status;
}

async function copies(body: Uint8Array): Promise<number> {
  const digest = createHash("sha256").update(body).digest();
  const [{ count }] = await sql`select count(*)::int from private.webhook_bodies b
    join public.webhook_events w on w.id = b.event_id
   where w.channel_id = ${channel} and sha256(b.body) = ${digest}`;
  return count;
}

beforeAll(async () => {
  sql = adminSql();
  owner = await createUser(`fuzz-${crypto.randomUUID()}@example.com`);
  const [{ id: ws }] = await asUser(
    sql,
    owner,
    (tx) => tx`select id from public.create_workspace('Fuzz Co')`,
  );
  await asUser(sql, owner, async (tx) => {
    [{ id: channel }] =
      await tx`insert into public.channels (workspace_id, provider, name, phone_number_id)
      values (${ws}, 'cloud_api', 'Fuzz', ${pnid}) returning id`;
    await tx`select public.set_channel_credentials(${channel}, ${tx.json({ app_secret: SECRET })})`;
  });
});
afterAll(async () => {
  await sql`delete from auth.users where id = ${owner.id}`;
  await sql.end();
});

describe("webhook fuzz", () => {
  it("answers every signed body 200, 400 or 413, keeping one copy of each 200/400", async () => {
    const seen: Record<string, Record<number, number>> = {};
    const arb = fc.oneof(
      ...Object.entries(classes).map(([name, a]) =>
        a.map((bytes) => ({
          name,
          bytes,
          // A counterexample reads as its class and size, not megabytes of digits.
          [fc.toStringMethod]: () => `${name} (${bytes.length} bytes)`,
        }))
      ),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ name, bytes }) => {
        const status = await send(bytes);
        (seen[name] ??= {})[status] = (seen[name][status] ?? 0) + 1;
        expect([200, 400, 413], `${name}: ${status}`).toContain(status);
        if (status !== 413) expect(await copies(bytes), name).toBe(1);
      }),
      { numRuns: 300, interruptAfterTimeLimit: 25_000 },
    );
    // Over the size cap: refused before it is read, nothing stored.
    const big = enc.encode(valid("o".repeat(21 * 1024 * 1024)));
    const status = await send(big);
    seen.oversized = { [status]: 1 };
    expect(status).toBe(413);
    expect(await copies(big)).toBe(0);
    console.log(`[fuzz] status codes by class: ${JSON.stringify(seen)}`);
  }, 60_000);
});
