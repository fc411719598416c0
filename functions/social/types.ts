// What the social function works with: rows the database leases to it and
// what the platform clients answer.

export type Platform = "instagram" | "tiktok";

export type ClaimedPost = {
  id: string;
  platform: Platform;
  platform_user_id: string;
  username: string | null;
  access_token: string | null;
  feed_type: "image" | "video" | "carousel";
  visibility: "public" | "followers" | "private";
  caption: string | null;
  media_paths: string[];
  tags: string[] | null;
  container_id: string | null;
  attempts: number;
};

// What private.record_cross_post takes.
export type PostOutcome =
  | { kind: "processing"; container_id: string }
  | { kind: "posted"; post_id: string; url: string }
  | { kind: "retry"; error: string; code?: string; container_id?: string }
  | { kind: "failed"; error: string; code?: string; invalid_token?: boolean };

// What private.record_social_refresh takes.
export type RefreshResult =
  | {
    ok: true;
    access_token: string;
    refresh_token?: string;
    expires_in: number;
    refresh_expires_in?: number;
  }
  | { ok: false; transient: boolean; error: string };

export type Metrics = Record<string, number>;

// A platform's refusal, classified: transient ones are retried with backoff.
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly code?: string,
    readonly invalidToken = false,
  ) {
    super(message);
  }
}

export type Fetch = typeof globalThis.fetch;
export type Log = (event: string, fields: Record<string, unknown>) => void;

// What an OAuth code exchange yields, ready for connect_social_account.
export type Connected = {
  platform_user_id: string;
  username: string | null;
  account_type: "personal" | "business" | "creator" | null;
  permissions: string[];
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_expires_in?: number;
};
