// ignore_changes without a server: the ignored fields' live values win (no update, no drift, one warning at
// the resource), `all` is create-only, a change that forces a replace is not hidden, jsplan's markers are
// kept, and a field the resource does not have is a load error at the entry.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSources } from "../../src/load/load.js";
import type { ConsumerConfig, StreamConfig } from "../../src/model/jetstream.js";
import { buildPlan } from "../../src/plan/plan.js";
import { observedFrom } from "../support/observed-fixture.js";

const own = { "jsplan.owner": "t" };
const GIB = 2 ** 30;
const HOUR = 3600e9;

function planFor(
  manifest: string,
  live: { stream?: Partial<StreamConfig>; consumer?: Partial<ConsumerConfig> },
) {
  const loaded = loadSources([{ path: "m.yaml", text: manifest }], {});
  assert.ok(loaded.desired, loaded.diagnostics.map((d) => d.message).join("\n"));
  const stream = {
    name: "S",
    subjects: ["s.>"],
    storage: "file",
    num_replicas: 1,
    metadata: own,
    ...live.stream,
  };
  const observed = observedFrom({
    server: { version: "2.15.1" },
    streams: [{ config: stream as StreamConfig }],
    consumers: live.consumer
      ? [
          {
            stream: "S",
            config: {
              name: "c",
              durable_name: "c",
              ack_policy: "explicit",
              metadata: own,
              ...live.consumer,
            } as ConsumerConfig,
          },
        ]
      : [],
  });
  return buildPlan({ desired: loaded.desired, observed, jsplanVersion: "t" });
}

const doc = (streamLines: string[], consumerLines?: string[]) =>
  [
    "version: 1",
    "owner: t",
    "streams:",
    "  - name: S",
    '    subjects: ["s.>"]',
    ...streamLines.map((l) => `    ${l}`),
    ...(consumerLines
      ? [
          "    consumers:",
          "      - name: c",
          "        ack_policy: explicit",
          ...consumerLines.map((l) => `        ${l}`),
        ]
      : []),
    "",
  ].join("\n");

const actions = (r: ReturnType<typeof planFor>) => r.plan!.changes.map((c) => `${c.address} ${c.action}`);

describe("ignore_changes", () => {
  it("an ignored field changed by hand is no change, and is said once at the resource", () => {
    const m = doc(["max_bytes: 1GiB", "ignore_changes: [max_bytes]"]);
    const r = planFor(m, { stream: { max_bytes: 2 * GIB } });
    assert.deepEqual(actions(r), ["stream.S no-op"]);
    const w = r.plan!.warnings.filter((x) => x.code === "plan.ignored-changes");
    assert.equal(w.length, 1);
    assert.equal(w[0]!.address, "stream.S");
    assert.match(w[0]!.message, /^ignore_changes: max_bytes differs on the server and is left as it is/);
    // The others still count.
    const both = planFor(doc(["max_bytes: 1GiB", "max_age: 1h", "ignore_changes: [max_bytes]"]), {
      stream: { max_bytes: 2 * GIB, max_age: 2 * HOUR },
    });
    const s = both.plan!.changes[0]!;
    assert.deepEqual([s.action, s.diff.map((d) => d.path)], ["update", ["max_age"]]);
    assert.equal(
      (s.after as { max_bytes?: number }).max_bytes,
      2 * GIB,
      "the update keeps the live max_bytes",
    );
  });

  it("a nested field, and metadata without jsplan's markers", () => {
    const m = doc([
      "consumer_limits: { max_ack_pending: 10 }",
      "metadata: { team: a }",
      "ignore_changes: [consumer_limits.max_ack_pending, metadata]",
    ]);
    const r = planFor(m, {
      stream: { consumer_limits: { max_ack_pending: 50 }, metadata: { ...own, team: "b", extra: "x" } },
    });
    assert.deepEqual(actions(r), ["stream.S no-op"]);
    // Unmarked (to adopt): the owner marker is still written.
    const adopt = planFor(m, {
      stream: { consumer_limits: { max_ack_pending: 50 }, metadata: { team: "b" } },
    });
    const s = adopt.plan!.changes[0]!;
    assert.equal(s.action, "update");
    assert.deepEqual(
      s.diff.map((d) => d.path),
      ['metadata["jsplan.owner"]'],
    );
  });

  it("all: create-only; a consumer changed by hand is left as it is", () => {
    const m = doc([], ["max_ack_pending: 100", "description: declared", "ignore_changes: all"]);
    const r = planFor(m, { consumer: { max_ack_pending: 500, description: "by hand" } });
    assert.deepEqual(actions(r).sort(), ["consumer.S.c no-op", "stream.S no-op"]);
    // Missing: created as declared.
    const created = planFor(m, {});
    const c = created.plan!.changes.find((x) => x.address === "consumer.S.c")!;
    assert.equal(c.action, "create");
    assert.equal((c.after as { max_ack_pending?: number }).max_ack_pending, 100);
  });

  it("a change that forces a replace is not hidden", () => {
    const r = planFor(doc(["storage: memory", "ignore_changes: [storage]"]), { stream: { storage: "file" } });
    assert.deepEqual(actions(r).slice(0, 1), ["stream.S replace"]);
    const all = planFor(doc(["storage: memory", "ignore_changes: all"]), { stream: { storage: "file" } });
    assert.equal(all.plan!.changes[0]!.action, "replace");
  });

  it("a field the resource does not have is an error at the entry, with the nearest name", () => {
    const loaded = loadSources(
      [{ path: "m.yaml", text: doc(["ignore_changes: [max_bytes, max_agee]"]) }],
      {},
    );
    const [e, ...more] = loaded.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(more, []);
    assert.deepEqual([e?.code, e?.address, e?.pos?.line], ["semantic.ignore-changes", "stream.S", 6]);
    assert.match(e!.message, /"max_agee" is not a field of a stream; did you mean max_age\?/);
    const kv = loadSources(
      [
        {
          path: "k.yaml",
          text: "version: 1\nkey_value:\n  - bucket: b\n    history: 5\n    ignore_changes: [history, retention]\n",
        },
      ],
      {},
    );
    assert.match(kv.diagnostics[0]?.message ?? "", /"retention" is not a field of a KV bucket/);
  });
});
