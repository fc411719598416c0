import { z } from "zod";
import { cloudApiBody } from "./cloud-api-body.ts";
import { dbEnums } from "../enums.ts";
import {
  type Answer,
  classify,
  excerpt,
  failed,
  isOutcome,
  malformedSuccess,
  request,
} from "./http-outcome.ts";
import type {
  ChannelTarget,
  Fetch,
  OutboundMessage,
  ProviderTemplate,
  SendError,
  SendOutcome,
} from "./types.ts";

// Meta WhatsApp Cloud API: sending messages, listing a WABA's templates and
// asking for a phone number (which proves a token reaches it).

export type CloudApiOptions = { baseUrl: string; version: string; fetch?: Fetch };

export type CloudApiClient = {
  send(channel: ChannelTarget, msg: OutboundMessage, signal?: AbortSignal): Promise<SendOutcome>;
  listTemplates(channel: ChannelTarget, signal?: AbortSignal): Promise<ProviderTemplate[]>;
  verifyPhoneNumber(channel: ChannelTarget, signal?: AbortSignal): Promise<PhoneNumberCheck>;
};

// GET /{phone_number_id} with the channel's token: Meta answers with the
// number (id, display_phone_number, verified_name, quality_rating, ...) only
// to a token of the business that holds it; otherwise a Graph error (100
// with subcode 33: no such object or no permission; 190: bad token).
// "unknown" is an answer that proves nothing either way (network, 5xx,
// throttling): a verification is not withdrawn for it.
export type PhoneNumberCheck =
  | { kind: "verified"; display_phone_number: string | null; verified_name: string | null }
  | { kind: "refused"; error: string }
  | { kind: "unknown"; error: string };

const PhoneNumberAnswer = z.looseObject({
  id: z.string().min(1),
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
});

const SendAnswer = z.looseObject({
  messages: z.array(z.looseObject({ id: z.string().min(1) })).min(1),
});

export const GraphError = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    error_data: z.looseObject({ details: z.string().optional() }).optional(),
  }),
});

const Template = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  language: z.string().min(1),
  category: z.enum(dbEnums.template_category),
  status: z.string().min(1),
  components: z.array(z.unknown()),
  rejected_reason: z.string().nullish(),
  parameter_format: z.enum(["POSITIONAL", "NAMED"]).nullish(),
});

const TemplatePage = z.looseObject({
  data: z.array(z.unknown()),
  paging: z.looseObject({ next: z.url().optional() }).optional(),
});

// A WABA holds at most a few thousand templates: 100 pages of 100 is a loop, not a listing.
const MAX_TEMPLATE_PAGES = 100;

export function graphSendError(answer: Answer): SendError {
  const parsed = GraphError.safeParse(answer.body);
  if (!parsed.success) {
    return { code: null, title: null, message: excerpt(answer), http_status: answer.res.status };
  }
  const e = parsed.data.error;
  const details = e.error_data?.details;
  return {
    code: e.code ?? null,
    title: e.error_user_title ?? e.type ?? null,
    message: [e.message ?? excerpt(answer), details].filter(Boolean).join(": "),
    http_status: answer.res.status,
    details: e,
  };
}

