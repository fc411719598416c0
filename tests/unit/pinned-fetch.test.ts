import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The pinned fetch connects to the addresses the guard checked, not to
// what the name resolves to when fetch connects: names that resolve
// nowhere are reached at their "checked" address, and TLS still checks the
// certificate against the URL's name. The check runs under Deno, whose
// HTTP client this needs.
const root = new URL("../../", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "pinned-fetch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]) {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

describe("createPinnedFetch", () => {
  it("reaches the checked address over http and https, with TLS checking the name", () => {
    openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "1",
      "-subj",
      "/CN=Pinned test CA",
    ]);
    openssl([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "leaf.key",
      "-out",
      "leaf.csr",
      "-subj",
      "/CN=hooks.example.test",
    ]);
    writeFileSync(
      join(dir, "ext.cnf"),
      "subjectAltName=DNS:hooks.example.test\nbasicConstraints=CA:FALSE\n",
    );
    openssl([
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "leaf.pem",
      "-days",
      "1",
      "-extfile",
      "ext.cnf",
    ]);
    const out = execFileSync(
      join(root, "node_modules/.bin/deno"),
      [
        "run",
        "-A",
        `--config=${join(root, "deno.json")}`,
        join(root, "tests/fixtures/pinned-fetch-check.ts"),
        dir,
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    const r = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(r.http).toMatchObject({ status: 200 });
    expect(r.http.body).toMatch(/^http hooks\.example\.test:\d+$/);
    expect(r.https).toEqual({ status: 200, body: "https /y" });
    // the tunnel goes where it was checked, but the certificate is for another name
    expect(r.https_wrong_name.error).toBeTruthy();
    // a name the guard never passed goes through plain fetch: it resolves nowhere
    expect(r.unchecked.error).toBeTruthy();
  }, 40_000);
});
