// KV entries without a server: a declared key is created, changed or left alone; a key this manifest's owner
// wrote and no longer declares is deleted (not destructive); a key an application wrote is never touched
// unless declared, and then the plan says it adopts it; another owner's key is an error; sensitive values
// never reach the plan's data or any rendering.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kvStreamConfig } from "../../src/jetstream/buckets.js";
import { sensitiveValueOf } from "../../src/jetstream/entries.js";
import { loadSources } from "../../src/load/load.js";
import type { Diagnostic } from "../../src/model/diagnostic.js";
import type { StreamConfig } from "../../src/model/jetstream.js";
import type { ObservedBucketEntries, ObservedEntry, ObservedState } from "../../src/model/observed.js";
import type { Change, Plan } from "../../src/model/plan.js";
import { buildPlan, type PlanOutcome } from "../../src/plan/plan.js";
import { renderPlanMarkdown } from "../../src/render/markdown.js";
import { PLAIN } from "../../src/render/style.js";
import { renderPlanText } from "../../src/render/text.js";
import { observedFrom } from "../support/observed-fixture.js";

const SECRET = "hunter2-do-not-print";

function load(manifest: string) {
  const loaded = loadSources([{ path: "m.yaml", text: manifest }], {});
  assert.ok(loaded.desired, loaded.diagnostics.map((d) => d.message).join("\n"));
  return loaded.desired;
}

const manifest = (entryLines: string[], bucketLines: string[] = []) =>
  [
    "version: 1",
    "owner: team",
    "key_value:",
    "  - bucket: cfg",
    "    history: 5",
    ...bucketLines.map((l) => `    ${l}`),
    ...(entryLines.length > 0 ? ["    entries:", ...entryLines.map((l) => `      ${l}`)] : []),
  ].join("\n");

/** The bucket's stream exactly as jsplan would create it, so that only the entries differ. */
function liveBucket(text: string): StreamConfig {
  const config = kvStreamConfig(load(text).keyValues[0]!.spec);
  return { ...config, metadata: { ...config.metadata, "jsplan.owner": "team" } };
}

function entry(
  key: string,
  value: string,
  revision: number,
  owner?: string,
  managed = owner !== undefined,
): ObservedEntry {
  return { key, value, revision, created: "2026-01-01T00:00:00Z", managed, ...(owner ? { owner } : {}) };
}

type LiveKeys = ObservedEntry[] | "unread";

function outcomeWith(text: string, keys: LiveKeys, deleted: Array<[string, number]> = []): PlanOutcome {
  const observed: ObservedState = {
    ...observedFrom({ server: { version: "2.15.1" }, streams: [{ config: liveBucket(text) }] }),
    ...(keys === "unread"
      ? {}
      : {
          entries: new Map<string, ObservedBucketEntries>([
            ["cfg", { live: new Map(keys.map((k) => [k.key, k])), deleted: new Map(deleted) }],
          ]),
        }),
  };
  return buildPlan({ desired: load(text), observed, jsplanVersion: "t" });
}

function planWith(text: string, keys: LiveKeys, deleted: Array<[string, number]> = []): Plan {
  return mustPlan(outcomeWith(text, keys, deleted));
}

/** A plan with errors is no plan, only its diagnostics: the errors among them. */
function planErrors(text: string, keys: LiveKeys): Diagnostic[] {
  const outcome = outcomeWith(text, keys);
  assert.equal(outcome.plan, undefined);
  return outcome.diagnostics.filter((d) => d.severity === "error");
}

/** The plan against a server without the bucket. */
function fresh(text: string): Plan {
  const observed = observedFrom({ server: { version: "2.15.1" } });
  return mustPlan(buildPlan({ desired: load(text), observed, jsplanVersion: "t" }));
}

function mustPlan(outcome: PlanOutcome): Plan {
  assert.ok(outcome.plan, outcome.diagnostics.map((d) => d.message).join("\n"));
  return outcome.plan;
}

const entryChanges = (plan: Plan): Change[] => plan.changes.filter((c) => c.kind === "kv_entry");
const byKey = (plan: Plan) => new Map(entryChanges(plan).map((c) => [c.name, c]));

