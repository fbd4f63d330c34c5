// Planner and writer behaviour found wrong by the property tests against real servers (test/property/),
// pinned here without a server. Each case names what nats-server 2.10.27 or 2.15.1 did.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JetStreamWriter } from "../../src/apply/writer.js";
import { JsApi, JsApiError } from "../../src/connection/js-api.js";
import { adoptKvClientChoices, kvStreamConfig } from "../../src/jetstream/buckets.js";
import { loadSources } from "../../src/load/load.js";
import type { ConsumerConfig, StreamConfig } from "../../src/model/jetstream.js";
import { HOUR, MINUTE, SECOND } from "../../src/model/units.js";
import { parseVersion } from "../../src/model/version.js";
import { buildPlan } from "../../src/plan/plan.js";
import { observedFrom } from "../support/observed-fixture.js";

function planFor(
  manifest: string,
  version: string,
  streams: Array<{ config: StreamConfig }>,
  consumers: Array<{ stream: string; config: ConsumerConfig }> = [],
) {
  const loaded = loadSources([{ path: "m.yaml", text: manifest }], {});
  assert.ok(loaded.desired, loaded.diagnostics.map((d) => d.message).join("\n"));
  return buildPlan({
    desired: loaded.desired,
    observed: observedFrom({ server: { version }, streams, consumers }),
    jsplanVersion: "t",
  });
}

const live = (config: Partial<StreamConfig> & { name: string }): { config: StreamConfig } => ({
  config: { subjects: [`${config.name.toLowerCase()}.>`], ...config } as StreamConfig,
});

describe("KV buckets", () => {
  it("a bucket source's filter becomes the transform of just those keys (a filter and a transform: 10144)", () => {
    const cfg = kvStreamConfig({
      bucket: "b",
      sources: [
        { name: "a", filter_subject: "$KV.a.k.*.x.*" },
        { name: "c" },
        { name: "d", subject_transforms: [{ src: "$KV.d.x.>", dest: "$KV.b.y.>" }] },
      ],
    });
    assert.deepEqual(cfg.sources, [
      {
        name: "KV_a",
        subject_transforms: [{ src: "$KV.a.k.*.x.*", dest: "$KV.b.k.{{wildcard(1)}}.x.{{wildcard(2)}}" }],
      },
      { name: "KV_c", subject_transforms: [{ src: "$KV.c.>", dest: "$KV.b.>" }] },
      // Explicit transforms read the origin bucket's stream too (not a stream named "d").
      { name: "KV_d", subject_transforms: [{ src: "$KV.d.x.>", dest: "$KV.b.y.>" }] },
    ]);
  });

  it("a live bucket's standard duplicate window follows a new ttl; a custom one is kept while it fits", () => {
    const desired = (ttl: number) => kvStreamConfig({ bucket: "b", ttl });
    const liveKv = (ttl: number, window: number) =>
      ({ ...desired(ttl), duplicate_window: window, deny_delete: false }) as StreamConfig;
    // 2.10.27 refused max_age 1s with the kept window of 2m: "duplicates window can not be larger then max age".
    assert.equal(adoptKvClientChoices(desired(SECOND), liveKv(0, 2 * MINUTE)).duplicate_window, SECOND);
    assert.equal(adoptKvClientChoices(desired(HOUR), liveKv(SECOND, SECOND)).duplicate_window, 2 * MINUTE);
    assert.equal(
      adoptKvClientChoices(desired(2 * HOUR), liveKv(HOUR, 30 * SECOND)).duplicate_window,
      30 * SECOND,
    );
    assert.equal(adoptKvClientChoices(desired(MINUTE), liveKv(HOUR, 90 * SECOND)).duplicate_window, MINUTE);
    assert.equal(adoptKvClientChoices(desired(HOUR), liveKv(HOUR, 2 * MINUTE)).deny_delete, false);
  });
});

