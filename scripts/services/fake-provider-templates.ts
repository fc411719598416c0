import { z } from "zod";
import { json } from "../../shared/http.ts";
import { bearer, graphError } from "./fake-provider-sends.ts";

// Message templates per WhatsApp Business Account, listed in pages the way
// Graph API pages them: opaque cursors and an absolute `next` URL.

export const TemplateSet = z.object({
  waba_id: z.string().min(1),
  templates: z.array(z.record(z.string(), z.unknown())),
});

const cursor = (index: number) => btoa(`idx:${index}`);

function fromCursor(after: string | null): number {
  if (!after) return 0;
  try {
    const m = atob(after).match(/^idx:(\d+)$/);
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

export function createTemplateStore() {
  const byWaba = new Map<string, Record<string, unknown>[]>();

  function list(req: Request, url: URL, wabaId: string): Response {
    if (!bearer(req.headers)) return json(graphError("An access token is required", 190), 401);
    const limit = Number(url.searchParams.get("limit") ?? "25");
    const start = fromCursor(url.searchParams.get("after"));
    if (!Number.isInteger(limit) || limit < 1 || start < 0) {
      return json(graphError("(#100) Invalid parameter", 100), 400);
    }
    // An unknown WABA lists nothing, so a stack nobody seeded still answers.
    const all = byWaba.get(wabaId) ?? [];
    const data = all.slice(start, start + limit);
    if (!data.length) return json({ data });
    const end = start + data.length;
    const paging: Record<string, unknown> = {
      cursors: { before: cursor(start), after: cursor(end) },
    };
    if (end < all.length) {
      const next = new URL(url);
      next.searchParams.set("limit", String(limit));
      next.searchParams.set("after", cursor(end));
      paging.next = next.toString();
    }
    return json({ data, paging });
  }

  return {
    list,
    set(wabaId: string, templates: Record<string, unknown>[]) {
      byWaba.set(wabaId, templates);
    },
    clear() {
      byWaba.clear();
    },
  };
}
