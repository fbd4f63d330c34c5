// Properties of the pure core, over generated manifests and server states (fast-check):
// - a server that holds exactly what the plan asked for needs no further plan (canonical forms are stable);
// - canonicalisation is idempotent;
// - the order of steps respects every dependency, and every acting change has exactly one step;
// - the renderers accept every plan.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalConsumer } from "../../src/jetstream/canonical-consumer.js";
import { canonicalStream } from "../../src/jetstream/canonical-stream.js";
import { loadSources } from "../../src/load/load.js";
import type { ConsumerConfig, StreamConfig } from "../../src/model/jetstream.js";
import type { Plan } from "../../src/model/plan.js";
import { parseVersion } from "../../src/model/version.js";
import { buildPlan } from "../../src/plan/plan.js";
import { renderPlanMarkdown } from "../../src/render/markdown.js";
import { PLAIN } from "../../src/render/style.js";
import { renderPlanText } from "../../src/render/text.js";
import { observedFrom } from "../support/observed-fixture.js";

const VERSIONS = ["2.10.27", "2.15.1"];

const duration = fc.constantFrom("1s", "30s", "1m", "5m", "1h", "1d", "30d");
const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/);

const consumerArb = fc.record(
  {
    ack_policy: fc.constantFrom("none", "all", "explicit"),
    deliver_policy: fc.constantFrom("all", "new", "last"),
    max_deliver: fc.integer({ min: 1, max: 10 }),
    ack_wait: duration,
    description: fc.string({ maxLength: 10 }),
    max_ack_pending: fc.integer({ min: 1, max: 5000 }),
    filter_subject: fc.constant("SUBJ.a"),
    headers_only: fc.boolean(),
    inactive_threshold: duration,
    push: fc.boolean(),
  },
  { requiredKeys: ["push"] },
);

const streamArb = fc.record(
  {
    retention: fc.constantFrom("limits", "interest", "workqueue"),
    storage: fc.constantFrom("file", "memory"),
    max_age: duration,
    max_msgs: fc.integer({ min: 1, max: 1_000_000 }),
    max_bytes: fc.constantFrom("1MiB", "1GiB", -1),
    discard: fc.constantFrom("old", "new"),
    description: fc.string({ maxLength: 10 }),
    allow_direct: fc.boolean(),
    deny_delete: fc.boolean(),
    compression: fc.constantFrom("none", "s2"),
    metadata: fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
    consumers: fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), consumerArb), {
      maxLength: 3,
      selector: (x) => x[0],
    }),
  },
  { requiredKeys: ["consumers"] },
);

type GenStream = { retention?: string; consumers: Array<[string, Record<string, unknown>]> } & Record<
  string,
  unknown
>;

function manifestOf(streams: Array<[string, GenStream]>): string {
  const out = { version: 1, owner: "prop", streams: [] as unknown[] };
  streams.forEach(([n, s], i) => {
    const subj = `s${i}`;
    const { consumers, ...rest } = s;
    const cons = consumers.map(([cn, c], j) => {
      const { push, filter_subject, ...cc } = c as { push: boolean; filter_subject?: string } & Record<
        string,
        unknown
      >;
      const fixed: Record<string, unknown> = { name: cn, ...cc };
      if (push) {
        fixed.deliver_subject = `deliver.${subj}.${cn}`;
        if (fixed.ack_policy === "none") delete fixed.max_ack_pending;
      }
      if (filter_subject) fixed.filter_subject = `${subj}.${j}`;
      // A durable consumer with inactive_threshold is reaped by the server; keep the generated ones stable.
      delete fixed.inactive_threshold;
      if (s.retention === "workqueue") {
        fixed.ack_policy = "explicit";
        fixed.deliver_policy = "all";
        fixed.filter_subject = `${subj}.${j}`;
      }
      return fixed;
    });
    out.streams.push({ name: n, subjects: [`${subj}.>`], ...rest, consumers: cons });
  });
  return JSON.stringify(out);
}

