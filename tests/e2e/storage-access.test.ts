import { createClient } from "@supabase/supabase-js";
import ws from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { anonClient, type Person, signUp } from "../helpers/client.ts";
import { stack } from "../helpers/stack.ts";
import { signJwt } from "../../shared/jwt.ts";

// Supabase Storage through the gateway with supabase-js, as product code
// uses it. The bucket and its policies are this test's own, made the way a
// migration would (as postgres): members of a folder named after their
// user id read and write in it, and nobody else.
const s = stack();
const tag = crypto.randomUUID().slice(0, 8);
const bucket = `test-private-${tag}`;
const pub = `test-public-${tag}`;
let sql: Sql;
let alice: Person;
let bob: Person;
const service = createClient(s.apiUrl, s.serviceRoleKey, {
  auth: { persistSession: false, autoRefreshToken: false },
  realtime: { transport: ws as never },
});
const anon = anonClient();

const policies = ["select", "insert", "update", "delete"].map((op) => `test ${tag} ${op}`);

beforeAll(async () => {
  sql = adminSql();
  alice = await signUp("storage-alice");
  bob = await signUp("storage-bob");
  await sql`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
            values (${bucket}, ${bucket}, false, 1024, ${["text/plain", "image/*"]}),
                   (${pub}, ${pub}, true, null, null)`;
  const own =
    `bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text`;
  for (const [i, op] of ["select", "insert", "update", "delete"].entries()) {
    const rule = op === "insert"
      ? `with check (${own})`
      : op === "update"
      ? `using (${own}) with check (${own})`
      : `using (${own})`;
    await sql.unsafe(
      `create policy "${policies[i]}" on storage.objects for ${op} to authenticated ${rule}`,
    );
  }
});

afterAll(async () => {
  if (!sql) return;
  for (const b of [bucket, pub]) {
    await service.storage.emptyBucket(b);
    await service.storage.deleteBucket(b);
  }
  for (const p of policies) await sql.unsafe(`drop policy if exists "${p}" on storage.objects`);
  for (const p of [alice, bob]) if (p) await sql`delete from auth.users where id = ${p.id}`;
  await sql.end();
});

const text = (s: string) => new Blob([s], { type: "text/plain" });
const path = (p: Person, name: string) => `${p.id}/${name}`;

