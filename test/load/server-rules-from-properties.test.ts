// Validation rules found missing (or wrong) by the property tests against real servers (test/property/):
// manifests jsplan accepted and nats-server 2.10.27 and 2.15.1 refused, or the reverse. Each case names the
// server's answer it stands for.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSources } from "../../src/load/load.js";

function problems(text: string): string[] {
  const r = loadSources([{ path: "m.yaml", text }], {});
  return r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.address} ${d.code}`);
}

describe("validation rules the property tests found", () => {
  it("a push consumer with ack_policy none on a stream with consumer_limits.max_ack_pending (10082)", () => {
    const stream = (ack: string, push: boolean) => `
streams:
  - name: S
    subjects: [s.>]
    consumer_limits: { max_ack_pending: 100 }
    consumers:
      - name: c
        ack_policy: ${ack}
${push ? "        deliver_subject: d.c\n" : ""}`;
    assert.deepEqual(problems(stream("none", true)), ["consumer.S.c semantic.consumer-limits"]);
    assert.deepEqual(problems(stream("explicit", true)), []);
    assert.deepEqual(problems(stream("none", false)), [], "a pull consumer takes the stream's limit");
  });

  it("a mirror or source whose max_msg_size is below its origin's (10030, 10046)", () => {
    const m = (origin: string, own: string, kind: "mirror" | "sources") => `
streams:
  - { name: O, subjects: [o.>]${origin ? `, max_msg_size: ${origin}` : ""} }
  - name: M
${own ? `    max_msg_size: ${own}\n` : ""}${kind === "mirror" ? "    mirror: { name: O }" : "    sources: [{ name: O, filter_subject: o.a }]"}
`;
    assert.deepEqual(problems(m("1KiB", "512", "mirror")), ["stream.M semantic.origin-message-size"]);
    assert.deepEqual(problems(m("1KiB", "512", "sources")), ["stream.M semantic.origin-message-size"]);
    assert.deepEqual(problems(m("1KiB", "1024", "mirror")), []);
    assert.deepEqual(problems(m("1KiB", "", "mirror")), [], "unlimited takes anything");
    assert.deepEqual(problems(m("", "512", "sources")), [], "an unlimited origin is not checked");
    assert.deepEqual(
      problems(`
key_value:
  - { bucket: a, max_value_size: 2KiB }
  - { bucket: b, max_value_size: 1KiB, mirror: { name: a } }
`),
      ["kv.b semantic.origin-message-size"],
    );
  });

  it("two paths to one origin, which the server reports as a cycle ('detected cycle', 10052)", () => {
    assert.deepEqual(
      problems(`
streams:
  - { name: A, subjects: [a.>] }
  - { name: B, sources: [{ name: A }] }
  - { name: C, sources: [{ name: A }, { name: B }] }
`),
      ["stream.C semantic.source-walk"],
    );
    assert.deepEqual(
      problems(`
streams:
  - { name: A, subjects: [a.>] }
  - { name: B, sources: [{ name: A }] }
  - { name: C, sources: [{ name: B }] }
  - { name: D, mirror: { name: C } }
`),
      [],
      "a chain is fine",
    );
    assert.deepEqual(
      problems(`
streams:
  - { name: A, subjects: [a.>] }
  - { name: C, sources: [{ name: A, filter_subject: a.x }, { name: A, filter_subject: a.y }] }
`),
      [],
      "one origin twice, directly, with different filters is fine",
    );
    assert.deepEqual(
      problems(`
streams:
  - { name: A, subjects: [a.>] }
  - { name: B, subjects: [b.>], sources: [{ name: A, filter_subject: a.x }] }
  - { name: C, sources: [{ name: A }, { name: B }] }
`),
      [],
      "the second path has a filter outside the subjects of the stream that sources it",
    );
    assert.deepEqual(
      problems(`
key_value:
  - { bucket: a }
  - { bucket: b, sources: [{ name: a }] }
  - { bucket: c, sources: [{ name: a }, { name: b }] }
`),
      ["kv.c semantic.source-walk"],
    );
  });

  it("ack_policy flow_control without max_ack_pending takes the default; unlimited is refused (10220)", () => {
    const c = (extra: string) => `
streams:
  - name: S
    subjects: [s.>]
    consumers:
      - { name: c, ack_policy: flow_control, deliver_subject: d.c${extra} }
`;
    assert.deepEqual(problems(c("")), []);
    assert.deepEqual(problems(c(", max_ack_pending: 10")), []);
    assert.deepEqual(problems(c(", max_ack_pending: -1")), ["consumer.S.c semantic.ack-flow-control"]);
  });

  it("two sources of one bucket that copy the same keys (10140)", () => {
    const kv = (second: string) => `
key_value:
  - { bucket: a }
  - { bucket: b, sources: [{ name: a }, ${second}] }
`;
    assert.deepEqual(problems(kv("{ name: a, filter_subject: $KV.a.> }")), [
      "kv.b semantic.source-duplicate",
    ]);
    assert.deepEqual(problems(kv("{ name: a, opt_start_seq: 5 }")), ["kv.b semantic.source-duplicate"]);
    assert.deepEqual(problems(kv("{ name: a, filter_subject: $KV.a.k.> }")), []);
  });
});
