import type { ChannelTarget, OutboundMessage, SendOutcome } from "./types.ts";
import { failed } from "./http-outcome.ts";
import { readEnv } from "../env.ts";

// Where a workspace-chosen URL may be called: a channel's instance key
// (Evolution or whatsmeow api_base_url) or a hook's events. The database
// refuses literal private addresses, but a hostname can resolve to one (or
// be re-pointed later), so the functions resolve it before each request and
// refuse loopback, private, link-local (cloud metadata at 169.254.169.254)
// and unspecified addresses, unless the deployment allows them (the local
// stack's fake provider is on loopback). Answers are kept for a short while
// per host.

export type Resolve = (host: string, type: "A" | "AAAA") => Promise<string[]>;

const V4_BLOCKED: [number, number][] = [
  [0x00000000, 8], // 0.0.0.0/8
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 (carrier-grade NAT)
  [0x7f000000, 8], // 127/8
  [0xa9fe0000, 16], // 169.254/16 (link-local, cloud metadata)
  [0xac100000, 12], // 172.16/12
  [0xc0000000, 24], // 192.0.0/24
  [0xc0a80000, 16], // 192.168/16
  [0xc6120000, 15], // 198.18/15
  [0xe0000000, 3], // multicast and reserved
];

function v4ToInt(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return null;
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function blockedV4(n: number): boolean {
  return V4_BLOCKED.some(([base, bits]) =>
    Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits))
  );
}

// 8 groups of 16 bits, or null when not an IPv6 address.
function v6Groups(ip: string): number[] | null {
  let s = ip.replace(/^\[|\]$/g, "").split("%")[0].toLowerCase();
  const v4 = s.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const n = v4ToInt(v4[1]);
    if (n === null) return null;
    s = s.slice(0, -v4[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return null;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...tail];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

// Is this literal IP address one the dispatcher must not send to?
export function isPrivateAddress(ip: string): boolean {
  const n = v4ToInt(ip);
  if (n !== null) return blockedV4(n);
  const g = v6Groups(ip);
  if (!g) return true; // not an address we understand: refuse
  const zeroPrefix = g.slice(0, 5).every((x) => x === 0);
  if (zeroPrefix && g[5] === 0xffff) return blockedV4(g[6] * 65536 + g[7]); // ::ffff:a.b.c.d
  if (zeroPrefix && g[5] === 0 && g[6] === 0 && g[7] <= 1) return true; // :: and ::1
  if ((g[0] & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  if (g[0] === 0x64 && g[1] === 0xff9b) return blockedV4(g[6] * 65536 + g[7]); // NAT64
  return false;
}

export type UrlGuard =
  & ((url: string) => Promise<{ refused: string } | { retry: string } | null>)
  & {
    // The addresses a host name last passed the check with (none for
    // literal addresses, or when the deployment allows private ones), for
    // a client that connects to exactly those (pinned-fetch.ts).
    addresses?: (host: string) => string[] | undefined;
  };

export function createUrlGuard(opts: {
  allowPrivate: boolean;
  resolve?: Resolve;
  ttlMs?: number;
  now?: () => number;
  // what the messages call the URL
  subject?: string;
}): UrlGuard {
  const subject = opts.subject ?? "the channel's api_base_url";
  const resolve = opts.resolve ?? denoResolve;
  const ttl = opts.ttlMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; addrs: string[] }>();
  const passed = new Map<string, string[]>();

  const guard: UrlGuard = async (url) => {
    if (opts.allowPrivate) return null;
    let host: string;
    try {
      // WHATWG parsing, as fetch does: http://2130706433/ is 127.0.0.1 here too.
      host = new URL(url).hostname.replace(/\.$/, "").toLowerCase();
    } catch {
      return { refused: `${subject} is not a valid URL` };
    }
    if (host === "localhost" || host.endsWith(".localhost")) {
      return { refused: `${subject} points at localhost` };
    }
    const literal = host.startsWith("[") || v4ToInt(host) !== null;
    let addrs: string[];
    if (literal) {
      addrs = [host.replace(/^\[|\]$/g, "")];
    } else {
      const hit = cache.get(host);
      if (hit && now() - hit.at < ttl) {
        addrs = hit.addrs;
      } else {
        const found = await Promise.allSettled([resolve(host, "A"), resolve(host, "AAAA")]);
        addrs = found.flatMap((r) => r.status === "fulfilled" ? r.value : []);
        if (addrs.length === 0) return { retry: `could not resolve ${host}` };
        cache.set(host, { at: now(), addrs });
      }
    }
    const bad = addrs.find(isPrivateAddress);
    if (bad) return { refused: `${subject} resolves to a private or loopback address (${bad})` };
    if (!literal) {
      if (passed.size > 10_000) passed.clear();
      passed.set(host, addrs);
    }
    return null;
  };
  guard.addresses = (host) => passed.get(host.replace(/\.$/, "").toLowerCase());
  return guard;
}

function denoResolve(host: string, type: "A" | "AAAA"): Promise<string[]> {
  const deno =
    (globalThis as { Deno?: { resolveDns(h: string, t: string): Promise<string[]> } }).Deno;
  if (!deno) return Promise.reject(new Error("no resolver"));
  return deno.resolveDns(host, type);
}

type Send = (
  channel: ChannelTarget,
  msg: OutboundMessage,
  signal: AbortSignal,
) => Promise<SendOutcome>;

// A send that checks the provider URL first (Cloud API goes to Graph, set by
// the deployment, not by a workspace).
export function guardSends(send: Send, guard: UrlGuard): Send {
  return async (channel, msg, signal) => {
    if (channel.provider !== "cloud_api" && channel.api_base_url) {
      const verdict = await guard(channel.api_base_url);
      if (verdict && "refused" in verdict) return failed(verdict.refused);
      if (verdict && "retry" in verdict) {
        return {
          kind: "retry",
          error: { code: null, title: null, message: verdict.retry, http_status: null },
        };
      }
    }
    return send(channel, msg, signal);
  };
}

// The deployment's choice, on local stacks only:
// THREADLINE_ALLOW_PRIVATE_PROVIDER_URLS=1 for channels,
// THREADLINE_ALLOW_PRIVATE_HOOK_URLS=1 for hooks.
export function urlGuardFromEnv(
  variable = "THREADLINE_ALLOW_PRIVATE_PROVIDER_URLS",
  subject?: string,
): UrlGuard {
  return createUrlGuard({ allowPrivate: readEnv(variable) === "1", subject });
}