describe("a member's own folder", () => {
  it("uploads, downloads, lists and removes", async () => {
    const files = alice.client.storage.from(bucket);
    const up = await files.upload(path(alice, "notes/hello.txt"), text("hello"));
    expect(up.error).toBeNull();
    expect(up.data?.fullPath).toBe(`${bucket}/${alice.id}/notes/hello.txt`);
    const [row] = await sql`select owner::text, owner_id, metadata, path_tokens
      from storage.objects where bucket_id = ${bucket} and name = ${
      path(alice, "notes/hello.txt")
    }`;
    expect(row.owner).toBe(alice.id);
    expect(row.owner_id).toBe(alice.id);
    expect(row.metadata).toMatchObject({
      size: 5,
      mimetype: "text/plain",
      cacheControl: "max-age=3600",
      contentLength: 5,
      httpStatusCode: 200,
    });
    expect(row.metadata.eTag).toMatch(/^"[0-9a-f]{32}"$/);

    const down = await files.download(path(alice, "notes/hello.txt"));
    expect(await down.data?.text()).toBe("hello");

    const raw = await files.upload(path(alice, "raw.txt"), "raw body", {
      contentType: "text/plain",
    });
    expect(raw.error).toBeNull();
    const list = await files.list(alice.id);
    expect(list.error).toBeNull();
    expect(list.data?.map((f) => [f.name, f.id === null])).toEqual([["notes", true], [
      "raw.txt",
      false,
    ]]);
    const info = await files.info(path(alice, "raw.txt"));
    expect(info.data).toMatchObject({ size: 8, contentType: "text/plain", bucketId: bucket });
    expect((await files.exists(path(alice, "raw.txt"))).data).toBe(true);

    const removed = await files.remove([path(alice, "raw.txt")]);
    expect(removed.data?.map((o) => o.name)).toEqual([path(alice, "raw.txt")]);
    expect((await files.exists(path(alice, "raw.txt"))).data).toBe(false);
  });

  it("refuses another user and anon, for every operation", async () => {
    const name = path(alice, "private.txt");
    expect((await alice.client.storage.from(bucket).upload(name, text("secret"))).error).toBeNull();
    for (const client of [bob.client, anon]) {
      const files = client.storage.from(bucket);
      const up = await files.upload(path(alice, "intruder.txt"), text("x"));
      expect(up.error).toMatchObject({
        statusCode: "403",
        message: "new row violates row-level security policy",
      });
      const down = await files.download(name);
      expect(down.error).toMatchObject({ statusCode: "404" });
      expect((await files.list(alice.id)).data).toEqual([]);
      const signed = await files.createSignedUrl(name, 60);
      expect(signed.error).toMatchObject({ statusCode: "404", message: "Object not found" });
      expect((await files.remove([name])).data).toEqual([]);
      expect((await files.update(name, text("overwritten"))).error).not.toBeNull();
    }
    const still = await alice.client.storage.from(bucket).download(name);
    expect(await still.data?.text()).toBe("secret");
  });

  it("refuses a duplicate without upsert (409), and upsert needs update permission", async () => {
    const files = alice.client.storage.from(bucket);
    const name = path(alice, "dup.txt");
    expect((await files.upload(name, text("one"))).error).toBeNull();
    const again = await files.upload(name, text("two"));
    expect(again.error).toMatchObject({
      statusCode: "409",
      message: "The resource already exists",
    });
    expect((await files.upload(name, text("three"), { upsert: true })).error).toBeNull();
    expect(await (await files.download(name)).data?.text()).toBe("three");

    await sql.unsafe(`alter policy "${policies[2]}" on storage.objects using (false)`);
    try {
      const denied = await files.upload(name, text("four"), { upsert: true });
      expect(denied.error).toMatchObject({ statusCode: "403" });
      expect(await (await files.download(name)).data?.text()).toBe("three");
    } finally {
      await sql.unsafe(
        `alter policy "${policies[2]}" on storage.objects
           using (bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text)`,
      );
    }
  });

  it("enforces the bucket's size limit and mime types", async () => {
    const files = alice.client.storage.from(bucket);
    const big = await files.upload(path(alice, "big.txt"), text("x".repeat(1025)));
    expect(big.error).toMatchObject({ statusCode: "413", status: 400 });
    const rawBig = await files.upload(path(alice, "big-raw.txt"), "y".repeat(2000), {
      contentType: "text/plain",
    });
    expect(rawBig.error).toMatchObject({ statusCode: "413" });
    const pdf = await files.upload(
      path(alice, "a.pdf"),
      new Blob(["%PDF"], { type: "application/pdf" }),
    );
    expect(pdf.error).toMatchObject({
      statusCode: "415",
      message: "mime type application/pdf is not supported",
    });
    const png = await files.upload(path(alice, "a.png"), new Blob(["png"], { type: "image/png" }));
    expect(png.error).toBeNull();
    const [n] = await sql`select count(*)::int from storage.objects
      where bucket_id = ${bucket} and name in (${path(alice, "big.txt")}, ${
      path(alice, "big-raw.txt")
    }, ${path(alice, "a.pdf")})`;
    expect(n.count).toBe(0);
  });

  it("lets the service role past RLS", async () => {
    const files = service.storage.from(bucket);
    expect((await files.upload(path(bob, "by-service.txt"), text("svc"))).error).toBeNull();
    expect(await (await files.download(path(alice, "private.txt"))).data?.text()).toBe("secret");
    expect((await files.list(alice.id)).data?.length).toBeGreaterThan(0);
  });

  it("reports a bucket that does not exist", async () => {
    const r = await alice.client.storage.from(`nope-${tag}`).upload(
      path(alice, "x.txt"),
      text("x"),
    );
    expect(r.error).toMatchObject({ statusCode: "404", message: "Bucket not found" });
  });
});