describe("KV entries in the plan", () => {
  it("creates the keys of a new bucket after the bucket, guarded by revision 0", () => {
    const text = manifest(["flags.dark: 'on'", "greeting: hello"]);
    const plan = fresh(text);
    const changes = entryChanges(plan);
    assert.deepEqual(
      changes.map((c) => [c.address, c.action, c.before_fingerprint, c.after]),
      [
        ["kv_entry.cfg.flags.dark", "create", "revision:0", { owner: "team", value: "on" }],
        ["kv_entry.cfg.greeting", "create", "revision:0", { owner: "team", value: "hello" }],
      ],
    );
    for (const c of changes) {
      const step = plan.steps.find((s) => s.address === c.address);
      assert.deepEqual(step?.depends_on, ["kv.cfg"], "an entry waits for its bucket");
    }
    assert.ok(
      plan.steps.findIndex((s) => s.address === "kv.cfg") <
        plan.steps.findIndex((s) => s.address === "kv_entry.cfg.greeting"),
    );
  });

  it("updates an owned key whose value changed, and leaves an equal one alone", () => {
    const text = manifest(["a: new", "b: same"]);
    const plan = planWith(text, [entry("a", "old", 7, "team"), entry("b", "same", 8, "team")]);
    const c = byKey(plan);
    assert.equal(c.get("a")?.action, "update");
    assert.deepEqual(c.get("a")?.diff, [
      { path: "value", before: "old", after: "new", forces_replace: false },
    ]);
    assert.equal(
      c.get("a")?.before_fingerprint,
      "revision:7",
      "apply writes only over the revision it planned",
    );
    assert.equal(c.get("b")?.action, "no-op");
    assert.equal(plan.steps.filter((s) => s.address.startsWith("kv_entry.")).length, 1);
  });

  it("deletes a key this owner wrote and no longer declares, without calling it destructive", () => {
    const plan = planWith(manifest(["a: x"]), [entry("a", "x", 1, "team"), entry("gone", "y", 2, "team")]);
    const gone = byKey(plan).get("gone");
    assert.equal(gone?.action, "delete");
    assert.equal(gone?.destructive, false);
    assert.equal(gone?.before_fingerprint, "revision:2");
  });

  it("never touches a key an application wrote that the manifest does not declare", () => {
    const plan = planWith(manifest(["a: x"]), [entry("a", "x", 1, "team"), entry("app.state", "42", 3)]);
    assert.equal(byKey(plan).has("app.state"), false);
    assert.ok(plan.changes.every((c) => c.address !== "kv_entry.cfg.app.state"));
  });

  it("adopts a declared key that someone else wrote, and says so, even when its value is already right", () => {
    const plan = planWith(manifest(["a: x"]), [entry("a", "x", 4)]);
    const a = byKey(plan).get("a");
    assert.equal(a?.action, "update");
    assert.deepEqual(a?.diff, [{ path: "owner", after: "team", forces_replace: false, reason: "adopted" }]);
    assert.equal(a?.reason_details?.[0]?.code, "adopt");
  });

  it("refuses a declared key that another owner wrote, at the key's line", () => {
    const errors = planErrors(manifest(["a: x"]), [entry("a", "x", 4, "other-team")]);
    assert.deepEqual(
      errors.map((e) => [e.code, e.pos?.line]),
      [["plan.owner-conflict", 7]],
    );
    assert.match(errors[0]!.message, /other-team/);
  });

  it("creates a key over its delete marker, expecting the marker's revision", () => {
    const plan = planWith(manifest(["a: x"]), [], [["a", 9]]);
    assert.equal(byKey(plan).get("a")?.before_fingerprint, "revision:9");
  });

  it("plans no key at all for a bucket without entries, whatever the bucket holds", () => {
    const plan = planWith(manifest([]), [entry("a", "x", 1, "team")]);
    assert.deepEqual(entryChanges(plan), []);
  });

  it("is an error when the keys of an existing bucket could not be read", () => {
    assert.deepEqual(
      planErrors(manifest(["a: x"]), "unread").map((e) => e.code),
      ["plan.entries-not-read"],
    );
  });
});

describe("sensitive entries", () => {
  const cases = [
    ["an entry marked sensitive", manifest([`token: { value: ${SECRET}, sensitive: true }`])],
    ["a sensitive bucket", manifest([`token: ${SECRET}`], ["sensitive: true"])],
  ] as const;
  for (const [name, text] of cases) {
    it(`${name}: the value is in no rendering and no JSON, and apply can still reach it`, () => {
      for (const plan of [
        planWith(text, []),
        planWith(text, [entry("token", "old-secret-value", 3, "team")]),
      ]) {
        const token = byKey(plan).get("token")!;
        assert.ok(token.action === "create" || token.action === "update");
        const outputs = [
          JSON.stringify(plan),
          renderPlanText(plan, PLAIN),
          renderPlanMarkdown(plan),
          JSON.stringify({ ...token.after }),
        ];
        for (const out of outputs) {
          assert.ok(!out.includes(SECRET), "the secret is printed");
          assert.ok(!out.includes("old-secret-value"), "the old secret is printed");
        }
        assert.match(renderPlanText(plan, PLAIN), /\(sensitive\)/);
        assert.equal(sensitiveValueOf(token.after), SECRET);
      }
    });
  }
});

describe("entries in the manifest", () => {
  const errorsOf = (text: string) =>
    loadSources([{ path: "m.yaml", text }], {}).diagnostics.filter((d) => d.severity === "error");

  it("refuses entries on a mirrored bucket, whose keys come from its origin", () => {
    const errors = errorsOf(
      [
        "version: 1",
        "key_value:",
        "  - bucket: copy",
        "    mirror: { name: cfg }",
        "    entries:",
        "      a: x",
      ].join("\n"),
    );
    assert.deepEqual(
      errors.map((e) => e.code),
      ["semantic.entries-on-mirror"],
    );
  });

  it("refuses a value larger than the bucket's max_value_size, at the key", () => {
    const errors = errorsOf(manifest(["big: 0123456789abcdef"], ["max_value_size: 8"]));
    assert.deepEqual(
      errors.map((e) => e.code),
      ["semantic.entry-too-large"],
    );
    assert.equal(errors[0]!.pos?.line, 8);
  });

  it("refuses a key the server would not take, with the rule", () => {
    const errors = errorsOf(manifest(['"bad key": x']));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.pos?.line, 7);
  });
});
