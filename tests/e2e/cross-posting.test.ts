import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, ok, type Person, signUp } from "../helpers/client.ts";
import { adminSql, type Sql } from "../helpers/db.ts";
import { fake, until } from "../helpers/e2e.ts";
import { stack } from "../helpers/stack.ts";

// Cross-posting through PostgREST (cross_post), the tick's poke and the
// social function, to the fake provider's Instagram and TikTok, which fetch
// the signed Storage URLs, check tokens and answer in the platforms' formats.
const s = stack();
const run = Date.now().toString().slice(-6);
let sql: Sql;
let owner: Person;
let admin: Client;
let ws: string;

async function upload(name: string, type: string): Promise<string> {
  const path = `${ws}/uploads/${name}`;
  const { error } = await admin.storage.from("media").upload(
    path,
    new Blob([`bytes of ${name}`], { type }),
    {
      contentType: type,
    },
  );
  if (error) throw error;
  return path;
}

async function post(feed_type: "image" | "video" | "carousel", paths: string[]): Promise<string> {
  return ok(
    await admin.from("feeds").insert({
      workspace_id: ws,
      feed_type,
      caption: `A ${feed_type} ${run}`,
      media_paths: paths,
      tags: ["bespoke"],
      visibility: "public",
      status: "published",
    }).select("id").single(),
  ).id;
}

let accounts = 0;
// An account on the fake platform, connected for the workspace.
async function account(platform: "instagram" | "tiktok", extra: Record<string, unknown> = {}) {
  const n = ++accounts;
  const user_id = platform === "instagram"
    ? `1784${run}${String(n).padStart(5, "0")}`
    : `open-${run}-${n}`;
  const access_token = `${platform}-token-${run}-${n}`;
  const refresh_token = platform === "tiktok" ? `rft-${run}-${n}-initial` : undefined;
  const username = `acct${run}${n}`;
  const res = await fake("/__fake/social/accounts", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ platform, user_id, username, access_token, refresh_token, ...extra }),
  });
  expect(res.status).toBe(201);
  const id = ok(
    await admin.rpc("connect_social_account", {
      platform,
      platform_user_id: user_id,
      access_token,
      refresh_token,
      workspace_id: ws,
      username,
      account_type: "business",
      expires_in: (extra.connect_expires_in as number | undefined) ?? undefined,
    }),
  ) as string;
  return { id, user_id, access_token, refresh_token, username };
}

async function fault(spec: Record<string, unknown>) {
  const res = await fake("/__fake/social/faults", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(spec),
  });
  expect(res.status).toBe(201);
}

const drain = async () => {
  const res = await fetch(`${s.apiUrl}/functions/v1/social`, {
    method: "POST",
    headers: { authorization: `Bearer ${s.serviceRoleKey}`, "content-type": "application/json" },
    body: JSON.stringify({ wait: true }),
  });
  expect(res.status).toBe(200);
  return await res.json();
};

type Row = {
  status: string;
  platform_post_id: string | null;
  platform_url: string | null;
  error_message: string | null;
  attempts: number;
  platform_metrics: Record<string, number>;
};

// Drains until the cross-post settles (posted or failed).
async function settled(id: string): Promise<Row> {
  return await until(`cross-post ${id} settled`, async () => {
    await drain();
    const r = ok(
      await admin.from("feed_cross_posts").select("*").eq("id", id).single(),
    ) as unknown as Row;
    return r.status === "posted" || r.status === "failed" ? r : null;
  }, 20_000);
}

const stored = async (connection: string) =>
  (await sql<{ access_token: string; refresh_token: string | null }[]>`
    select * from private.social_tokens(${connection})`)[0];

const fakeAccount = async (platform: string, user_id: string) =>
  ((await (await fake("/__fake/social/accounts")).json()) as Record<string, string>[])
    .find((a) => a.platform === platform && a.user_id === user_id)!;

beforeAll(async () => {
  sql = adminSql();
  owner = await signUp("xpost-owner");
  admin = owner.client;
  ws = ok(await admin.rpc("create_workspace", { name: `Cross Co ${run}` })).id;
  // retries at once, so a drain takes them in the same call
  await sql`update private.cross_post_settings set retry_base_seconds = 0, max_attempts = 3, processing_poll_seconds = 0`;
});

afterAll(async () => {
  if (!sql) return;
  await sql`update private.cross_post_settings set retry_base_seconds = 30, max_attempts = 5, processing_poll_seconds = 20`;
  if (ws) await sql`delete from public.workspaces where id = ${ws}`;
  if (owner) await sql`delete from auth.users where id = ${owner.id}`;
  await sql.end();
});