/** What a server holds after applying the plan: each create's and update's `after`. */
function serverAfter(plan: Plan, version: string) {
  const streams: Array<{ config: StreamConfig }> = [];
  const consumers: Array<{ stream: string; config: ConsumerConfig }> = [];
  for (const c of plan.changes) {
    if (!c.after) continue;
    if (c.kind === "consumer")
      consumers.push({ stream: c.stream!, config: c.after as unknown as ConsumerConfig });
    else streams.push({ config: c.after as unknown as StreamConfig });
  }
  return observedFrom({ server: { version }, streams, consumers });
}

describe("properties of the planner", () => {
  for (const version of VERSIONS) {
    it(`${version}: planning against what the last plan asked for gives an empty plan`, () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.tuple(name, streamArb), { minLength: 1, maxLength: 4, selector: (x) => x[0] }),
          (streams) => {
            const loaded = loadSources(
              [{ path: "m.yaml", text: manifestOf(streams as Array<[string, GenStream]>) }],
              {},
            );
            fc.pre(loaded.desired !== undefined);
            const first = buildPlan({
              desired: loaded.desired!,
              observed: observedFrom({ server: { version } }),
              jsplanVersion: "t",
            });
            assert.ok(first.plan, first.diagnostics.map((d) => d.message).join("\n"));
            const second = buildPlan({
              desired: loaded.desired!,
              observed: serverAfter(first.plan!, version),
              jsplanVersion: "t",
            });
            assert.ok(second.plan);
            assert.deepEqual(
              second.plan!.changes.filter((c) => c.action !== "no-op").map((c) => [c.address, c.diff]),
              [],
            );
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it("canonical forms are idempotent", () => {
    const v = parseVersion("2.15.1");
    fc.assert(
      fc.property(
        fc.record({
          name,
          max_age: fc.integer({ min: 0, max: 1e12 }),
          max_msgs: fc.integer({ min: -5, max: 100 }),
          sealed: fc.boolean(),
          subjects: fc.array(fc.constantFrom("a.>", "b.*"), { maxLength: 2 }),
        }),
        (cfg) => {
          const once = canonicalStream(cfg as StreamConfig, { version: v });
          assert.deepEqual(canonicalStream(once, { version: v }), once);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.record({
          durable_name: fc.constant("c"),
          ack_policy: fc.constantFrom("none", "all", "explicit"),
          backoff: fc.array(fc.integer({ min: 0, max: 1e10 }), { maxLength: 3 }),
          max_waiting: fc.integer({ min: -1, max: 600 }),
        }),
        (cfg) => {
          const once = canonicalConsumer(cfg as ConsumerConfig, {
            version: v,
            streamLimits: { max_ack_pending: 7 },
          });
          assert.deepEqual(
            canonicalConsumer(once, { version: v, streamLimits: { max_ack_pending: 7 } }),
            once,
          );
        },
      ),
    );
  });

  it("steps follow their dependencies, one step per acting change; every renderer accepts the plan", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(name, streamArb), { minLength: 1, maxLength: 5, selector: (x) => x[0] }),
        fc.constantFrom(...VERSIONS),
        (streams, version) => {
          const loaded = loadSources(
            [{ path: "m.yaml", text: manifestOf(streams as Array<[string, GenStream]>) }],
            {},
          );
          fc.pre(loaded.desired !== undefined);
          const { plan } = buildPlan({
            desired: loaded.desired!,
            observed: observedFrom({ server: { version } }),
            jsplanVersion: "t",
          });
          assert.ok(plan);
          const seen = new Set<string>();
          for (const s of plan.steps) {
            for (const d of s.depends_on)
              assert.ok(seen.has(d), `${s.address} runs before its dependency ${d}`);
            seen.add(s.address);
          }
          assert.equal(plan.steps.length, plan.changes.filter((c) => c.action !== "no-op").length);
          assert.match(renderPlanText(plan, PLAIN), /Plan: \d+ to create|No changes/);
          assert.match(renderPlanMarkdown(plan), /<!-- jsplan-plan/);
        },
      ),
      { numRuns: 100 },
    );
  });
});
