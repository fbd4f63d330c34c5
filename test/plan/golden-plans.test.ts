// Golden plans: for each case folder under test/fixtures/plans, a manifest and an observed state (what a
// server held) give exactly the plan in plan.json and the text in plan.txt. No server involved.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { loadSources } from "../../src/load/load.js";
import { buildPlan } from "../../src/plan/plan.js";
import { renderPlanMarkdown } from "../../src/render/markdown.js";
import { PLAIN } from "../../src/render/style.js";
import { renderPlanText } from "../../src/render/text.js";
import { assertGolden } from "../support/golden.js";
import { type ObservedFixture, observedFrom } from "../support/observed-fixture.js";
import { FIXTURES } from "../support/paths.js";
import { renderPlanDiagnostics } from "../support/plan-diagnostics.js";

const root = path.join(FIXTURES, "plans");

describe("golden plans", () => {
  for (const name of readdirSync(root).sort()) {
    const dir = path.join(root, name);
    it(name, () => {
      const text = readFileSync(path.join(dir, "manifest.yaml"), "utf8");
      const loaded = loadSources([{ path: "manifest.yaml", text }], {});
      assert.ok(
        loaded.desired,
        `manifest.yaml of ${name} does not load:\n${loaded.diagnostics.map((d) => d.message).join("\n")}`,
      );
      const observed = observedFrom(
        JSON.parse(readFileSync(path.join(dir, "observed.json"), "utf8")) as ObservedFixture,
      );
      const targets = existsSync(path.join(dir, "targets.txt"))
        ? readFileSync(path.join(dir, "targets.txt"), "utf8").split(/\s+/).filter(Boolean)
        : [];
      const outcome = buildPlan({
        desired: loaded.desired,
        observed,
        jsplanVersion: "0.0.0-test",
        ...(targets.length ? { targets } : {}),
        warnings: loaded.diagnostics.filter((d) => d.severity === "warning"),
      });
      if (!outcome.plan) {
        assertGolden(path.join(dir, "errors.txt"), renderPlanDiagnostics(outcome.diagnostics));
        return;
      }
      assertGolden(path.join(dir, "plan.json"), `${JSON.stringify(outcome.plan, null, 2)}\n`);
      assertGolden(path.join(dir, "plan.txt"), renderPlanText(outcome.plan, PLAIN));
      if (existsSync(path.join(dir, "plan.md")) || process.env.UPDATE_GOLDEN === "1") {
        assertGolden(path.join(dir, "plan.md"), renderPlanMarkdown(outcome.plan));
      }
    });
  }
});
