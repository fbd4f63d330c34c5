// The plan JSON is a public contract: every plan the golden cases produce validates against
// schemas/plan.schema.json, and so does a saved plan.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { DATE_TIME_RE } from "../../src/load/schema.js";
import type { Plan } from "../../src/model/plan.js";
import { targetsDocument } from "../../src/render/targets.js";
import { FIXTURES, REPO_ROOT } from "../support/paths.js";

const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addFormat("date-time", DATE_TIME_RE);
const planSchema = JSON.parse(readFileSync(path.join(REPO_ROOT, "schemas/plan.schema.json"), "utf8"));
const validate = ajv.compile(planSchema);
const validateTargets = ajv.compile({ $ref: `${planSchema.$id}#/$defs/targetsDocument` });

describe("plan JSON schema", () => {
  const root = path.join(FIXTURES, "plans");
  const cases = readdirSync(root).filter((c) => readdirSync(path.join(root, c)).includes("plan.json"));
  it("covers the golden plans", () => assert.ok(cases.length >= 20));
  for (const c of cases) {
    it(`${c}/plan.json is valid`, () => {
      const plan = JSON.parse(readFileSync(path.join(root, c, "plan.json"), "utf8")) as unknown;
      assert.ok(validate(plan), JSON.stringify(validate.errors, null, 2));
    });
  }
  it("a plan over several targets (files naming contexts) is valid", () => {
    const plans = cases.slice(0, 2).map((c) => {
      const plan = JSON.parse(readFileSync(path.join(root, c, "plan.json"), "utf8")) as Plan;
      return { ...plan, target: { url: "nats://127.0.0.1:4222", context: c, account: null } };
    });
    const doc = JSON.parse(JSON.stringify(targetsDocument(plans))) as unknown;
    assert.ok(validateTargets(doc), JSON.stringify(validateTargets.errors, null, 2));
    assert.equal(validateTargets({ ...(doc as object), plans: [] }), false);
  });
  it("rejects a plan with an unknown action", () => {
    const plan = JSON.parse(readFileSync(path.join(root, cases[0]!, "plan.json"), "utf8")) as {
      steps: Array<{ action: string }>;
    };
    plan.steps.push({ action: "explode", address: "stream.X", depends_on: [] } as never);
    assert.equal(validate(plan), false);
  });
});
