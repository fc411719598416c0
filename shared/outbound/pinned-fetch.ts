import type { Fetch } from "./types.ts";

// A fetch that connects only to the addresses the URL guard checked. Plain
// fetch resolves the name again when it connects, so a name whose answers
// change between the check and the connection (DNS rebinding) could reach
// an address inside the deployment. Here, http:// targets go over a TCP
// transport to the checked address, and https:// targets through an
// in-process CONNECT proxy that opens the tunnel to a checked address: TLS
// still runs end to end with the URL's name (SNI and certificate checks).
// Needs Deno.createHttpClient and Deno.listen; where the runtime lacks them
// (or a name was not checked: literal addresses, deployments that allow
// private targets) it is plain fetch.

type Addresses = (host: string) => string[] | undefined;
type HttpClient = { close(): void };
type DenoNet = {
  createHttpClient(opts: Record<string, unknown>): HttpClient;
  listen(opts: { hostname: string; port: number }): DenoListener;
  connect(opts: { hostname: string; port: number }): Promise<DenoConn>;
};
type DenoConn = {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
};
type DenoListener = AsyncIterable<DenoConn> & { addr: { port: number }; close(): void };

export function createPinnedFetch(
  addresses: Addresses,
  opts: { caCerts?: string[]; fetch?: Fetch } = {},
): Fetch {
  const plain = opts.fetch ?? globalThis.fetch;
  const deno = (globalThis as { Deno?: Partial<DenoNet> }).Deno;
  if (!deno?.createHttpClient || !deno.listen || !deno.connect) return plain;
  const net = deno as DenoNet;
  const tcpClients = new Map<string, HttpClient>();
  let proxy: { client: HttpClient } | null = null;

  function tcpClient(addr: string, port: number): HttpClient {
    const key = `${addr}|${port}`;
    let c = tcpClients.get(key);
    if (!c) {
      if (tcpClients.size > 1000) {
        for (const old of tcpClients.values()) old.close();
        tcpClients.clear();
      }
      c = net.createHttpClient({ proxy: { transport: "tcp", hostname: addr, port } });
      tcpClients.set(key, c);
    }
    return c;
  }

  function tunnelClient(): HttpClient {
    if (proxy) return proxy.client;
    const listener = net.listen({ hostname: "127.0.0.1", port: 0 });
    serveTunnels(listener, net, addresses);
    proxy = {
      client: net.createHttpClient({
        proxy: { url: `http://127.0.0.1:${listener.addr.port}` },
        ...(opts.caCerts ? { caCerts: opts.caCerts } : {}),
      }),
    };
    return proxy.client;
  }

  // A runtime that has the APIs but refuses them (a sandbox without
  // listen) gets plain fetch from then on, not failed deliveries.
  let unavailable = false;
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = url.hostname;
    const addrs = host.startsWith("[") || unavailable ? undefined : addresses(host);
    if (!addrs?.length) return plain(input, init);
    let client: HttpClient;
    try {
      client = url.protocol === "https:"
        ? tunnelClient()
        : tcpClient(addrs[0], Number(url.port || 80));
    } catch (err) {
      unavailable = true;
      console.error("[pinned-fetch] connecting to checked addresses is not available:", err);
      return plain(input, init);
    }
    return plain(input, { ...init, client } as RequestInit);
  };
}

const enc = new TextEncoder();

// CONNECT host:port -> a tunnel to one of the host's checked addresses;
// anything else, or a host never checked, is refused.
function serveTunnels(listener: DenoListener, net: DenoNet, addresses: Addresses) {
  (async () => {
    for await (const conn of listener) tunnel(conn, net, addresses).catch(() => conn.close());
  })().catch(() => {});
}

async function tunnel(conn: DenoConn, net: DenoNet, addresses: Addresses) {
  const buf = new Uint8Array(8192);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null || head.length > 8192) return conn.close();
    head += new TextDecoder().decode(buf.subarray(0, n));
  }
  const m = head.match(/^CONNECT ([^\s:]+|\[[0-9a-fA-F:.]+\]):(\d{1,5}) HTTP\/1\.[01]\r\n/);
  const addrs = m ? addresses(m[1]) : undefined;
  if (!m || !addrs?.length) {
    await conn.write(enc.encode("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"));
    return conn.close();
  }
  let upstream: DenoConn | null = null;
  let lastError: unknown = null;
  for (const addr of addrs) {
    try {
      upstream = await net.connect({ hostname: addr, port: Number(m[2]) });
      break;
    } catch (err) {
      lastError = err;
    }
  }
  if (!upstream) {
    await conn.write(enc.encode("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n"));
    conn.close();
    throw lastError;
  }
  await conn.write(enc.encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
  const up = upstream;
  await Promise.allSettled([
    conn.readable.pipeTo(up.writable),
    up.readable.pipeTo(conn.writable),
  ]);
}
