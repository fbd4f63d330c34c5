// Relative links in the documentation point at files that exist, and at headings that exist in them.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../support/paths.js";
import { docsMarkdown, readRepoFile } from "./commands.js";

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const h = inFence ? null : /^#{1,6} (.+)$/.exec(line);
    if (!h) continue;
    out.add(
      h[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    );
  }
  return out;
}

describe("links in the documentation", () => {
  for (const file of [...docsMarkdown(), "examples/ci/README.md"]) {
    it(`${file}: relative links resolve`, () => {
      const text = readRepoFile(file).replace(/```[\s\S]*?```/g, "");
      const broken: string[] = [];
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const [rel, anchor] = target.split("#");
        const resolved = rel ? path.join(path.dirname(file), rel) : file;
        if (!existsSync(path.join(REPO_ROOT, resolved))) {
          broken.push(`${target}: no file ${resolved}`);
          continue;
        }
        if (anchor && resolved.endsWith(".md") && !anchors(readRepoFile(resolved)).has(anchor)) {
          broken.push(`${target}: no heading #${anchor} in ${resolved}`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }
});
