import { z } from "zod";
import { json } from "../../shared/http.ts";
import { graphError } from "./fake-provider-sends.ts";

// Phone numbers as Graph's GET /{phone_number_id} serves them: the number's
// fields to a token of the business that holds it, a Graph error otherwise
// (190 for a token nobody issued, 100 subcode 33 for an id the token cannot
// reach, which is also what Meta says for an id that does not exist).

export const PhoneNumberSpec = z.object({
  phone_number_id: z.string().min(1),
  access_token: z.string().min(1),
  display_phone_number: z.string().default("+1 555-000-0000"),
  verified_name: z.string().default("Test Business"),
});
type PhoneNumber = z.infer<typeof PhoneNumberSpec>;

export function createPhoneNumberStore() {
  const byId = new Map<string, PhoneNumber>();

  function get(headers: Headers, url: URL, id: string): Response {
    const token = (headers.get("authorization") ?? "").match(/^Bearer\s+(\S+)/)?.[1] ??
      url.searchParams.get("access_token");
    if (!token) {
      return json(graphError("An access token is required to request this resource.", 190), 401);
    }
    if (![...byId.values()].some((n) => n.access_token === token)) {
      return json(graphError("Invalid OAuth access token - Cannot parse access token", 190), 401);
    }
    const n = byId.get(id);
    if (!n || n.access_token !== token) {
      const e = graphError(
        `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to ` +
          "missing permissions, or does not support this operation.",
        100,
        "GraphMethodException",
      );
      return json({ error: { ...e.error, error_subcode: 33 } }, 400);
    }
    return json({
      verified_name: n.verified_name,
      code_verification_status: "VERIFIED",
      display_phone_number: n.display_phone_number,
      quality_rating: "GREEN",
      platform_type: "CLOUD_API",
      throughput: { level: "STANDARD" },
      id: n.phone_number_id,
    });
  }

  return {
    get,
    // Media and uploads check the token of the number they belong to.
    tokenOf: (id: string) => byId.get(id)?.access_token,
    knowsToken: (token: string) => [...byId.values()].some((n) => n.access_token === token),
    set(n: PhoneNumber) {
      byId.set(n.phone_number_id, n);
    },
    clear() {
      byId.clear();
    },
  };
}