describe("consumer_limits", () => {
  const consumer = (name: string, extra: Partial<ConsumerConfig> = {}) => ({
    stream: "S",
    config: {
      durable_name: name,
      name,
      deliver_policy: "all",
      replay_policy: "instant",
      ...extra,
    } as ConsumerConfig,
  });

  it("a consumer that drops an inherited value waits for the stream update (2.15.1: pedantic 10157)", () => {
    const outcome = planFor(
      `
streams:
  - name: S
    subjects: [s.>]
    consumer_limits: { max_ack_pending: 5 }
    consumers: [{ name: c }]
`,
      "2.15.1",
      [live({ name: "S", subjects: ["s.>"], consumer_limits: { inactive_threshold: 2 * HOUR } })],
      [
        consumer("c", {
          ack_policy: "none",
          inactive_threshold: 2 * HOUR,
          max_waiting: 512,
          num_replicas: 0,
        }),
      ],
    );
    assert.ok(outcome.plan, outcome.diagnostics.map((d) => d.message).join("\n"));
    assert.deepEqual(
      outcome.plan.steps.map((s) => s.address),
      ["stream.S", "consumer.S.c"],
    );
  });

  it("a consumer whose live value exceeds a stricter limit goes first (10069)", () => {
    const outcome = planFor(
      `
streams:
  - name: S
    subjects: [s.>]
    consumer_limits: { max_ack_pending: 100 }
    consumers: [{ name: c, ack_policy: explicit }]
`,
      "2.15.1",
      [live({ name: "S", subjects: ["s.>"] })],
      [
        consumer("c", {
          ack_policy: "explicit",
          ack_wait: 30 * SECOND,
          max_ack_pending: 1000,
          max_waiting: 512,
        }),
      ],
    );
    assert.ok(outcome.plan);
    assert.deepEqual(
      outcome.plan.steps.map((s) => s.address),
      ["consumer.S.c", "stream.S"],
    );
  });

  it("an unlimited (-1) max_ack_pending does not hold up stricter limits: the server compares with >", () => {
    const outcome = planFor(
      `
streams:
  - name: S
    subjects: [s.>]
    consumer_limits: { max_ack_pending: 100, inactive_threshold: 1d }
    consumers: [{ name: c, ack_policy: explicit, inactive_threshold: 1d }]
`,
      "2.15.1",
      [live({ name: "S", subjects: ["s.>"], consumer_limits: { inactive_threshold: 2 * HOUR } })],
      [
        consumer("c", {
          ack_policy: "explicit",
          ack_wait: 30 * SECOND,
          max_ack_pending: -1,
          max_waiting: 512,
          inactive_threshold: 2 * HOUR,
        }),
      ],
    );
    assert.ok(outcome.plan, outcome.diagnostics.map((d) => d.message).join("\n"));
    assert.deepEqual(
      outcome.plan.steps.map((s) => s.address),
      ["stream.S", "consumer.S.c"],
    );
  });

  it("a consumer that must change both before and after its stream's new limits is refused at plan time", () => {
    const outcome = planFor(
      `
streams:
  - name: S
    subjects: [s.>]
    consumer_limits: { max_ack_pending: 100, inactive_threshold: 1d }
    consumers: [{ name: c, ack_policy: explicit, inactive_threshold: 1d }]
`,
      "2.15.1",
      [live({ name: "S", subjects: ["s.>"], consumer_limits: { inactive_threshold: 2 * HOUR } })],
      [
        consumer("c", {
          ack_policy: "explicit",
          ack_wait: 30 * SECOND,
          max_ack_pending: 1000,
          max_waiting: 512,
          inactive_threshold: 2 * HOUR,
        }),
      ],
    );
    assert.equal(outcome.plan, undefined);
    assert.deepEqual(
      outcome.diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.address]),
      [["plan.consumer-limits-order", "consumer.S.c"]],
    );
  });

  it("before 2.12.12 and 2.14.3 any change of consumer_limits fails while a consumer holds a value the new limits leave unset", () => {
    const manifest = `
streams:
  - name: S
    subjects: [s.>]
    consumer_limits: { inactive_threshold: 1h }
    consumers: [{ name: c, ack_policy: explicit }]
`;
    const actionOn = (version: string) => {
      const outcome = planFor(
        manifest,
        version,
        [live({ name: "S", subjects: ["s.>"] })],
        // The max_ack_pending of 1000 every explicit-ack consumer gets: 2.10.27 answered 10069
        // "change to limits violates consumers: c".
        [
          consumer("c", {
            ack_policy: "explicit",
            ack_wait: 30 * SECOND,
            max_ack_pending: 1000,
            max_waiting: 512,
          }),
        ],
      );
      return outcome.plan?.changes.find((c) => c.address === "stream.S")?.action;
    };
    assert.equal(actionOn("2.10.27"), "replace");
    assert.equal(actionOn("2.12.11"), "replace");
    assert.equal(actionOn("2.12.12"), "update");
    assert.equal(actionOn("2.14.2"), "replace");
    assert.equal(actionOn("2.14.3"), "update");
    assert.equal(actionOn("2.15.1"), "update");
  });
});

