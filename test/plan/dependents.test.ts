// Mirrors and sources of a replaced or deleted origin, without a server (the same against real servers in
// test/preflight/origins.test.ts).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSources } from "../../src/load/load.js";
import type { StreamConfig } from "../../src/model/jetstream.js";
import { buildPlan } from "../../src/plan/plan.js";
import { observedFrom } from "../support/observed-fixture.js";

const own = { "jsplan.owner": "t" };
const state = (last: number) => ({ messages: last, bytes: last * 10, consumer_count: 0, last_seq: last });
const live = (config: Partial<StreamConfig> & { name: string }, last = 5) => ({
  config: config as StreamConfig,
  state: state(last),
});

function planFor(manifest: string, streams: ReturnType<typeof live>[], version = "2.15.1") {
  const loaded = loadSources([{ path: "m.yaml", text: manifest }], {});
  assert.ok(loaded.desired, loaded.diagnostics.map((d) => d.message).join("\n"));
  return buildPlan({
    desired: loaded.desired,
    observed: observedFrom({ server: { version }, streams }),
    jsplanVersion: "t",
  });
}

const both = (storage: string) =>
  `version: 1\nowner: t\nstreams:\n  - name: O\n    subjects: ["o.>"]\n    storage: ${storage}\n  - name: M\n    mirror: { name: O }\n`;

describe("dependents of a replaced origin", () => {
  const streams = [
    live({ name: "O", subjects: ["o.>"], storage: "file", metadata: own }),
    live({ name: "M", mirror: { name: "O" }, metadata: own }),
    live({ name: "U", mirror: { name: "O" } }),
    live({ name: "S", sources: [{ name: "O" }] }),
  ];

  it("a mirror in the manifest is replaced after its origin; the others are named with their fate", () => {
    for (const version of ["2.10.27", "2.15.1"]) {
      const r = planFor(both("memory"), streams, version);
      const m = r.plan!.changes.find((c) => c.address === "stream.M")!;
      assert.equal(m.action, "replace");
      assert.equal(m.destructive, true);
      assert.deepEqual(m.loses?.messages, 5);
      assert.deepEqual(r.plan!.steps.find((s) => s.address === "stream.M")?.depends_on, ["stream.O"]);
      const w = r.plan!.warnings.find((x) => x.code === "plan.dependents-left-behind")!;
      assert.match(w.message, /U mirrors it and stalls for good/);
      assert.match(
        w.message,
        version === "2.10.27" ? /S sources it and stays stuck/ : /S sources it and reads the new stream/,
      );
    }
  });

  it("a sealed mirror cannot follow its origin into a replace: the plan is refused at its sealed", () => {
    const sealed = [streams[0]!, live({ name: "M", mirror: { name: "O" }, sealed: true, metadata: own })];
    const r = planFor(
      both("memory").replace("mirror: { name: O }", "mirror: { name: O }\n    sealed: true"),
      sealed,
    );
    assert.equal(r.plan, undefined);
    const e = r.diagnostics.find((d) => d.severity === "error");
    assert.deepEqual([e?.code, e?.address, e?.path], ["plan.sealed-create", "stream.M", "sealed"]);
    assert.match(e!.message, /origin O is replaced.*cannot be created sealed/);
  });

  it("without a replace, nothing cascades and nothing is said", () => {
    const r = planFor(both("file"), streams);
    assert.deepEqual(r.plan!.steps, []);
    assert.deepEqual(r.plan!.warnings, []);
  });

  it("a mirror that holds more of its origin than the origin has is stalled: replaced when managed, named when not", () => {
    const after = [
      live({ name: "O", subjects: ["o.>"], storage: "file", metadata: own }, 3),
      live({ name: "M", mirror: { name: "O" }, metadata: own }, 5),
      live({ name: "U", mirror: { name: "O" } }, 5),
    ];
    const r = planFor(both("file"), after);
    const m = r.plan!.changes.find((c) => c.address === "stream.M")!;
    assert.equal(m.action, "replace");
    assert.deepEqual(
      m.reason_details.map((x) => x.code),
      ["mirror-stalled"],
    );
    assert.deepEqual(
      r.plan!.warnings.map((w) => [w.code, w.address]),
      [["plan.mirror-stalled", "stream.U"]],
    );
  });

  it("an empty mirror that counts from its opt_start_seq is not stalled", () => {
    const empty = { messages: 0, bytes: 0, consumer_count: 0, last_seq: 306 };
    const withStart = both("file").replace("mirror: { name: O }", "mirror: { name: O, opt_start_seq: 307 }");
    const r = planFor(withStart, [
      live({ name: "O", subjects: ["o.>"], storage: "file", metadata: own }, 0),
      {
        config: { name: "M", mirror: { name: "O", opt_start_seq: 307 }, metadata: own } as StreamConfig,
        state: empty,
      },
    ]);
    assert.deepEqual(r.plan!.steps, []);
    assert.deepEqual(r.plan!.warnings, []);
  });

  it("deleting an origin: its dependents receive nothing more", () => {
    const r = planFor(
      `version: 1\nowner: t\nstreams:\n  - name: M\n    mirror: { name: O }\n`,
      streams.slice(0, 2).concat(streams[3]!),
    );
    const w = r.diagnostics.find((x) => x.code === "plan.dependents-left-behind");
    assert.match(
      w?.message ?? "",
      /deleting O leaves its dependents behind: M mirrors it and receives nothing more; S sources it and receives nothing more/,
    );
  });
});