export function createCloudApiClient(opts: CloudApiOptions): CloudApiClient {
  const fetch = opts.fetch ?? globalThis.fetch;
  const root = `${opts.baseUrl.replace(/\/+$/, "")}/${opts.version}`;

  async function send(
    channel: ChannelTarget,
    msg: OutboundMessage,
    signal?: AbortSignal,
  ): Promise<SendOutcome> {
    const token = channel.credentials.access_token;
    if (!token) return failed("the channel has no access_token");
    if (!channel.phone_number_id) return failed("the channel has no phone_number_id");
    const built = cloudApiBody(msg);
    if (!built.ok) return failed(built.message);

    const answer = await request(fetch, `${root}/${channel.phone_number_id}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(built.body),
      signal,
    });
    if (isOutcome(answer)) return answer;
    if (!answer.res.ok) return classify(answer.res, graphSendError(answer));
    const ok = SendAnswer.safeParse(answer.body);
    if (!ok.success) return malformedSuccess(answer, "expected messages[0].id");
    return { kind: "sent", providerMessageId: ok.data.messages[0].id };
  }

  async function listTemplates(
    channel: ChannelTarget,
    signal?: AbortSignal,
  ): Promise<ProviderTemplate[]> {
    const token = channel.credentials.access_token;
    if (!token) throw new Error(`channel ${channel.id} has no access_token`);
    if (!channel.business_account_id) {
      throw new Error(`channel ${channel.id} has no business_account_id to list templates of`);
    }
    const templates: ProviderTemplate[] = [];
    let url: string | undefined =
      `${root}/${channel.business_account_id}/message_templates?limit=100`;
    for (let page = 0; url; page++) {
      if (page === MAX_TEMPLATE_PAGES) {
        throw new Error(`template listing did not end after ${MAX_TEMPLATE_PAGES} pages`);
      }
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
        text = await res.text();
      } catch (err) {
        throw new Error(`listing templates failed: ${(err as Error)?.message ?? err}`);
      }
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch { /* reported below as an unexpected answer */ }
      if (!res.ok) {
        const e = graphSendError({ res, body, text });
        throw new Error(`listing templates failed with HTTP ${res.status}: ${e.message}`);
      }
      const parsed = TemplatePage.safeParse(body);
      if (!parsed.success) {
        throw new Error(`unexpected template listing answer: ${text.slice(0, 200)}`);
      }
      for (const item of parsed.data.data) templates.push(toProviderTemplate(item));
      url = parsed.data.paging?.next;
    }
    return templates;
  }

  async function verifyPhoneNumber(
    channel: ChannelTarget,
    signal?: AbortSignal,
  ): Promise<PhoneNumberCheck> {
    const token = channel.credentials.access_token;
    if (!token) return { kind: "refused", error: "the channel has no access_token" };
    if (!channel.phone_number_id) {
      return { kind: "refused", error: "the channel has no phone_number_id" };
    }
    const fields = "id,display_phone_number,verified_name";
    const answer = await request(
      fetch,
      `${root}/${encodeURIComponent(channel.phone_number_id)}?fields=${fields}`,
      { headers: { authorization: `Bearer ${token}` }, signal },
    );
    if (isOutcome(answer)) return { kind: "unknown", error: outcomeMessage(answer) };
    if (!answer.res.ok) {
      const outcome = classify(answer.res, graphSendError(answer));
      if (outcome.kind !== "failed") return { kind: "unknown", error: outcomeMessage(outcome) };
      return {
        kind: "refused",
        error: `Graph answered ${answer.res.status}: ${outcome.error.message}`,
      };
    }
    const ok = PhoneNumberAnswer.safeParse(answer.body);
    if (!ok.success || ok.data.id !== channel.phone_number_id) {
      return {
        kind: "refused",
        error: `Graph did not answer for this phone number id: ${excerpt(answer)}`,
      };
    }
    return {
      kind: "verified",
      display_phone_number: ok.data.display_phone_number ?? null,
      verified_name: ok.data.verified_name ?? null,
    };
  }

  return { send, listTemplates, verifyPhoneNumber };
}

const outcomeMessage = (o: SendOutcome) =>
  o.kind === "sent" ? "unexpected answer" : o.error.message;

// One odd template fails the whole listing: a sync that skipped it would take
// it for deleted.
function toProviderTemplate(item: unknown): ProviderTemplate {
  const r = Template.safeParse(item);
  if (!r.success) {
    const name = (item as { name?: unknown } | null)?.name;
    throw new Error(
      `template ${typeof name === "string" ? name : "(unnamed)"} is not as expected: ` +
        r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  }
  const t = r.data;
  return {
    provider_template_id: t.id,
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    components: t.components,
    // Meta says "NONE" for templates that were not rejected.
    rejected_reason: t.rejected_reason && t.rejected_reason !== "NONE" ? t.rejected_reason : null,
    parameter_format: t.parameter_format ?? null,
  };
}
