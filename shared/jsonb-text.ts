// Postgres's jsonb refuses some valid JSON, and refuses the whole document
// for it: the escape \u0000 (text cannot hold NUL), escapes of lone UTF-16
// surrogates, and numbers beyond numeric's range. One such field in one
// message must not cost every message of the body, so the webhook function
// hands the database a copy with NUL removed, lone surrogates replaced by
// U+FFFD and such numbers as null. Bodies that hold none of them (all but
// a few) pass through untouched; the others are re-serialized from the
// parsed value, so their other numbers take JavaScript's precision.

// What could hide one of them: a \u0000 or surrogate escape, a large
// exponent, a very long run of digits. Raw NUL and lone surrogates cannot
// occur: JSON.parse refuses the first, UTF-8 decoding replaces the second.
const SUSPECT = /\\u0000|\\u[dD][89a-fA-F][0-9a-fA-F]{2}|[eE][+-]?0*[0-9]{4,}|[0-9]{300,}/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function cleanString(s: string): string {
  return s.replaceAll("\u0000", "").replace(LONE_SURROGATE, "\uFFFD");
}

// Numbers Postgres cannot hold parse here as Infinity, or as 0 when their
// exponent is far below numeric's 16,383 decimal places.
function cleanValue(v: unknown, changed: { yes: boolean }): unknown {
  if (typeof v === "string") {
    const c = cleanString(v);
    if (c !== v) changed.yes = true;
    return c;
  }
  if (typeof v === "number") {
    if (Number.isFinite(v)) return v;
    changed.yes = true;
    return null;
  }
  if (Array.isArray(v)) return v.map((x) => cleanValue(x, changed));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const ck = cleanString(k);
      if (ck !== k) changed.yes = true;
      out[ck] = cleanValue(x, changed);
    }
    return out;
  }
  return v;
}

/** The body as text Postgres can cast to jsonb; `parsed` is JSON.parse(text). */
export function jsonbSafe(text: string, parsed: unknown): string {
  if (!SUSPECT.test(text)) return text;
  const changed = { yes: /[eE]-0*[0-9]{4,}|\.[0-9]{16000,}/.test(text) };
  const clean = cleanValue(parsed, changed);
  return changed.yes ? JSON.stringify(clean) : text;
}
