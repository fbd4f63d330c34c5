// The pure parts of jsplan watch, without a server: the drift picture and its changes, what --apply
// corrects and leaves alone (destructive, backoff, contested), the advisory subjects, --metrics-listen.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ApplyResult, StepStatus } from "../../src/apply/result.js";
import { parseListen } from "../../src/cli/args/watch.js";
import { type DriftEntry, type DriftPicture, driftChanges } from "../../src/model/drift.js";
import { parseAdvisorySubject } from "../../src/observe/advisories.js";
import { Corrections } from "../../src/reconcile/watch-corrections.js";

const entry = (address: string, more: Partial<DriftEntry> = {}): DriftEntry => ({
  address,
  kind: "stream",
  action: "update",
  destructive: false,
  fields: [{ path: "max_age", before: 1, after: 2 }],
  ...more,
});
const picture = (...entries: DriftEntry[]): DriftPicture => new Map(entries.map((e) => [e.address, e]));
const result = (address: string, status: StepStatus): ApplyResult => ({
  results: [{ address, action: "update", status, duration_ms: 1 }],
  summary: { succeeded: 0, failed: 0, not_executed: 0, changed: 0, unknown: 0 },
  duration_ms: 1,
});

describe("the drift picture's changes", () => {
  it("new drift, changed drift and resolved drift, each once, new first", () => {
    const a = entry("stream.A");
    const b = entry("stream.B");
    const b2 = entry("stream.B", { fields: [{ path: "max_age", before: 1, after: 3 }] });
    const c = entry("stream.C");
    const reports = driftChanges(picture(a, b), picture(b2, c));
    assert.deepEqual(
      reports.map((r) => `${r.type} ${r.entry.address}`),
      ["drift stream.C", "changed stream.B", "resolved stream.A"],
    );
    assert.deepEqual(driftChanges(picture(b2, c), picture(b2, c)), [], "the same picture again: nothing");
  });
});

describe("what watch --apply corrects", () => {
  it("destructive drift only with --allow-destroy, told once", () => {
    const k = new Corrections();
    const p = picture(entry("stream.A"), entry("stream.D", { action: "delete", destructive: true }));
    const first = k.choose(p, false, 0);
    assert.deepEqual(first.wanted, ["stream.A"]);
    assert.deepEqual(first.leftAlone.get("destructive"), ["stream.D"]);
    assert.deepEqual(k.choose(p, false, 1).leftAlone.get("destructive"), [], "not told again");
    assert.deepEqual(k.choose(p, true, 2).wanted, ["stream.A", "stream.D"]);
  });

  it("a failed correction waits 1 s, then 2 s, 4 s … up to 5 min: never a tight loop", () => {
    const k = new Corrections();
    const p = picture(entry("stream.A"));
    const waits: number[] = [];
    let now = 0;
    for (let i = 0; i < 12; i++) {
      k.applied(result("stream.A", "failed"), now);
      let t = now;
      while (k.choose(p, false, t).wanted.length === 0) t += 100;
      waits.push(t - now);
      now = t;
    }
    assert.deepEqual(waits.slice(0, 5), [1000, 2000, 4000, 8000, 16000]);
    assert.equal(Math.max(...waits), 300_000);
    // In sync again: the backoff is forgotten.
    k.seen(picture());
    k.applied(result("stream.A", "failed"), now);
    assert.deepEqual(k.choose(p, false, now + 1000).wanted, ["stream.A"]);
  });

  it("a resource changed back after 3 corrections within 10 minutes is contested, and left alone", () => {
    const k = new Corrections();
    const p = picture(entry("stream.A"));
    for (const t of [0, 60_000, 120_000]) {
      assert.deepEqual(k.choose(p, false, t).wanted, ["stream.A"]);
      k.applied(result("stream.A", "succeeded"), t);
    }
    const then = k.choose(p, false, 180_000);
    assert.deepEqual([then.wanted, then.leftAlone.get("contested")], [[], ["stream.A"]]);
    assert.deepEqual(k.choose(p, false, 120_000 + 30 * 60_000 + 1).wanted, ["stream.A"], "30 minutes later");
    // Corrections spread over more than 10 minutes are not a contest.
    const slow = new Corrections();
    for (const t of [0, 400_000, 800_000, 1_200_000]) slow.applied(result("stream.A", "succeeded"), t);
    assert.deepEqual(slow.choose(p, false, 1_200_001).wanted, ["stream.A"]);
    // A changed manifest: tried again at once.
    k.reset();
    assert.deepEqual(k.choose(p, false, 180_000).wanted, ["stream.A"]);
  });
});

describe("advisory subjects", () => {
  it("streams and consumers created, updated and deleted; nothing else", () => {
    assert.deepEqual(parseAdvisorySubject("$JS.EVENT.ADVISORY.STREAM.UPDATED.ORDERS"), {
      kind: "stream",
      event: "updated",
      stream: "ORDERS",
    });
    assert.deepEqual(parseAdvisorySubject("$JS.EVENT.ADVISORY.CONSUMER.DELETED.ORDERS.c1"), {
      kind: "consumer",
      event: "deleted",
      stream: "ORDERS",
      consumer: "c1",
    });
    for (const other of [
      "$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.ORDERS",
      "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS.c1",
      "$JS.EVENT.ADVISORY.STREAM.CREATED",
      "$JS.EVENT.METRIC.CONSUMER.ACK.ORDERS.c1",
    ]) {
      assert.equal(parseAdvisorySubject(other), undefined, other);
    }
  });
});

describe("--metrics-listen", () => {
  it("HOST:PORT, :PORT and [IPv6]:PORT", () => {
    assert.deepEqual(parseListen("127.0.0.1:9464"), { host: "127.0.0.1", port: 9464 });
    assert.deepEqual(parseListen(":9464"), { host: "0.0.0.0", port: 9464 });
    assert.deepEqual(parseListen("[::1]:9464"), { host: "::1", port: 9464 });
    for (const bad of ["9464", "host:", "host:99999", "a:b:1"]) assert.equal(parseListen(bad), null, bad);
  });
});
