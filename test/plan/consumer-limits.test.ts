// Stricter consumer_limits against the consumers that hold more (10069 "change to limits violates
// consumers"), without a server: a consumer the plan deletes or updates goes first; one it leaves as it is
// stops the plan. The same cases run against real servers in test/preflight/consumer-limits.test.ts.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSources } from "../../src/load/load.js";
import type { ConsumerConfig, StreamConfig } from "../../src/model/jetstream.js";
import { buildPlan } from "../../src/plan/plan.js";
import { observedFrom } from "../support/observed-fixture.js";

const H = 3600e9;
const owned = { "jsplan.owner": "t" };

function planFor(
  manifest: string,
  consumers: Array<Partial<ConsumerConfig>>,
  version = "2.15.1",
  consumer_limits: StreamConfig["consumer_limits"] = { inactive_threshold: 24 * H, max_ack_pending: 500 },
) {
  const loaded = loadSources([{ path: "m.yaml", text: manifest }], {});
  assert.ok(loaded.desired, loaded.diagnostics.map((d) => d.message).join("\n"));
  const stream = {
    name: "P",
    subjects: ["p.>"],
    storage: "file",
    num_replicas: 1,
    consumer_limits,
    metadata: owned,
  } as StreamConfig;
  const observed = observedFrom({
    server: { version },
    limits: {},
    streams: [{ config: stream }],
    consumers: consumers.map((c) => ({
      stream: "P",
      config: { ack_policy: "explicit", max_ack_pending: 500, ...c } as ConsumerConfig,
    })),
  });
  return buildPlan({ desired: loaded.desired, observed, jsplanVersion: "t" });
}

const manifest = (limit: string, ...consumers: string[]) =>
  `version: 1\nowner: t\nstreams:\n  - name: P\n    subjects: ["p.>"]\n` +
  `    consumer_limits: { inactive_threshold: ${limit}, max_ack_pending: 500 }\n` +
  (consumers.length > 0
    ? `    consumers:\n${consumers.map((c) => `      - { name: ${c}, durable_name: ${c}, ack_policy: explicit }\n`).join("")}`
    : "");

const errors = (r: ReturnType<typeof planFor>) => r.diagnostics.filter((d) => d.severity === "error");

describe("stricter consumer_limits and the consumers above them", () => {
  for (const version of ["2.10.27", "2.15.1"]) {
    it(`${version}: a consumer the plan deletes is deleted before the stream takes the new limits`, () => {
      const r = planFor(
        manifest("2h"),
        [{ name: "old", durable_name: "old", inactive_threshold: 24 * H, metadata: owned }],
        version,
      );
      assert.deepEqual(errors(r), []);
      assert.deepEqual(r.plan!.steps.find((s) => s.address === "stream.P")?.depends_on, ["consumer.P.old"]);
    });

    it(`${version}: a consumer that inherits the old limit is updated to the new one first`, () => {
      const r = planFor(
        manifest("2h", "c"),
        [{ name: "c", durable_name: "c", inactive_threshold: 24 * H, metadata: owned }],
        version,
      );
      assert.deepEqual(errors(r), []);
      const c = r.plan!.changes.find((x) => x.address === "consumer.P.c");
      assert.equal(c?.action, "update");
      assert.deepEqual(r.plan!.steps.find((s) => s.address === "stream.P")?.depends_on, ["consumer.P.c"]);
    });

    it(`${version}: a consumer the manifest does not manage, above the new limit, stops the plan`, () => {
      const r = planFor(
        manifest("2h"),
        [{ name: "app", durable_name: "app", inactive_threshold: 20 * H }],
        version,
      );
      const [e, ...more] = errors(r);
      assert.deepEqual(more, []);
      assert.equal(e?.code, "plan.consumer-over-limits");
      assert.equal(e?.address, "stream.P");
      assert.equal(e?.path, "consumer_limits.inactive_threshold");
      assert.match(e!.message, /consumer P\.app has inactive_threshold 20h, above the new .*2h/);
      assert.match(e!.message, /10069 "change to limits violates consumers: app"/);
      assert.equal(r.plan, undefined);
    });

    it(`${version}: the same consumer at or under the new limit is no obstacle`, () => {
      const r = planFor(
        manifest("20h"),
        [{ name: "app", durable_name: "app", inactive_threshold: 20 * H }],
        version,
      );
      assert.deepEqual(errors(r), []);
      assert.equal(r.plan!.changes.find((x) => x.address === "stream.P")?.action, "update");
    });
  }

  it("2.10.27: a consumer the plan deletes does not force the replace that one that stays would", () => {
    // 2.10 refuses any consumer_limits change while a consumer holds a max_ack_pending the new limits leave
    // unset; once the only such consumer is deleted first, the update is accepted.
    const only = `version: 1\nowner: t\nstreams:\n  - name: P\n    subjects: ["p.>"]\n    consumer_limits: { inactive_threshold: 2h }\n`;
    const live = { inactive_threshold: 24 * H };
    const dropped = { name: "old", durable_name: "old", max_ack_pending: 1000, metadata: owned };
    const r = planFor(only, [dropped], "2.10.27", live);
    assert.equal(r.plan!.changes.find((x) => x.address === "stream.P")?.action, "update");
    assert.deepEqual(r.plan!.steps.find((s) => s.address === "stream.P")?.depends_on, ["consumer.P.old"]);
    const staying = { name: "app", durable_name: "app", max_ack_pending: 1000 };
    const kept = planFor(only, [staying], "2.10.27", live);
    assert.equal(kept.plan!.changes.find((x) => x.address === "stream.P")?.action, "replace");
  });
});
