import { createCloudApiClient, type PhoneNumberCheck } from "./cloud-api.ts";
import { createEvolutionClient } from "./evolution.ts";
import { failed } from "./http-outcome.ts";
import type {
  ChannelTarget,
  Fetch,
  OutboundMessage,
  ProviderTemplate,
  SendOutcome,
} from "./types.ts";
import { createWhatsmeowClient } from "./whatsmeow.ts";
import { readEnv } from "../env.ts";

// One entry point for the dispatcher: the channel's provider picks the client,
// and every call is bounded in time so a hung provider cannot hold a claim.

export type ProviderClientsOptions = {
  graphBaseUrl: string;
  graphVersion: string;
  fetch?: Fetch;
  timeoutMs?: number;
};

export type ProviderClients = {
  send(channel: ChannelTarget, msg: OutboundMessage, signal?: AbortSignal): Promise<SendOutcome>;
  // Cloud API channels only; the others have no provider-side templates.
  listTemplates(channel: ChannelTarget, signal?: AbortSignal): Promise<ProviderTemplate[]>;
  // Cloud API channels only: does Graph answer for the phone_number_id with this token?
  verifyPhoneNumber(channel: ChannelTarget, signal?: AbortSignal): Promise<PhoneNumberCheck>;
};

export function createProviderClients(opts: ProviderClientsOptions): ProviderClients {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const cloud = createCloudApiClient({
    baseUrl: opts.graphBaseUrl,
    version: opts.graphVersion,
    fetch: opts.fetch,
  });
  const evolution = createEvolutionClient({ fetch: opts.fetch });
  const whatsmeow = createWhatsmeowClient({ fetch: opts.fetch });

  const bounded = (signal?: AbortSignal) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return signal ? AbortSignal.any([signal, timeout]) : timeout;
  };

  return {
    send(channel, msg, signal) {
      switch (channel.provider) {
        case "cloud_api":
          return cloud.send(channel, msg, bounded(signal));
        case "evolution":
          return evolution.send(channel, msg, bounded(signal));
        case "whatsmeow":
          return whatsmeow.send(channel, msg, bounded(signal));
        default:
          return Promise.resolve(failed(`unknown provider ${String(channel.provider)}`));
      }
    },
    listTemplates(channel, signal) {
      if (channel.provider !== "cloud_api") {
        return Promise.reject(
          new Error(`templates are listed only for Cloud API channels, not ${channel.provider}`),
        );
      }
      // One bound for the whole listing, all pages included.
      return cloud.listTemplates(channel, bounded(signal));
    },
    verifyPhoneNumber(channel, signal) {
      if (channel.provider !== "cloud_api") {
        return Promise.resolve({
          kind: "refused",
          error: `only Cloud API channels have a phone number id, not ${channel.provider}`,
        });
      }
      return cloud.verifyPhoneNumber(channel, bounded(signal));
    },
  };
}

// Where the Graph API is, from the function's settings: Meta's by default,
// the fake provider locally.
export function graphSettingsFromEnv(): Pick<
  ProviderClientsOptions,
  "graphBaseUrl" | "graphVersion"
> {
  return {
    graphBaseUrl: readEnv("THREADLINE_GRAPH_API_URL") ?? "https://graph.facebook.com",
    graphVersion: readEnv("THREADLINE_GRAPH_API_VERSION") ?? "v23.0",
  };
}
