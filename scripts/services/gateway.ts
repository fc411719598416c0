// Local stand-in for the hosted API gateway: /rest/v1 to PostgREST and
// /auth/v1 to the Auth stand-in behind an API key, /storage/v1 to the
// Storage service (gateway-api.ts), and
// /functions/v1/<name> to one Deno process per function (as the edge runtime
// gives each function its own isolate), verifying the JWT where verify_jwt is on.
import { functionsFromConfig, type FunctionSpec } from "./functions-config.ts";
import { allowAnyOrigin, corsPreflight, isApiPath, toUpstream } from "./gateway-api.ts";
import { bearerToken, localApiKeys, verifyJwt } from "../../shared/jwt.ts";
import { json } from "../../shared/http.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const port = Number(Deno.env.get("THREADLINE_API_PORT") ?? "54321");
const jwtSecret = Deno.env.get("THREADLINE_JWT_SECRET") ?? "";
const quiet = Deno.env.get("THREADLINE_GATEWAY_QUIET") === "1";
if (!jwtSecret) throw new Error("THREADLINE_JWT_SECRET is required");
const apiKeys = await localApiKeys(jwtSecret);
const upstreams = {
  rest: `http://127.0.0.1:${Deno.env.get("THREADLINE_REST_PORT") ?? "54330"}`,
  auth: `http://127.0.0.1:${Deno.env.get("THREADLINE_AUTH_PORT") ?? "54331"}`,
  storage: `http://127.0.0.1:${Deno.env.get("THREADLINE_STORAGE_PORT") ?? "54332"}`,
};

type Running = { spec: FunctionSpec; port: number; child: Deno.ChildProcess; exited: boolean };

const specs = functionsFromConfig(
  await Deno.readTextFile(`${root}/supabase/config.toml`),
  `${root}/supabase`,
);
const running = new Map<string, Running>();
const starting = new Map<string, Promise<Running>>();

function functionEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (/^(SUPABASE_|THREADLINE_|PATH$|HOME$|DENO_DIR$|TZ$)/.test(k)) env[k] = v;
  }
  delete env.THREADLINE_JWT_SECRET;
  return { ...env, ...readDotEnv(`${root}/functions/.env`) };
}

function readDotEnv(path: string): Record<string, string> {
  try {
    const out: Record<string, string> = {};
    for (const line of Deno.readTextFileSync(path).split("\n")) {
      const m = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/);
      if (m) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, "$2");
    }
    return out;
  } catch {
    return {};
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPort(p: number, child: Running, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exited) throw new Error(`function ${child.spec.name} exited while starting`);
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port: p })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`function ${child.spec.name} did not listen within ${ms} ms`);
}

async function spawn(spec: FunctionSpec): Promise<Running> {
  const p = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      "--no-prompt",
      `--config=${root}/deno.json`,
      spec.entrypoint,
    ],
    env: { ...functionEnv(), DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${p}` },
    clearEnv: true,
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const r: Running = { spec, port: p, child, exited: false };
  child.status.then((s) => {
    r.exited = true;
    if (running.get(spec.name) === r) running.delete(spec.name);
    if (!shuttingDown) console.error(`[gateway] function ${spec.name} exited (code ${s.code})`);
  });
  await waitForPort(p, r, 20_000);
  running.set(spec.name, r);
  return r;
}

function instance(spec: FunctionSpec): Promise<Running> {
  const r = running.get(spec.name);
  if (r && !r.exited) return Promise.resolve(r);
  let s = starting.get(spec.name);
  if (!s) {
    s = spawn(spec).finally(() => starting.delete(spec.name));
    starting.set(spec.name, s);
  }
  return s;
}

async function authorize(spec: FunctionSpec, req: Request): Promise<Response | null> {
  if (!spec.verifyJwt || req.method === "OPTIONS") return null;
  const header = req.headers.get("authorization");
  if (!header) return json({ code: 401, message: "Missing authorization header" }, 401);
  const token = bearerToken(header);
  if (!token) return json({ code: 401, message: "Invalid JWT" }, 401);
  try {
    await verifyJwt(token, jwtSecret);
    return null;
  } catch {
    return json({ code: 401, message: "Invalid JWT" }, 401);
  }
}

async function proxyApi(req: Request): Promise<Response> {
  const preflight = corsPreflight(req);
  if (preflight) return preflight;
  const up = toUpstream(req, apiKeys, upstreams);
  if (up instanceof Response) return allowAnyOrigin(up);
  try {
    const res = await fetch(up.url, {
      method: req.method,
      headers: up.headers,
      body: req.body,
      redirect: "manual",
    });
    return allowAnyOrigin(res);
  } catch (e) {
    return allowAnyOrigin(
      json({
        message: `An invalid response was received from the upstream server: ${
          (e as Error).message
        }`,
      }, 502),
    );
  }
}

async function handle(req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (url.pathname === "/__gateway/health") {
    return json({ status: "ok", functions: specs.map((s) => s.name) });
  }
  if (isApiPath(url.pathname)) return await proxyApi(req);
  const m = url.pathname.match(/^\/functions\/v1\/([^/]+)(\/.*)?$/);
  if (!m) return json({ code: "NOT_FOUND", message: "Not found" }, 404);
  const spec = specs.find((s) => s.name === m[1]);
  if (!spec) return json({ code: "NOT_FOUND", message: "Requested function was not found" }, 404);
  const denied = await authorize(spec, req);
  if (denied) return denied;
  let target: Running;
  try {
    target = await instance(spec);
  } catch (e) {
    return json({ code: "BOOT_ERROR", message: (e as Error).message }, 503);
  }
  // Hosted strips the /functions/v1 prefix: a function sees /<name>/<rest>.
  const upstream = `http://127.0.0.1:${target.port}/${spec.name}${m[2] ?? ""}${url.search}`;
  const headers = new Headers(req.headers);
  headers.set("x-forwarded-host", url.host);
  try {
    return await fetch(upstream, {
      method: req.method,
      headers,
      body: req.body,
      redirect: "manual",
    });
  } catch (e) {
    return json({ code: "WORKER_ERROR", message: (e as Error).message }, 502);
  }
}

let shuttingDown = false;
function shutdown() {
  shuttingDown = true;
  for (const r of running.values()) {
    try {
      r.child.kill("SIGTERM");
    } catch { /* already gone */ }
  }
  setTimeout(() => Deno.exit(0), 300);
}
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);

await Promise.all(specs.map(instance));
Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: () =>
    console.log(`[gateway] listening on 127.0.0.1:${port}: ${specs.map((s) => s.name).join(", ")}`),
}, async (req) => {
  const started = performance.now();
  const res = await handle(req);
  if (!quiet) {
    console.log(
      `[gateway] ${req.method} ${new URL(req.url).pathname} ${res.status} ${
        (performance.now() - started).toFixed(1)
      }ms`,
    );
  }
  return res;
});
