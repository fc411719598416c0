import { describe, expect, it } from "vitest";
import { jsonbSafe } from "../../shared/jsonb-text.ts";

const safe = (text: string) => jsonbSafe(text, JSON.parse(text));

describe("jsonbSafe", () => {
  it("passes ordinary bodies through untouched, escaped emoji included", () => {
    const text = '{"a":"ol\\u00e1 \\ud83d\\ude00","n":1.50,"big":12345678901234567890}';
    expect(safe(text)).toBe(text);
  });

  it("removes NUL, keeping an escaped backslash followed by u0000 as text", () => {
    expect(JSON.parse(safe('{"t":"a\\u0000b"}'))).toEqual({ t: "ab" });
    expect(safe('{"t":"a\\\\u0000b"}')).toBe('{"t":"a\\\\u0000b"}');
    expect(JSON.parse(safe('{"k\\u0000":1}'))).toEqual({ k: 1 });
  });

  it("replaces lone surrogates, keeps pairs", () => {
    expect(JSON.parse(safe('{"t":"x\\ud83dy \\ude00 \\ud83d\\ude00"}'))).toEqual({
      t: "x\uFFFDy \uFFFD \u{1F600}",
    });
  });

  it("turns numbers numeric cannot hold into null", () => {
    expect(JSON.parse(safe('{"a":1e1000000,"b":-1e400,"c":5,"d":1e-1000000}'))).toEqual({
      a: null,
      b: null,
      c: 5,
      d: 0,
    });
  });
});
