// The Storage REST API's routes (supabase/storage, src/http/routes/object
// and bucket) that storage-js uses, dispatched by method and path.
import { caller } from "./auth.ts";
import {
  createBucket,
  deleteBucket,
  emptyBucket,
  getBucket,
  listBuckets,
  updateBucket,
} from "./buckets.ts";
import { notFoundRoute, StorageError } from "./errors.ts";
import * as o from "./objects.ts";
import type { Ctx } from "./upload.ts";
import { json } from "../../../shared/http.ts";

// "bucket/some/name" -> { bucket, name }; names are decoded as fastify does.
function split(rest: string): o.Route | null {
  const i = rest.indexOf("/");
  if (i <= 0 || i === rest.length - 1) return null;
  return { bucket: rest.slice(0, i), name: rest.slice(i + 1) };
}

async function route(ctx: Ctx, req: Request): Promise<Response> {
  const url = new URL(req.url);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    path = url.pathname;
  }
  const m = req.method;
  if (path === "/status" || path === "/health") return json({ status: "ok" });
  const who = () => caller(req, ctx.secret);
  const notFound = () => notFoundRoute(m, url.pathname);

  const bucket = path.match(/^\/bucket\/?(.*)$/);
  if (bucket) {
    const [id, action] = bucket[1].split("/");
    if (!id && m === "GET") return listBuckets(ctx, req, await who());
    if (!id && m === "POST") return createBucket(ctx, req, await who());
    if (id && action === "empty" && m === "POST") return emptyBucket(ctx, req, await who(), id);
    if (id && !action && m === "GET") return getBucket(ctx, req, await who(), id);
    if (id && !action && m === "PUT") return updateBucket(ctx, req, await who(), id);
    if (id && !action && m === "DELETE") return deleteBucket(ctx, req, await who(), id);
    throw notFound();
  }

  const obj = path.match(/^\/object\/(.*)$/);
  if (!obj) throw notFound();
  const rest = obj[1];
  const sub = (prefix: string) => rest.startsWith(prefix) ? rest.slice(prefix.length) : null;
  let r: string | null;

  if (m === "POST" && rest === "move") return o.moveObject(ctx, req, await who());
  if (m === "POST" && rest === "copy") return o.copyObject(ctx, req, await who());
  if (m === "POST" && (r = sub("list/")) !== null && r) {
    return o.listObjects(ctx, req, await who(), r);
  }
  if ((r = sub("upload/sign/")) !== null) {
    const target = split(r);
    if (!target) throw notFound();
    if (m === "POST") return o.signUpload(ctx, req, await who(), target);
    if (m === "PUT") return o.uploadSigned(ctx, req, target);
    throw notFound();
  }
  if ((r = sub("sign/")) !== null) {
    const target = split(r);
    if (m === "POST" && !target && r && !r.includes("/")) {
      return o.signUrls(ctx, req, await who(), r);
    }
    if (!target) throw notFound();
    if (m === "POST") return o.signUrl(ctx, req, await who(), target);
    if (m === "GET" || m === "HEAD") return o.getSigned(ctx, req, target);
    throw notFound();
  }
  if ((r = sub("public/")) !== null && (m === "GET" || m === "HEAD")) {
    const target = split(r);
    if (!target) throw notFound();
    return o.getPublic(ctx, req, target);
  }
  if ((r = sub("info/")) !== null && m === "GET") {
    const target = split(r.replace(/^(authenticated|public)\//, ""));
    if (!target) throw notFound();
    return o.getInfo(ctx, req, await who(), target);
  }
  if ((r = sub("authenticated/")) !== null && (m === "GET" || m === "HEAD")) {
    const target = split(r);
    if (!target) throw notFound();
    return o.getObject(ctx, req, await who(), target);
  }
  if (m === "DELETE" && rest && !rest.includes("/")) {
    return o.removeObjects(ctx, req, await who(), rest);
  }
  const target = split(rest);
  if (!target) throw notFound();
  if (m === "GET" || m === "HEAD") return o.getObject(ctx, req, await who(), target);
  if (m === "POST" || m === "PUT") return o.uploadObject(ctx, req, await who(), target);
  if (m === "DELETE") return o.removeObject(ctx, req, await who(), target);
  throw notFound();
}

export function createStorageApp(ctx: Ctx): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      return await route(ctx, req);
    } catch (e) {
      if (e instanceof StorageError) return e.toResponse();
      console.error("[storage]", e);
      return new StorageError(500, "InternalError", "Internal", "Internal Server Error")
        .toResponse();
    }
  };
}
