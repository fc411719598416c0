import { describe, expect, it } from "vitest";
import { MetaWebhook } from "../../shared/providers/meta.ts";
import { checkEvolutionData, EvolutionWebhook } from "../../shared/providers/evolution.ts";
import { cloudEnvelope, cloudStatus, cloudText, evolutionUpsert } from "../fixtures/payloads.ts";
import { metaDocs, metaEcho, metaStatus } from "../fixtures/documented-payloads.ts";

describe("Meta webhook schema", () => {
  it("accepts messages and statuses as Meta documents them, keeping unknown fields", () => {
    const text = cloudText("PN", { from: "5511900000001", id: "wamid.1", body: "hi" });
    (text.entry[0].changes[0].value as Record<string, unknown>).new_meta_field = { x: 1 };
    const parsed = MetaWebhook.parse(text);
    expect((parsed.entry[0].changes[0].value as Record<string, unknown>).new_meta_field).toEqual({
      x: 1,
    });
    expect(
      MetaWebhook.safeParse(cloudStatus("PN", { id: "wamid.1", status: "read", to: "1" })).success,
    ).toBe(true);
  });

  it("accepts other fields (template updates) without reading their value", () => {
    const body = {
      object: "whatsapp_business_account",
      entry: [{
        id: "W",
        changes: [{ field: "message_template_status_update", value: { event: "APPROVED" } }],
      }],
    };
    expect(MetaWebhook.safeParse(body).success).toBe(true);
  });

  it("accepts a username user known by business-scoped user id only", () => {
    const body = metaDocs.usernameOnly({ pnid: "PN", wa: "US.13491208655302741918", id: "w" });
    expect(MetaWebhook.safeParse(body).success).toBe(true);
    const nobody = cloudEnvelope("PN", { messages: [{ id: "w", timestamp: "1", type: "text" }] });
    const r = MetaWebhook.safeParse(nobody);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("a message needs its sender");
  });

  it("accepts every documented status, played included, and ones it does not know yet", () => {
    for (const status of ["sent", "delivered", "read", "played", "failed", "deleted", "warning"]) {
      expect(MetaWebhook.safeParse(metaStatus("PN", "wamid.1", status, "1")).success, status)
        .toBe(true);
    }
    expect(MetaWebhook.safeParse(metaStatus("PN", "wamid.1", "", "1")).success).toBe(false);
  });

  it("accepts Business app echoes without reading them as inbound messages", () => {
    expect(MetaWebhook.safeParse(metaEcho("PN", "15550783881", "16505551234", "w")).success)
      .toBe(true);
  });

  it("refuses a messages change without metadata, a message without id, or another object", () => {
    const noMeta = cloudText("PN", { from: "1", id: "w", body: "x" });
    delete (noMeta.entry[0].changes[0].value as Record<string, unknown>).metadata;
    expect(MetaWebhook.safeParse(noMeta).success).toBe(false);
    const noId = cloudEnvelope("PN", { messages: [{ from: "1", timestamp: "1", type: "text" }] });
    const r = MetaWebhook.safeParse(noId);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("messages");
    expect(MetaWebhook.safeParse({ object: "page", entry: [] }).success).toBe(false);
  });
});

describe("Evolution schema", () => {
  it("accepts messages.upsert and checks its key", () => {
    const body = EvolutionWebhook.parse(
      evolutionUpsert({ instance: "i", apikey: "k", jid: "1@s.whatsapp.net", id: "A", text: "t" }),
    );
    expect(checkEvolutionData(body)).toBeNull();
    const broken = EvolutionWebhook.parse({ event: "MESSAGES_UPSERT", data: { message: {} } });
    expect(checkEvolutionData(broken)).not.toBeNull();
  });

  it("does not second-guess events it only stores", () => {
    expect(
      checkEvolutionData(EvolutionWebhook.parse({ event: "presence.update", data: { id: "x" } })),
    ).toBeNull();
    expect(EvolutionWebhook.safeParse({ data: {} }).success).toBe(false);
  });
});
