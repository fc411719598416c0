import { z } from "@hono/zod-openapi";
import { ApiError } from "./errors.ts";

// Keyset pagination: the cursor is the sort key of the last row returned,
// opaque to clients (base64url JSON). A page never skips or repeats a row
// when rows are added meanwhile, and costs the same at any depth.
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({
    description: "Rows per page (1 to 200, default 50).",
  }),
  cursor: z.string().max(500).optional().openapi({
    description: "next_cursor of the previous page.",
  }),
});

export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({
    data: z.array(item),
    next_cursor: z.string().nullable().openapi({
      description: "Pass as cursor for the next page; null on the last page.",
    }),
  }).openapi(name);
}

export function encodeCursor(values: unknown[]): string {
  return btoa(JSON.stringify(values)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(cursor: string | undefined, arity: number): string[] | null {
  if (cursor === undefined) return null;
  try {
    const v = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    if (Array.isArray(v) && v.length === arity && v.every((x) => typeof x === "string")) return v;
  } catch { /* falls through */ }
  throw new ApiError(400, "invalid_request", "cursor is not one this API returned");
}

// One row more than asked tells whether another page follows.
export function page<R extends Record<string, unknown>>(
  rows: R[],
  limit: number,
  key: (r: R) => unknown[],
): { data: R[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const data = more ? rows.slice(0, limit) : rows;
  return { data, next_cursor: more ? encodeCursor(key(data[data.length - 1])) : null };
}
