// docs/manifest-reference.md is generated from schemas/manifest.schema.json; a schema change without
// `npm run docs` leaves it out of date, and this test says so.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../support/paths.js";

describe("docs/manifest-reference.md", () => {
  it("is up to date with the manifest schema (node scripts/gen-docs.mjs --check)", () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/gen-docs.mjs"), "--check"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, `gen-docs --check failed; run npm run docs\n${r.stdout}${r.stderr}`);
  });
});
