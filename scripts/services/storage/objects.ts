// The object routes storage-js calls, each deciding access as storage-api
// does: the caller's role and policies for authenticated routes, the
// token for signed ones, the bucket's public flag for public ones.
import { asCaller, type Caller, SUPERUSER } from "./auth.ts";
import { invalidRequest, noSuchBucket, noSuchKey } from "./errors.ts";
import { OBJECT_COLUMNS, type ObjectRow, renderAsset, renderInfo } from "./render.ts";
import { signToken, verifyToken } from "./signed.ts";
import { type Ctx, mustBeValidKey, upload, writeRow } from "./upload.ts";
import { json } from "../../../shared/http.ts";

export type Route = { bucket: string; name: string };

const scopeOf = (req: Request, operation: string) => ({
  method: req.method,
  path: new URL(req.url).pathname,
  operation,
  headers: req.headers,
});

async function findObject(ctx: Ctx, who: Caller, req: Request, r: Route, op: string) {
  const rows = await asCaller(
    ctx.sql,
    who,
    scopeOf(req, op),
    (tx) =>
      tx<ObjectRow[]>`select ${tx(OBJECT_COLUMNS)} from storage.objects
      where bucket_id = ${r.bucket} and name = ${r.name}`,
  );
  if (!rows[0]) throw noSuchKey();
  return rows[0];
}

const upsertHeader = (req: Request) => req.headers.get("x-upsert") === "true";

export function uploadObject(ctx: Ctx, req: Request, who: Caller, r: Route) {
  // PUT replaces the object (storage-api's update is an upsert).
  const upsert = req.method === "PUT" || upsertHeader(req);
  return upload(
    ctx,
    req,
    who,
    { bucketId: r.bucket, name: r.name, upsert, owner: who.sub },
    req.method === "PUT" ? "storage.object.update" : "storage.object.upload",
  )
    .then((res) => json(res));
}

export async function getObject(ctx: Ctx, req: Request, who: Caller, r: Route) {
  return renderAsset(
    ctx.files,
    await findObject(ctx, who, req, r, "storage.object.get_authenticated"),
    req,
  );
}

export async function getInfo(ctx: Ctx, req: Request, who: Caller, r: Route) {
  return renderInfo(await findObject(ctx, who, req, r, "storage.object.info"));
}

export async function getPublic(ctx: Ctx, req: Request, r: Route) {
  const [bucket] = await ctx.sql`select public from storage.buckets where id = ${r.bucket}`;
  if (!bucket?.public) throw noSuchBucket();
  return renderAsset(
    ctx.files,
    await findObject(ctx, SUPERUSER, req, r, "storage.object.get_public"),
    req,
  );
}

export async function removeObjects(ctx: Ctx, req: Request, who: Caller, bucket: string) {
  const body = await req.json().catch(() => null);
  const prefixes = body?.prefixes;
  if (!Array.isArray(prefixes) || prefixes.length < 1 || prefixes.length > 1000) {
    throw invalidRequest("body/prefixes must NOT have fewer than 1 items");
  }
  const deleted = await asCaller(
    ctx.sql,
    who,
    scopeOf(req, "storage.object.delete_many"),
    (tx) =>
      tx`delete from storage.objects where bucket_id = ${bucket} and name = any(${
        prefixes.map(String)
      })
       returning *`,
  );
  for (const row of deleted) await ctx.files.remove(row.id);
  return json(deleted);
}

export async function removeObject(ctx: Ctx, req: Request, who: Caller, r: Route) {
  const deleted = await asCaller(
    ctx.sql,
    who,
    scopeOf(req, "storage.object.delete"),
    (tx) =>
      tx`delete from storage.objects where bucket_id = ${r.bucket} and name = ${r.name} returning id`,
  );
  if (!deleted[0]) throw noSuchKey();
  await ctx.files.remove(deleted[0].id);
  return json({ message: "Successfully deleted" });
}

export async function listObjects(ctx: Ctx, req: Request, who: Caller, bucket: string) {
  const body = await req.json().catch(() => ({})) ?? {};
  let prefix = typeof body.prefix === "string" ? body.prefix : "";
  if (prefix.length > 0 && !prefix.endsWith("/")) prefix += "/";
  const search = typeof body.search === "string" ? body.search : "";
  const limit = Number.isInteger(body.limit) ? body.limit : 100;
  const offset = Number.isInteger(body.offset) ? body.offset : 0;
  const column = body.sortBy?.column ?? "name";
  const order = body.sortBy?.order ?? "asc";
  const rows = await asCaller(
    ctx.sql,
    who,
    scopeOf(req, "storage.object.list"),
    (tx) =>
      tx`select * from storage.search(${prefix}, ${bucket}, ${limit}, ${
        (prefix + search).split("/").length
      },
                                     ${offset}, ${search}, ${column}, ${order})`,
  );
  return json(rows);
}

function expiresInOf(body: { expiresIn?: unknown } | null): number {
  const e = Number(body?.expiresIn);
  if (!Number.isFinite(e) || e < 1) throw invalidRequest("body/expiresIn must be >= 1");
  return e;
}

export async function signUrl(ctx: Ctx, req: Request, who: Caller, r: Route) {
  const expiresIn = expiresInOf(await req.json().catch(() => null));
  await findObject(ctx, who, req, r, "storage.object.sign");
  const url = `${r.bucket}/${r.name}`;
  const token = await signToken(ctx.secret, { url, scope: "download" }, expiresIn);
  return json({ signedURL: `/object/sign/${url}?token=${token}` });
}