describe("cross-posting", () => {
  it("an image reaches Instagram: container, publish, permalink, then metrics", async () => {
    const ig = await account("instagram");
    const feed = await post("image", [await upload("suit.jpg", "image/jpeg")]);
    const id = ok(await admin.rpc("cross_post", { feed_id: feed, connection_id: ig.id })) as string;
    const row = await settled(id);
    expect(row).toMatchObject({ status: "posted", error_message: null, attempts: 0 });
    expect(row.platform_post_id).toMatch(/^\d+$/);
    expect(row.platform_url).toMatch(/^https:\/\/www\.instagram\.com\/p\//);
    const posts = await (await fake("/__fake/social/posts")).json();
    expect(posts.instagram.map((p: { id: string }) => p.id)).toContain(row.platform_post_id);
    const synced = await until("metrics", async () => {
      await drain();
      const r = ok(
        await admin.from("feed_cross_posts").select("platform_metrics, last_synced_at").eq("id", id)
          .single(),
      );
      return r.last_synced_at ? r : null;
    });
    expect(Object.keys(synced.platform_metrics as object)).toEqual(
      expect.arrayContaining(["likes", "comments", "views"]),
    );
  });

  it("a carousel goes as item containers and a CAROUSEL container", async () => {
    const ig = await account("instagram");
    const feed = await post("carousel", [
      await upload("front.jpg", "image/jpeg"),
      await upload("back.jpg", "image/jpeg"),
    ]);
    const id = ok(await admin.rpc("cross_post", { feed_id: feed, connection_id: ig.id })) as string;
    expect(await settled(id)).toMatchObject({ status: "posted" });
    const log = await (await fake(`/__fake/requests?path=/instagram/v21.0/${ig.user_id}/media`))
      .json() as {
        path: string;
        body: Record<string, string>;
      }[];
    const creates = log.filter((r) => r.path.endsWith("/media"));
    expect(creates.map((r) => r.body.is_carousel_item ?? r.body.media_type)).toEqual([
      "true",
      "true",
      "CAROUSEL",
    ]);
    expect(creates[2].body.children.split(",")).toHaveLength(2);
    expect(creates[0].body.image_url).toContain("/storage/v1/object/sign/media/");
  });

  it("a video reaches TikTok by PULL_FROM_URL and status/fetch", async () => {
    const tt = await account("tiktok", { processing_polls: 2 });
    const feed = await post("video", [await upload("fitting.mp4", "video/mp4")]);
    const id = ok(await admin.rpc("cross_post", { feed_id: feed, connection_id: tt.id })) as string;
    const row = await settled(id);
    expect(row.status).toBe("posted");
    expect(row.platform_url).toBe(
      `https://www.tiktok.com/@${tt.username}/video/${row.platform_post_id}`,
    );
    const init = await (await fake("/__fake/requests?path=/tiktok/v2/post/publish/video/init/"))
      .json() as {
        body: { source_info: { source: string }; post_info: { privacy_level: string } };
      }[];
    expect(init.at(-1)!.body.source_info.source).toBe("PULL_FROM_URL");
    expect(init.at(-1)!.body.post_info.privacy_level).toBe("PUBLIC_TO_EVERYONE");
  });

  it("a transient error (5xx) is retried and the post goes out once", async () => {
    const ig = await account("instagram");
    await fault({
      platform: "instagram",
      kind: "server_error",
      match: `/${ig.user_id}/media_publish`,
      times: 1,
    });
    const feed = await post("image", [await upload("retry.jpg", "image/jpeg")]);
    const id = ok(await admin.rpc("cross_post", { feed_id: feed, connection_id: ig.id })) as string;
    const row = await settled(id);
    expect(row).toMatchObject({ status: "posted", attempts: 1 });
    // the container made before the failure was published, not a second one made
    const creates = await (await fake(`/__fake/requests?path=/instagram/v21.0/${ig.user_id}/media`))
      .json() as {
        path: string;
      }[];
    expect(creates.filter((r) => r.path.endsWith("/media"))).toHaveLength(1);
  });

  it("a rate limit that persists fails the post with Instagram's error after the attempts", async () => {
    const ig = await account("instagram");
    await fault({ platform: "instagram", kind: "rate_limit", match: `/${ig.user_id}/` });
    try {
      const feed = await post("image", [await upload("limited.jpg", "image/jpeg")]);
      const id = ok(
        await admin.rpc("cross_post", { feed_id: feed, connection_id: ig.id }),
      ) as string;
      const row = await settled(id);
      expect(row).toMatchObject({ status: "failed", attempts: 3 });
      expect(row.error_message).toBe("Application request limit reached (code 4)");
    } finally {
      await fake("/__fake/social/faults", { method: "DELETE" });
    }
  });

  it("an invalid token fails at once and disconnects the account, its owner told once", async () => {
    const ig = await account("instagram");
    await fault({
      platform: "instagram",
      kind: "invalid_token",
      match: `/${ig.user_id}/`,
      times: 1,
    });
    const feed = await post("image", [await upload("revoked.jpg", "image/jpeg")]);
    const id = ok(await admin.rpc("cross_post", { feed_id: feed, connection_id: ig.id })) as string;
    const row = await settled(id);
    expect(row.status).toBe("failed");
    expect(row.attempts).toBe(0);
    expect(row.error_message).toMatch(/^Error validating access token: .* \(code 190\/460\)$/);
    expect(row.error_message).not.toContain(ig.access_token);
    const conn = ok(
      await admin.from("social_media_connections").select("*").eq("id", ig.id).single(),
    );
    expect(conn.is_active).toBe(false);
    expect(JSON.stringify(conn)).not.toContain(ig.access_token);
    const again = await admin.rpc("cross_post", { feed_id: feed, connection_id: ig.id });
    expect(again.error?.code).toBe("55000");
    const notes = ok(
      await admin.from("notifications").select("type, title").eq("reference_id", ig.id),
    );
    expect(notes).toEqual([{
      type: "social_connection_inactive",
      title: `Reconnect Instagram @${ig.username}`,
    }]);
  });

  it("a TikTok token near expiry is refreshed: new access and refresh tokens in Vault", async () => {
    const tt = await account("tiktok", { connect_expires_in: 3600 });
    await drain();
    const now = await fakeAccount("tiktok", tt.user_id);
    expect(now.access_token).not.toBe(tt.access_token);
    expect(await stored(tt.id)).toEqual({
      access_token: now.access_token,
      refresh_token: now.refresh_token,
    });
    const [c] = await sql<{ hours: number }[]>`
      select round(extract(epoch from token_expires_at - now()) / 3600)::int as hours
        from public.social_media_connections where id = ${tt.id}`;
    expect(c.hours).toBe(24);
  });

  it("an Instagram long-lived token a day old and near expiry is refreshed", async () => {
    const ig = await account("instagram");
    await sql`update public.social_media_connections
                 set token_refreshed_at = now() - interval '50 days', token_expires_at = now() + interval '3 days'
               where id = ${ig.id}`;
    await drain();
    const now = await fakeAccount("instagram", ig.user_id);
    expect(now.access_token).not.toBe(ig.access_token);
    expect((await stored(ig.id)).access_token).toBe(now.access_token);
  });

  it("a refused refresh marks the connection inactive and tells its owner once", async () => {
    const tt = await account("tiktok", { connect_expires_in: 3600 });
    await fault({
      platform: "tiktok",
      kind: "refresh_denied",
      match: "/v2/oauth/token/",
      times: 1,
    });
    await drain();
    await drain();
    const conn = ok(
      await admin.from("social_media_connections").select("*").eq("id", tt.id).single(),
    );
    expect(conn).toMatchObject({
      is_active: false,
      inactive_reason: "token refresh failed: Refresh token is invalid or expired. (invalid_grant)",
    });
    const notes = ok(await admin.from("notifications").select("type").eq("reference_id", tt.id));
    expect(notes).toHaveLength(1);
  });

  it("connecting with an OAuth code: exchanged by the function, tokens to Vault, none in the answer", async () => {
    for (const platform of ["instagram", "tiktok"] as const) {
      const n = ++accounts;
      const user_id = `oauth-${platform}-${run}-${n}`;
      const access_token = `${platform}-pre-${run}-${n}`;
      await fake("/__fake/social/accounts", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          platform,
          user_id,
          username: `oauth${n}`,
          access_token,
          refresh_token: `rft-oauth-${run}-${n}`,
        }),
      });
      const redirect_uri = "https://app.example.com/oauth/callback";
      const code = `code-${platform}-${run}`;
      await fake("/__fake/social/codes", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ platform, code, user_id, redirect_uri }),
      });
      const { data: session } = await admin.auth.getSession();
      const call = (body: unknown) =>
        fetch(`${s.apiUrl}/functions/v1/social/connect`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${session.session!.access_token}`,
            apikey: s.anonKey,
            "content-type": "application/json",
          },
          body: JSON.stringify(body),
        });
      const res = await call({ platform, code, redirect_uri, workspace_id: ws });
      const text = await res.text();
      expect(res.status, text).toBe(201);
      const now = await fakeAccount(platform, user_id);
      expect(text).not.toContain(now.access_token);
      const body = JSON.parse(text);
      expect(body).toMatchObject({ platform, platform_user_id: user_id, username: `oauth${n}` });
      expect((await stored(body.connection_id)).access_token).toBe(now.access_token);
      // a code is good once
      const again = await call({ platform, code, redirect_uri, workspace_id: ws });
      expect(again.status).toBe(502);
      expect(await again.text()).not.toContain(code);
    }
  });
});
