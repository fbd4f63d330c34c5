// A real browser's check of the markdown plan: the plan of 300 streams × 5 consumers with deletes, replaces
// and a blocked step, rendered as GitHub renders a comment (GitHub-flavoured markdown with Mermaid) and
// opened in headless Chromium by scripts/browser-check.mjs. Skipped where no Chromium is installed.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../support/paths.js";

const chromium = ["chromium", "chromium-browser", "google-chrome"].find(
  (c) => spawnSync(c, ["--version"], { encoding: "utf8" }).status === 0,
);

describe("the markdown plan in a browser", { skip: chromium ? false : "no Chromium on this machine" }, () => {
  it("is under the limit, shows the destructive steps first, then the drawn diagram, then the rest", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "jsplan-browser-"));
    const png = path.join(dir, "plan.png");
    const domFile = path.join(dir, "dom.html");
    const r = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, "scripts/browser-check.mjs"), "--out", png, "--dom", domFile],
      {
        encoding: "utf8",
        timeout: 240_000,
      },
    );
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    const length = Number(/markdown: (\d+) characters/.exec(r.stdout)?.[1]);
    assert.ok(length > 0 && length <= 65_536, r.stdout);
    assert.equal(readFileSync(png).subarray(1, 4).toString(), "PNG");
    assert.ok(statSync(png).size > 50_000, "a screenshot with something in it");

    const dom = readFileSync(domFile, "utf8");
    assert.match(dom, /data-mermaid="done"/, "Mermaid drew the diagram");
    const caution = dom.indexOf('class="alert caution"');
    const warning = dom.indexOf('class="alert warning"');
    const destructive = dom.indexOf("90 destructive steps</h4>");
    const svg = dom.indexOf("<svg");
    const creates = dom.indexOf("720 to create</h4>");
    assert.ok(caution > 0 && caution < warning && warning < destructive, "the warning boxes come first");
    assert.ok(destructive < svg && svg < creates, "destructive steps, then the diagram, then the creates");
    assert.match(dom.slice(svg, dom.indexOf("</svg>", svg)), /stream S010/, "the blocked stream is drawn");
    assert.match(dom, /Shortened to fit in 65,536 characters/);
  });
});
