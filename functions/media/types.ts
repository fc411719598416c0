import type { ChannelTarget } from "../../shared/outbound/types.ts";

// A media file as private.claim_media hands it out.
export type MediaJob = {
  id: string;
  workspace_id: string;
  channel_id: string | null;
  // filled in by the worker from its channel cache
  channel: ChannelTarget | null;
  provider_media_id: string | null;
  source_url: string | null;
  mime_type: string | null;
  file_name: string | null;
  size_bytes: number | null;
  provider_sha256: string | null;
  came_inline: boolean;
  attempts: number;
  max_bytes: number;
  message_provider_id: string | null;
  chat_id: string | null;
  from_me: boolean | null;
  // a stored object with the content the provider announced
  existing: { path: string; size: number; sha256: string } | null;
};

// A contact whose profile picture is due, as private.claim_avatars hands it out.
export type AvatarJob = {
  contact_id: string;
  workspace_id: string;
  external_id: string;
  picture_url: string | null;
  attempts: number;
  channel_id: string;
  // filled in by the worker from its channel cache
  channel: ChannelTarget | null;
};

export type Removal = { id: number; bucket_id: string; name: string };

export type Log = (event: string, fields: Record<string, unknown>) => void;
