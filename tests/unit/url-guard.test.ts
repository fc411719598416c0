import { describe, expect, it } from "vitest";
import {
  createUrlGuard,
  guardSends,
  isPrivateAddress,
  type Resolve,
} from "../../shared/outbound/url-guard.ts";
import type { OutboundMessage, SendOutcome } from "../../shared/outbound/types.ts";
import { channel } from "../helpers/outbound.ts";

// The dispatcher refuses to send a channel's instance key to an address
// inside the deployment's network, whatever name points there.

const dns = (table: Record<string, string[]>): Resolve => (host, type) =>
  Promise.resolve((table[host] ?? []).filter((a) => (type === "A") === !a.includes(":")));

describe("isPrivateAddress", () => {
  it.each([
    "127.0.0.1",
    "127.255.0.9",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "0.0.0.0",
    "100.64.0.1",
    "::1",
    "::",
    "fd00::1",
    "fc12::9",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "not-an-ip",
  ])("refuses %s", (ip) => expect(isPrivateAddress(ip)).toBe(true));
  it.each(["8.8.8.8", "172.32.0.1", "93.184.216.34", "2001:4860:4860::8888", "::ffff:8.8.8.8"])(
    "allows %s",
    (ip) => expect(isPrivateAddress(ip)).toBe(false),
  );
});

describe("createUrlGuard", () => {
  const resolve = dns({
    "evo.example.com": ["93.184.216.34"],
    "rebind.example.com": ["93.184.216.34", "10.0.0.7"],
    "meta.example.com": ["169.254.169.254"],
    "v6.example.com": ["fd00::7"],
  });
  const guard = createUrlGuard({ allowPrivate: false, resolve });

  it("lets a public host through", async () => {
    expect(await guard("https://evo.example.com/api")).toBeNull();
  });
  it("refuses a hostname that resolves inside, on any of its addresses", async () => {
    expect(await guard("https://rebind.example.com")).toEqual({
      refused: "the channel's api_base_url resolves to a private or loopback address (10.0.0.7)",
    });
    expect(await guard("http://meta.example.com/latest")).toHaveProperty("refused");
    expect(await guard("http://v6.example.com")).toHaveProperty("refused");
  });
  it("refuses literal and numeric forms as fetch reads them", async () => {
    for (
      const url of [
        "http://127.0.0.1:8080",
        "http://2130706433/",
        "http://127.1",
        "http://0x7f000001",
        "http://[::1]/",
        "http://localhost:3000",
        "http://a.localhost",
      ]
    ) {
      expect(await guard(url), url).toHaveProperty("refused");
    }
  });
  it("asks for a retry when the name does not resolve", async () => {
    expect(await guard("https://nowhere.example.com")).toEqual({
      retry: "could not resolve nowhere.example.com",
    });
  });
  it("allows everything where the deployment says so (the local stack)", async () => {
    const local = createUrlGuard({ allowPrivate: true, resolve });
    expect(await local("http://127.0.0.1:54326")).toBeNull();
  });
  it("keeps answers for a while per host", async () => {
    let calls = 0;
    let t = 0;
    const counting: Resolve = (h, type) => {
      calls++;
      return resolve(h, type);
    };
    const cached = createUrlGuard({
      allowPrivate: false,
      resolve: counting,
      ttlMs: 1000,
      now: () => t,
    });
    await cached("https://evo.example.com/a");
    await cached("https://evo.example.com/b");
    expect(calls).toBe(2); // A and AAAA once
    t = 2000;
    await cached("https://evo.example.com/c");
    expect(calls).toBe(4);
  });
});

describe("guardSends", () => {
  const msg = { outbox_id: 1, message_id: "m1", channel_id: "c1" } as OutboundMessage;
  const sent: SendOutcome = { kind: "sent", providerMessageId: "p1" };
  const guard = createUrlGuard({
    allowPrivate: false,
    resolve: dns({ "evo.example.com": ["93.184.216.34"] }),
  });
  const calls: string[] = [];
  const send = guardSends((ch) => {
    calls.push(ch.api_base_url ?? "graph");
    return Promise.resolve(sent);
  }, guard);
  const signal = new AbortController().signal;

  it("fails a send to a private address for good, without calling the provider", async () => {
    const out = await send(
      channel({ provider: "evolution", api_base_url: "http://10.0.0.9:8080" }),
      msg,
      signal,
    );
    expect(out.kind).toBe("failed");
    expect(calls).toEqual([]);
  });
  it("sends to a public host, and Cloud API (Graph, set by the deployment) unchecked", async () => {
    expect(
      await send(
        channel({ provider: "whatsmeow", api_base_url: "https://evo.example.com" }),
        msg,
        signal,
      ),
    ).toEqual(sent);
    expect(
      await send(channel({ provider: "cloud_api", api_base_url: "http://127.0.0.1" }), msg, signal),
    ).toEqual(sent);
    expect(calls).toEqual(["https://evo.example.com", "http://127.0.0.1"]);
  });
});