describe("work-queue streams", () => {
  it("a filtered consumer is created after the unfiltered one it replaces is deleted (10100)", () => {
    const outcome = planFor(
      `
owner: o
streams:
  - name: S
    subjects: [s.>]
    retention: workqueue
    consumers: [{ name: c1, ack_policy: explicit, filter_subject: s.a }]
`,
      "2.15.1",
      [live({ name: "S", subjects: ["s.>"], retention: "workqueue", metadata: { "jsplan.owner": "o" } })],
      [
        {
          stream: "S",
          config: {
            durable_name: "c0",
            name: "c0",
            ack_policy: "explicit",
            ack_wait: 30 * SECOND,
            max_ack_pending: 1000,
            max_waiting: 512,
            metadata: { "jsplan.owner": "o" },
          } as ConsumerConfig,
        },
      ],
    );
    assert.ok(outcome.plan, outcome.diagnostics.map((d) => d.message).join("\n"));
    const c1 = outcome.plan.steps.find((s) => s.address === "consumer.S.c1");
    assert.deepEqual(c1?.depends_on, ["consumer.S.c0"]);
  });
});

describe("work-queue streams with mirrors and sources", () => {
  const errorsOn = (version: string, source: Record<string, unknown>, filter?: string) => {
    const outcome = planFor(
      `
streams:
  - name: W
    subjects: [w.>]
    retention: workqueue
    consumers: [{ name: c, ack_policy: explicit${filter ? `, filter_subject: ${filter}` : ""} }]
`,
      version,
      [
        live({ name: "W", subjects: ["w.>"], retention: "workqueue" }),
        { config: { name: "T", sources: [{ name: "W", ...source }] } as StreamConfig },
      ],
    );
    return outcome.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
  };

  it("before 2.14 a mirror or source takes a consumer on the work queue (2.10.27: 10099, 10100)", () => {
    assert.deepEqual(errorsOn("2.10.27", {}, "w.b"), ["plan.workqueue-origin"]);
    assert.deepEqual(errorsOn("2.10.27", { filter_subject: "w.a" }), ["plan.workqueue-origin"]);
    assert.deepEqual(errorsOn("2.10.27", { filter_subject: "w.a" }, "w.*"), ["plan.workqueue-origin"]);
    assert.deepEqual(errorsOn("2.10.27", { filter_subject: "w.a" }, "w.b"), []);
    assert.deepEqual(errorsOn("2.10.27", { subject_transforms: [{ src: "w.c.>", dest: "x.>" }] }, "w.a"), []);
  });

  it("from 2.14 mirror and source consumers do not count (2.15.1)", () => {
    assert.deepEqual(errorsOn("2.15.1", {}, "w.b"), []);
    assert.deepEqual(errorsOn("2.15.1", {}), []);
  });
});

