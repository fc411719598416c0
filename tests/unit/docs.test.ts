import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The repository stands alone: a fresh clone has nothing beside it, so no
// document may point outside it, and every link inside must lead somewhere.

const root = fileURLToPath(new URL("../..", import.meta.url));
const docs = ["README.md", ...readdirSync(join(root, "docs")).map((f) => `docs/${f}`)]
  .filter((f) => f.endsWith(".md"));

// GitHub's heading anchors: lowercase, spaces to dashes, punctuation dropped.
function anchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#+\s+(.+)$/gm)].map((m) =>
      m[1].toLowerCase().replace(/[`*_]/g, "").replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-")
    ),
  );
}

describe("documents", () => {
  it.each(docs)("%s links only to files and headings inside the repository", (doc) => {
    const text = readFileSync(join(root, doc), "utf8");
    const problems: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^https?:\/\//.test(target)) continue;
      const [path, hash] = target.split("#");
      const file = path ? resolve(dirname(join(root, doc)), path) : join(root, doc);
      if (relative(root, file).startsWith("..")) problems.push(`${target}: outside the repository`);
      else if (!existsSync(file)) problems.push(`${target}: no such file`);
      else if (hash && file.endsWith(".md") && !anchors(readFileSync(file, "utf8")).has(hash)) {
        problems.push(`${target}: no such heading`);
      }
    }
    // Paths in backticks count too: a reader follows them by hand.
    for (const [, path] of text.matchAll(/`(\.\.\/[^`\s]+)`/g)) {
      const file = resolve(dirname(join(root, doc)), path);
      if (relative(root, file).startsWith("..")) problems.push(`${path}: outside the repository`);
    }
    expect(problems).toEqual([]);
  });

  it("names nothing in the folder beside the checkout", () => {
    const offenders = docs.filter((doc) =>
      /\.\.\/shared\/(DESIGN|seeds)/.test(readFileSync(join(root, doc), "utf8"))
    );
    expect(offenders).toEqual([]);
  });
});