describe("signed URLs", () => {
  const name = () => path(alice, "signed.txt");
  beforeAll(async () => {
    await alice.client.storage.from(bucket).upload(name(), text("signed body"), { upsert: true });
  });

  it("work without any auth header", async () => {
    const { data, error } = await alice.client.storage.from(bucket).createSignedUrl(name(), 60);
    expect(error).toBeNull();
    const res = await fetch(data!.signedUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("signed body");
    const many = await alice.client.storage.from(bucket).createSignedUrls([
      name(),
      path(alice, "none"),
    ], 60);
    expect(many.data?.[1]).toMatchObject({ signedUrl: null, error: expect.any(String) });
    expect(await (await fetch(many.data![0].signedUrl!)).text()).toBe("signed body");
  });

  it("refuse an expired token, another path's token and a tampered one", async () => {
    const url = `${bucket}/${name()}`;
    const past = Math.floor(Date.now() / 1000) - 120;
    const expired = await signJwt(
      { url, scope: "download", iat: past, exp: past + 60 },
      s.jwtSecret,
    );
    const get = (token: string) =>
      fetch(`${s.apiUrl}/storage/v1/object/sign/${url}?token=${token}`);
    const e = await get(expired);
    expect(e.status).toBe(400);
    expect(await e.json()).toMatchObject({ statusCode: "400", error: "InvalidJWT" });

    const { data } = await alice.client.storage.from(bucket).createSignedUrl(
      path(alice, "notes/hello.txt"),
      60,
    );
    const other = new URL(data!.signedUrl).searchParams.get("token")!;
    const o = await get(other);
    expect(await o.json()).toMatchObject({ statusCode: "400", message: "Invalid signature" });

    const [h, p, sig] = other.split(".");
    const forged = JSON.parse(Buffer.from(p, "base64url").toString());
    const tampered = [h, Buffer.from(JSON.stringify({ ...forged, url })).toString("base64url"), sig]
      .join(".");
    const t = await get(tampered);
    expect(await t.json()).toMatchObject({ statusCode: "400", error: "InvalidJWT" });
  });

  it("signed upload URLs take the bytes without auth", async () => {
    const files = alice.client.storage.from(bucket);
    const { data, error } = await files.createSignedUploadUrl(path(alice, "via-token.txt"));
    expect(error).toBeNull();
    const up = await anon.storage.from(bucket).uploadToSignedUrl(
      path(alice, "via-token.txt"),
      data!.token,
      text("tok"),
    );
    expect(up.error).toBeNull();
    expect(await (await files.download(path(alice, "via-token.txt"))).data?.text()).toBe("tok");
    const refused = await bob.client.storage.from(bucket).createSignedUploadUrl(
      path(alice, "x.txt"),
    );
    expect(refused.error).toMatchObject({ statusCode: "403" });
  });
});

describe("public buckets, move and copy", () => {
  it("are readable by anyone with no key", async () => {
    expect((await service.storage.from(pub).upload("hello.txt", text("public"))).error).toBeNull();
    const { data } = anon.storage.from(pub).getPublicUrl("hello.txt");
    const res = await fetch(data.publicUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("public");
    const priv = await fetch(
      `${s.apiUrl}/storage/v1/object/public/${bucket}/${path(alice, "private.txt")}`,
    );
    expect(await priv.json()).toMatchObject({ statusCode: "404", message: "Bucket not found" });
  });

  it("move and copy within the member's folder", async () => {
    const files = alice.client.storage.from(bucket);
    await files.upload(path(alice, "m.txt"), text("move me"));
    expect((await files.move(path(alice, "m.txt"), path(alice, "moved.txt"))).error).toBeNull();
    expect(await (await files.download(path(alice, "moved.txt"))).data?.text()).toBe("move me");
    expect((await files.copy(path(alice, "moved.txt"), path(alice, "copied.txt"))).error)
      .toBeNull();
    expect(await (await files.download(path(alice, "copied.txt"))).data?.text()).toBe("move me");
    const stolen = await bob.client.storage.from(bucket).move(
      path(alice, "moved.txt"),
      path(bob, "m.txt"),
    );
    expect(stolen.error).not.toBeNull();
  });
});
