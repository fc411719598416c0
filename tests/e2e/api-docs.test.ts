import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { apiBase } from "../helpers/api.ts";

// The OpenAPI document is generated from the same zod schemas that validate
// requests and responses; the reference page renders it, from assets the
// function serves itself.
type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { security?: unknown[]; responses: Record<string, unknown> }>
  >;
};

async function doc(): Promise<Doc> {
  const res = await fetch(`${apiBase()}/v1/openapi.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as Doc;
}

const operations = (d: Doc) =>
  Object.entries(d.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)
  );

describe("public API: OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const d = await doc();
    expect(d.openapi).toBe("3.1.0");
    const result = await new Validator().validate(
      d as unknown as Parameters<Validator["validate"]>[0],
    );
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("documents every endpoint with its key requirement and error shape", async () => {
    const d = await doc();
    const ops = operations(d);
    for (
      const op of [
        "POST /api/v1/messages",
        "GET /api/v1/messages/{id}",
        "GET /api/v1/conversations",
        "GET /api/v1/conversations/{id}/messages",
        "POST /api/v1/conversations/{id}/assign",
        "POST /api/v1/conversations/{id}/close",
        "POST /api/v1/conversations/{id}/reopen",
        "GET /api/v1/contacts",
        "POST /api/v1/contacts",
        "PATCH /api/v1/contacts/{id}",
        "GET /api/v1/contacts/lookup",
        "POST /api/v1/contacts/{id}/opt-out",
        "GET /api/v1/templates",
        "GET /api/v1/campaigns/{id}",
        "POST /api/v1/campaigns/{id}/start",
        "POST /api/v1/campaigns/{id}/pause",
        "GET /api/v1/hooks",
        "POST /api/v1/hooks",
        "POST /api/v1/hooks/{id}/rotate-secret",
        "POST /api/v1/hooks/{id}/test",
        "GET /api/v1/dead-letters",
        "POST /api/v1/dead-letters/replay",
      ]
    ) expect(ops).toContain(op);
    for (const ops of Object.values(d.paths)) {
      for (const op of Object.values(ops)) {
        expect(op.security).toEqual([{ bearer: [] }]);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["401", "403", "429"]));
      }
    }
  });
});

describe("public API: interactive reference", () => {
  it("renders every endpoint in headless Chromium, with no asset from elsewhere", async () => {
    const page = await (await fetch(`${apiBase()}/docs`)).text();
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    const d = await doc();
    const profile = mkdtempSync(join(tmpdir(), "threadline-chromium-"));
    try {
      const { stdout } = await promisify(execFile)(process.env.CHROMIUM ?? "chromium", [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        `--user-data-dir=${profile}`,
        // Nothing outside the stack: proves the page needs no CDN.
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1;localhost",
        "--virtual-time-budget=20000",
        "--dump-dom",
        `${apiBase()}/docs`,
      ], { maxBuffer: 32 * 1024 * 1024, timeout: 60_000 });
      const rendered = new Set([...stdout.matchAll(/data-path="([^"]+)"/g)].map((m) => m[1]));
      expect([...rendered].sort()).toEqual(Object.keys(d.paths).sort());
      expect(stdout).toContain("Threadline API");
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  }, 90_000);
});
