import type { ChannelTarget } from "./outbound/types.ts";

// What a channel needs for sending (credentials from Vault included), looked
// up once per channel and kept for a while: a campaign sends thousands of
// messages on one channel. A failed lookup is not kept.
export function createChannelCache(opts: {
  lookup: (id: string) => Promise<ChannelTarget | null>;
  ttlMs: number;
  now?: () => number;
}) {
  const now = opts.now ?? Date.now;
  const channels = new Map<string, { at: number; value: Promise<ChannelTarget | null> }>();
  return (id: string): Promise<ChannelTarget | null> => {
    const hit = channels.get(id);
    if (hit && now() - hit.at < opts.ttlMs) return hit.value;
    const value = opts.lookup(id);
    channels.set(id, { at: now(), value });
    value.catch(() => channels.delete(id));
    return value;
  };
}