export async function signUrls(ctx: Ctx, req: Request, who: Caller, bucket: string) {
  const body = await req.json().catch(() => null);
  const expiresIn = expiresInOf(body);
  const paths: string[] = Array.isArray(body?.paths) ? body.paths.map(String) : [];
  if (paths.length < 1) throw invalidRequest("body/paths must NOT have fewer than 1 items");
  const found = await asCaller(
    ctx.sql,
    who,
    scopeOf(req, "storage.object.sign_many"),
    (tx) =>
      tx`select name from storage.objects where bucket_id = ${bucket} and name = any(${paths})`,
  );
  const names = new Set(found.map((r) => r.name as string));
  return json(
    await Promise.all(paths.map(async (path) => {
      if (!names.has(path)) {
        return {
          error: "Either the object does not exist or you do not have access to it",
          path,
          signedURL: null,
        };
      }
      const url = `${bucket}/${path}`;
      const token = await signToken(ctx.secret, { url, scope: "download" }, expiresIn);
      return { error: null, path, signedURL: `/object/sign/${url}?token=${token}` };
    })),
  );
}

export async function getSigned(ctx: Ctx, req: Request, r: Route) {
  const token = new URL(req.url).searchParams.get("token");
  if (!token) throw invalidRequest("querystring must have required property 'token'");
  const { exp } = await verifyToken(ctx.secret, token, `${r.bucket}/${r.name}`, "download");
  const row = await findObject(ctx, SUPERUSER, req, r, "storage.object.get_signed");
  return renderAsset(ctx.files, row, req, { expires: new Date(exp * 1000).toUTCString() });
}

// A signed upload URL needs the caller's insert permission now; the upload
// through it later runs as the storage service with the token's owner.
export async function signUpload(ctx: Ctx, req: Request, who: Caller, r: Route) {
  mustBeValidKey(r.name);
  const [bucket] = await ctx.sql`select id from storage.buckets where id = ${r.bucket}`;
  if (!bucket) throw noSuchBucket();
  const upsert = upsertHeader(req);
  await asCaller(ctx.sql, who, scopeOf(req, "storage.object.upload_sign"), async (tx) => {
    await writeRow(tx, {
      bucketId: r.bucket,
      name: r.name,
      upsert,
      owner: who.sub,
      id: crypto.randomUUID(),
      metadata: {},
      userMetadata: null,
      version: crypto.randomUUID(),
    });
    throw new ProbeDone();
  }).catch((e) => {
    if (!(e instanceof ProbeDone)) throw e;
  });
  const url = `${r.bucket}/${r.name}`;
  const claims = { url, scope: "upload" as const, upsert, ...(who.sub ? { owner: who.sub } : {}) };
  const token = await signToken(ctx.secret, claims, 2 * 60 * 60);
  return json({ url: `/object/upload/sign/${url}?token=${token}`, token });
}

class ProbeDone extends Error {}

export async function uploadSigned(ctx: Ctx, req: Request, r: Route) {
  const token = new URL(req.url).searchParams.get("token");
  if (!token) throw invalidRequest("querystring must have required property 'token'");
  const payload = await verifyToken(ctx.secret, token, `${r.bucket}/${r.name}`, "upload");
  const res = await upload(ctx, req, SUPERUSER, {
    bucketId: r.bucket,
    name: r.name,
    upsert: Boolean(payload.upsert),
    owner: payload.owner ?? null,
  }, "storage.object.upload_signed");
  return json({ Key: res.Key, Id: res.Id });
}

type MoveBody = {
  bucketId?: string;
  sourceKey?: string;
  destinationKey?: string;
  destinationBucket?: string;
};

async function moveBody(req: Request) {
  const b = (await req.json().catch(() => null)) as MoveBody | null;
  if (!b?.bucketId || !b.sourceKey || !b.destinationKey) {
    throw invalidRequest("body must have required properties bucketId, sourceKey, destinationKey");
  }
  mustBeValidKey(b.destinationKey);
  return {
    from: b.bucketId,
    source: b.sourceKey,
    to: b.destinationBucket || b.bucketId,
    dest: b.destinationKey,
  };
}

export async function moveObject(ctx: Ctx, req: Request, who: Caller) {
  const m = await moveBody(req);
  const moved = await asCaller(
    ctx.sql,
    who,
    scopeOf(req, "storage.object.move"),
    (tx) =>
      tx`update storage.objects set bucket_id = ${m.to}, name = ${m.dest}
        where bucket_id = ${m.from} and name = ${m.source} returning id`,
  );
  if (!moved[0]) throw noSuchKey();
  return json({ message: "Successfully moved" });
}

export async function copyObject(ctx: Ctx, req: Request, who: Caller) {
  const m = await moveBody(req);
  const id = await asCaller(ctx.sql, who, scopeOf(req, "storage.object.copy"), async (tx) => {
    const [src] = await tx`select id, metadata, user_metadata from storage.objects
      where bucket_id = ${m.from} and name = ${m.source}`;
    if (!src) throw noSuchKey();
    const id = await writeRow(tx, {
      bucketId: m.to,
      name: m.dest,
      upsert: upsertHeader(req),
      owner: who.sub,
      id: crypto.randomUUID(),
      metadata: { ...src.metadata, lastModified: new Date().toISOString() },
      userMetadata: src.user_metadata,
      version: crypto.randomUUID(),
    });
    await ctx.files.copy(src.id, id);
    return id;
  });
  return json({ Id: id, Key: `${m.to}/${m.dest}` });
}
