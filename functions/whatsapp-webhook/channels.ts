import type { Sql } from "../../shared/db.ts";
import type { Provider } from "../../shared/enums.ts";

export type { Provider };

export type WebhookChannel = {
  id: string;
  workspace_id: string;
  provider: Provider | null;
  is_active: boolean;
  credentials: Partial<
    Record<"access_token" | "app_secret" | "verify_token" | "api_key" | "webhook_secret", string>
  >;
};

// Channel and credentials (from Vault) for verifying requests, cached
// briefly: Meta bursts many webhooks per number, and a Vault read per
// request would be wasted work. A credential rotated in the meantime is
// picked up by refresh() when verification fails.
export function createWebhookChannelCache(sql: () => Sql, ttlMs = 30_000) {
  const cache = new Map<string, { at: number; channel: WebhookChannel | null }>();

  async function fetchChannel(id: string): Promise<WebhookChannel | null> {
    const [row] = await sql()<{ channel: WebhookChannel | null }[]>`
      select private.webhook_channel(${id}::uuid) as channel`;
    const channel = row?.channel ?? null;
    cache.set(id, { at: Date.now(), channel });
    return channel;
  }

  return {
    async get(id: string): Promise<WebhookChannel | null> {
      const hit = cache.get(id);
      if (hit && Date.now() - hit.at < ttlMs) return hit.channel;
      return await fetchChannel(id);
    },
    // After a failed verification: the credentials may have just been
    // rotated. A forged request costs one read, no more than a real one.
    refresh(id: string): Promise<WebhookChannel | null> {
      return fetchChannel(id);
    },
  };
}
