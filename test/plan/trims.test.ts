// What an in-place update that lowers a limit removes, from the stream's state, without a server.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StreamConfig } from "../../src/model/jetstream.js";
import type { ObservedStream } from "../../src/model/observed.js";
import { SECOND } from "../../src/model/units.js";
import { parseVersion } from "../../src/model/version.js";
import { trimmingOf } from "../../src/plan/trims.js";

const V15 = parseVersion("2.15.1");
const V10 = parseVersion("2.10.27");
const cfg = (more: Partial<StreamConfig> = {}) =>
  ({
    name: "S",
    max_msgs: -1,
    max_bytes: -1,
    max_msgs_per_subject: -1,
    max_age: 0,
    discard: "old",
    ...more,
  }) as StreamConfig;
const held = (messages: number, bytes: number, more: Partial<ObservedStream> = {}): ObservedStream => ({
  name: "S",
  config: cfg(),
  created: "2026-01-01T00:00:00Z",
  state: { messages, bytes, consumer_count: 0, first_ts: "2026-01-01T00:00:00Z" },
  observedAt: "2026-01-01T00:01:00Z",
  ...more,
});

describe("updates that remove messages", () => {
  it("max_msgs below the count: exact", () => {
    const t = trimmingOf(cfg(), cfg({ max_msgs: 1 }), held(1000, 50_000), V15);
    assert.deepEqual(t?.trims, { messages: 999, exact: true, fields: ["max_msgs"] });
    assert.equal(t?.reason.code, "update-removes-messages");
    assert.match(t!.reason.message, /removes 999 messages at once: max_msgs 1 is below the 1,000 messages/);
  });

  it("nothing is removed at or above what the stream holds, from an empty stream, or with discard new", () => {
    assert.equal(trimmingOf(cfg(), cfg({ max_msgs: 1000 }), held(1000, 1), V15), undefined);
    assert.equal(trimmingOf(cfg(), cfg({ max_msgs: 1 }), held(0, 0), V15), undefined);
    assert.equal(trimmingOf(cfg(), cfg({ max_msgs: 1, discard: "new" }), held(10, 10), V15), undefined);
    assert.equal(trimmingOf(cfg(), cfg({ max_bytes: 100, discard: "new" }), held(10, 1000), V15), undefined);
  });

  it("max_bytes: at least one; max_msgs_per_subject: some; max_age by the oldest message's age", () => {
    assert.deepEqual(trimmingOf(cfg(), cfg({ max_bytes: 100 }), held(10, 1000), V15)?.trims, {
      messages: 1,
      exact: false,
      fields: ["max_bytes"],
    });
    assert.deepEqual(trimmingOf(cfg(), cfg({ max_msgs_per_subject: 2 }), held(10, 1000), V15)?.trims, {
      messages: null,
      exact: false,
      fields: ["max_msgs_per_subject"],
    });
    assert.match(
      trimmingOf(cfg(), cfg({ max_msgs_per_subject: 2 }), held(10, 1000), V10)!.reason.message,
      /when the subject gets its next message/,
    );
    assert.deepEqual(trimmingOf(cfg(), cfg({ max_age: 30 * SECOND }), held(10, 1000), V15)?.trims, {
      messages: 1,
      exact: false,
      fields: ["max_age"],
    });
    assert.equal(trimmingOf(cfg(), cfg({ max_age: 90 * SECOND }), held(10, 1000), V15), undefined);
    // Raising a limit removes nothing.
    assert.equal(
      trimmingOf(cfg({ max_age: 10 * SECOND }), cfg({ max_age: 20 * SECOND }), held(10, 1), V15),
      undefined,
    );
  });

  it("several limits: the largest known count, no longer exact", () => {
    const t = trimmingOf(cfg(), cfg({ max_msgs: 5, max_bytes: 10 }), held(10, 1000), V15);
    assert.deepEqual(t?.trims, { messages: 5, exact: false, fields: ["max_msgs", "max_bytes"] });
  });
});