describe("work-queue streams, replaced", () => {
  it("the consumers of a stream that becomes a work queue do not wait for each other", () => {
    const unfiltered = (name: string) => ({
      stream: "S",
      config: {
        durable_name: name,
        name,
        ack_policy: "explicit",
        ack_wait: 30 * SECOND,
        max_ack_pending: 1000,
        max_waiting: 512,
      } as ConsumerConfig,
    });
    const outcome = planFor(
      `
streams:
  - name: S
    subjects: [s.>]
    retention: workqueue
    consumers:
      - { name: c0, ack_policy: explicit, filter_subject: s.a }
      - { name: c1, ack_policy: explicit, filter_subject: s.b }
`,
      "2.10.27",
      [live({ name: "S", subjects: ["s.>"] })],
      [unfiltered("c0"), unfiltered("c1")],
    );
    assert.ok(outcome.plan, outcome.diagnostics.map((d) => d.message).join("\n"));
    assert.deepEqual(
      outcome.plan.steps.map((s) => [s.address, s.action, s.depends_on]),
      [
        ["stream.S", "replace", []],
        ["consumer.S.c0", "replace", ["stream.S"]],
        ["consumer.S.c1", "replace", ["stream.S"]],
      ],
    );
  });
});

describe("sealed streams", () => {
  it("a replacement cannot be created sealed: the plan says so instead of failing halfway (10052)", () => {
    const outcome = planFor(
      `
streams:
  - { name: S, subjects: [s.>], storage: memory, sealed: true }
`,
      "2.10.27",
      [live({ name: "S", subjects: ["s.>"], storage: "file" })],
    );
    assert.equal(outcome.plan, undefined);
    assert.ok(outcome.diagnostics.some((d) => d.code === "plan.sealed-create" && d.severity === "error"));
  });

  it("a sealed stream with subject delete markers cannot be updated in place (2.15.1: every update refused)", () => {
    const sealed: StreamConfig = {
      name: "S",
      subjects: ["s.>"],
      sealed: true,
      deny_delete: true,
      deny_purge: true,
      allow_rollup_hdrs: false,
      discard: "new",
      allow_msg_ttl: true,
      subject_delete_marker_ttl: 5 * SECOND,
    } as StreamConfig;
    const outcome = planFor(
      `
streams:
  - { name: S, subjects: [s.>], subject_delete_marker_ttl: 5s, description: changed }
`,
      "2.15.1",
      [{ config: sealed }],
    );
    assert.equal(outcome.plan?.changes.find((c) => c.address === "stream.S")?.action, "replace");
  });
});

describe("the writer", () => {
  /** A JsApi that records the requests and answers them from a script. */
  function scripted(answers: Array<(body: unknown) => unknown>) {
    const sent: Array<{ subject: string; body: unknown }> = [];
    const api = new JsApi(undefined as never, { prefix: "$JS.API", timeout: 1000 });
    api.request = (async (suffix: string, body?: unknown) => {
      sent.push({ subject: suffix, body });
      const next = answers.shift();
      assert.ok(next, `unexpected request ${suffix}`);
      return next(body);
    }) as JsApi["request"];
    return { api, sent };
  }

  it("an update that keeps a counter or schedules stream sealed says discard old (2.15.1 refuses new)", async () => {
    const { api, sent } = scripted([(b) => ({ config: b }), (b) => ({ config: b })]);
    const w = new JetStreamWriter(api, parseVersion("2.15.1"));
    for (const flag of ["allow_msg_counter", "allow_msg_schedules"]) {
      await w.updateStream({ name: "S", sealed: true, discard: "new", [flag]: true } as StreamConfig);
    }
    assert.deepEqual(
      sent.map((s) => (s.body as StreamConfig).discard),
      ["old", "old"],
    );
  });

  it("a create that meets the server's store-folder race (10049) is sent again", async () => {
    const race = () => {
      throw new JsApiError(10049, 500, "error creating store for stream", "$JS.API.STREAM.CREATE.S");
    };
    const { api, sent } = scripted([race, (b) => ({ config: b })]);
    const w = new JetStreamWriter(api, parseVersion("2.10.27"));
    const stored = await w.createStream({ name: "S", subjects: ["s"] } as StreamConfig);
    assert.equal(stored.name, "S");
    assert.equal(sent.length, 2);
  });
});
