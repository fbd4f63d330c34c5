// The preflight's arithmetic without a server: account limits in execution order, the stable codes, and
// the versions' differences. The same rules are checked against real servers in test/preflight/.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSources } from "../../src/load/load.js";
import type { ConsumerConfig, StreamConfig } from "../../src/model/jetstream.js";
import type { AccountLimits } from "../../src/model/observed.js";
import { parseVersion } from "../../src/model/version.js";
import { refusedForHidden } from "../../src/plan/origin-limits.js";
import { buildPlan } from "../../src/plan/plan.js";
import { observedFrom } from "../support/observed-fixture.js";

interface Live {
  streams?: Array<{
    config: StreamConfig;
    state?: { messages: number; bytes: number; consumer_count: number };
  }>;
  consumers?: Array<{ stream: string; config: ConsumerConfig }>;
  tiers?: Record<string, AccountLimits>;
  cluster?: boolean;
}

function planFor(manifest: string, limits: AccountLimits, live: Live = {}, version = "2.15.1") {
  const loaded = loadSources([{ path: "m.yaml", text: manifest }], {});
  assert.ok(loaded.desired, loaded.diagnostics.map((d) => d.message).join("\n"));
  const { cluster, ...rest } = live;
  const server = cluster ? { version, cluster: "c", clusterSize: 3 } : { version };
  const observed = observedFrom({ server, limits, ...rest });
  return buildPlan({
    desired: loaded.desired,
    observed: live.tiers ? { ...observed, tiers: live.tiers } : observed,
    jsplanVersion: "t",
  });
}

const MIB = 2 ** 20;
const GIB = 2 ** 30;

const codes = (r: ReturnType<typeof planFor>) =>
  r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.address}`);

const stream = (name: string, more: Partial<StreamConfig> = {}) => ({
  config: {
    name,
    subjects: [`${name.toLowerCase()}.>`],
    storage: "file",
    num_replicas: 1,
    max_bytes: -1,
    ...more,
  } as StreamConfig,
});

const doc = (...streams: string[]) => `version: 1\nowner: t\nstreams:\n${streams.join("")}`;
const s = (name: string, ...lines: string[]) =>
  `  - name: ${name}\n    subjects: ["${name.toLowerCase()}.>"]\n${lines.map((l) => `    ${l}\n`).join("")}`;

describe("preflight: storage and memory reservations", () => {
  it("counts the live streams' max_bytes and refuses the create that does not fit, with the numbers", () => {
    const r = planFor(
      doc(s("NEW", "max_bytes: 513MiB")),
      { max_storage: GIB },
      {
        streams: [stream("OLD", { max_bytes: 512 * MIB })],
      },
    );
    assert.deepEqual(codes(r), ["plan.account-storage stream.NEW"]);
    assert.match(r.diagnostics[0]!.message, /max_storage 1GiB.*OLD 512MiB.*513MiB, 1025MiB in all.*10047/);
    assert.equal(r.plan, undefined);
  });

  it("a create that fills the account exactly fits", () => {
    const r = planFor(
      doc(s("NEW", "max_bytes: 512MiB")),
      { max_storage: GIB },
      {
        streams: [stream("OLD", { max_bytes: 512 * MIB })],
      },
    );
    assert.deepEqual(codes(r), []);
    assert.ok(r.plan);
  });

  it("a stream without max_bytes asks for 1 byte: refused by a fully reserved account only", () => {
    const full = { streams: [stream("OLD", { max_bytes: GIB })] };
    assert.deepEqual(codes(planFor(doc(s("NEW")), { max_storage: GIB }, full)), [
      "plan.account-storage stream.NEW",
    ]);
    assert.deepEqual(codes(planFor(doc(s("NEW")), { max_storage: GIB + 1 }, full)), []);
  });

  it("memory and file storage are counted apart", () => {
    const r = planFor(doc(s("M", "storage: memory", "max_bytes: 10MiB")), {
      max_memory: 8 * MIB,
      max_storage: GIB,
    });
    assert.deepEqual(codes(r), ["plan.account-memory stream.M"]);
    assert.match(r.diagnostics[0]!.message, /10028/);
  });

  it("an update asks for its new max_bytes on top of the others (2.15) and for the larger of old and new (2.10)", () => {
    const live = { streams: [stream("A", { max_bytes: 600 * MIB }), stream("B", { max_bytes: 400 * MIB })] };
    const lower = doc(s("A", "max_bytes: 500MiB"), s("B", "max_bytes: 400MiB"));
    // A lowered max_bytes of an over-reserved account: 2.15 counts the new value, 2.10 the old one.
    assert.deepEqual(codes(planFor(lower, { max_storage: 950 * MIB }, live, "2.15.1")), []);
    assert.deepEqual(codes(planFor(lower, { max_storage: 950 * MIB }, live, "2.10.27")), [
      "plan.account-storage stream.A",
    ]);
    const raise = doc(s("A", "max_bytes: 700MiB"), s("B", "max_bytes: 400MiB"));
    for (const v of ["2.10.27", "2.15.1"]) {
      assert.deepEqual(
        codes(planFor(raise, { max_storage: GIB }, live, v)),
        ["plan.account-storage stream.A"],
        v,
      );
      assert.deepEqual(codes(planFor(raise, { max_storage: 1100 * MIB }, live, v)), [], v);
    }
  });

  it("room a delete frees counts for the steps after it; a replace frees its own room first", () => {
    const owned = { metadata: { "jsplan.owner": "t" } };
    // GONE is owned and not in the manifest: its deletion runs before the creates.
    const gone = { streams: [stream("GONE", { max_bytes: GIB, ...owned })] };
    const freed = planFor(doc(s("NEW", "max_bytes: 1GiB")), { max_storage: GIB }, gone);
    assert.deepEqual(codes(freed), []);
    assert.deepEqual(freed.plan!.steps.find((x) => x.address === "stream.NEW")?.depends_on, ["stream.GONE"]);
    const live = { streams: [stream("OLD", { max_bytes: GIB, storage: "memory", ...owned })] };
    // The replace (storage memory → file) deletes OLD first, so its create fits in the freed room.
    const r = planFor(
      doc(s("OLD", "storage: file", "max_bytes: 1GiB")),
      { max_storage: GIB, max_memory: GIB },
      live,
    );
    assert.deepEqual(codes(r), []);
  });

  it("many streams: one error at the first that does not fit, naming the steps after it", () => {
    const many = Array.from({ length: 6 }, (_, i) => s(`S${i}`, "max_bytes: 1GiB"));
    const r = planFor(doc(...many), { max_storage: 4 * GIB });
    assert.deepEqual(codes(r), ["plan.account-storage stream.S4"]);
    assert.match(r.diagnostics[0]!.message, /The step after it that needs the same room|stream\.S5/);
  });
});

describe("preflight: counts and per-stream limits", () => {
  it("max_streams, max_bytes_required, a stream max_consumers above the account's", () => {
    const r = planFor(doc(s("A", "max_bytes: 1MiB"), s("B", "max_bytes: 1MiB", "max_consumers: 9"), s("C")), {
      max_streams: 2,
      max_bytes_required: true,
      max_consumers: 3,
    });
    assert.deepEqual(codes(r).sort(), [
      "plan.account-max-bytes-required stream.C",
      "plan.account-max-consumers stream.B",
    ]);
    // B is refused, so C is the second stream: within max_streams.
    const three = planFor(
      doc(s("A", "max_bytes: 1MiB"), s("B", "max_bytes: 1MiB"), s("C", "max_bytes: 1MiB")),
      {
        max_streams: 2,
      },
    );
    assert.deepEqual(codes(three), ["plan.account-streams stream.C"]);
  });

  it("the largest max_bytes of one stream (storage_max_stream_bytes)", () => {
    const r = planFor(doc(s("A", "max_bytes: 2GiB")), { storage_max_stream_bytes: GIB });
    assert.deepEqual(codes(r), ["plan.account-max-stream-bytes stream.A"]);
    assert.equal(r.diagnostics[0]!.path, "max_bytes");
  });

  it("the account's max_consumers applies per stream, with live and ephemeral consumers counted", () => {
    const consumers = (n: number) => [
      "consumers:",
      ...Array.from({ length: n }, (_, i) => `  - { name: c${i}, ack_policy: explicit }`),
    ];
    assert.deepEqual(
      codes(planFor(doc(s("P", ...consumers(3)), s("Q", ...consumers(3))), { max_consumers: 3 })),
      [],
    );
    const owned = { metadata: { "jsplan.owner": "t" } };
    const live = {
      streams: [stream("P", owned)],
      consumers: [
        {
          stream: "P",
          config: { name: "old", durable_name: "old", ack_policy: "explicit", ...owned } as ConsumerConfig,
        },
      ],
    };
    // `old` is deleted first, and the creates that count on its room wait for it (apply runs steps together).
    const r = planFor(doc(s("P", ...consumers(3))), { max_consumers: 3 }, live);
    assert.deepEqual(codes(r), []);
    const c2 = r.plan!.steps.find((x) => x.address === "consumer.P.c2");
    assert.deepEqual(c2?.depends_on, ["consumer.P.old"]);
    // Without the limit, nothing waits.
    const free = planFor(doc(s("P", ...consumers(3))), {}, live);
    assert.deepEqual(free.plan!.steps.find((x) => x.address === "consumer.P.c2")?.depends_on, []);
  });

  it("a stream's own max_consumers, and the account's max_ack_pending", () => {
    const r = planFor(
      doc(
        s(
          "P",
          "max_consumers: 1",
          "consumers:",
          "  - { name: a, ack_policy: explicit }",
          "  - { name: b, ack_policy: explicit }",
        ),
        s("Q", "consumers:", "  - { name: w, ack_policy: explicit, max_ack_pending: 51 }"),
      ),
      { max_ack_pending: 50 },
    );
    assert.deepEqual(codes(r).sort(), [
      "plan.account-max-ack-pending consumer.Q.w",
      "plan.stream-consumers consumer.P.b",
    ]);
  });
});

describe("preflight: the server's own refusals that the live state shows", () => {
  it("a subject overlapping a live stream that stays (unmanaged or another owner's); not one that is deleted", () => {
    const live = {
      streams: [
        stream("LEGACY", { subjects: ["orders.>"] }),
        stream("THEIRS", { subjects: ["*.billing"], metadata: { "jsplan.owner": "other" } }),
        stream("GONE", { subjects: ["audit.>"], metadata: { "jsplan.owner": "t" } }),
      ],
    };
    const r = planFor(
      `version: 1\nowner: t\nstreams:\n  - name: A\n    subjects: ["orders.eu.>", "x.billing", "audit.x"]\n`,
      {},
      live,
    );
    assert.deepEqual(codes(r), ["plan.live-subject-overlap stream.A", "plan.live-subject-overlap stream.A"]);
    const [first, second] = r.diagnostics;
    assert.equal(first!.path, "subjects[0]");
    assert.match(
      first!.message,
      /"orders\.eu\.>" overlaps "orders\.>" of the live stream LEGACY, which this manifest does not manage.*10065/,
    );
    assert.match(
      second!.message,
      /"x\.billing" overlaps "\*\.billing" of the live stream THEIRS, which belongs to owner "other"/,
    );
  });
});

describe("preflight: replicas against the cluster the server reports", () => {
  const plan = (replicas: number, server: { cluster?: string; clusterSize?: number }) => {
    const loaded = loadSources([{ path: "m.yaml", text: doc(s("R", `num_replicas: ${replicas}`)) }], {});
    return buildPlan({
      desired: loaded.desired!,
      observed: observedFrom({ server: { version: "2.15.1", ...server } }),
      jsplanVersion: "t",
    });
  };
  it("more replicas than servers is refused; as many fits; an unknown size is not checked", () => {
    assert.deepEqual(codes(plan(4, { cluster: "c1", clusterSize: 3 })), [
      "plan.replicas-over-cluster stream.R",
    ]);
    assert.match(plan(4, { cluster: "c1", clusterSize: 3 }).diagnostics[0]!.message, /10005/);
    assert.deepEqual(codes(plan(3, { cluster: "c1", clusterSize: 3 })), []);
    assert.deepEqual(codes(plan(5, { cluster: "c1" })), []);
  });
});

describe("consumer_limits against the hidden consumers of mirrors and sources", () => {
  const v = (t: string) => parseVersion(t);
  it("2.10 refuses any change unless inactive_threshold is at least 10s; 2.12+ only one below 10s", () => {
    assert.equal(refusedForHidden(v("2.10.27"), {}, { max_ack_pending: 100 }), true);
    assert.equal(
      refusedForHidden(v("2.10.27"), {}, { inactive_threshold: 10 * 1e9, max_ack_pending: 100 }),
      false,
    );
    assert.equal(refusedForHidden(v("2.10.27"), { max_ack_pending: 100 }, {}), true);
    assert.equal(refusedForHidden(v("2.10.27"), { max_ack_pending: 100 }, { max_ack_pending: 100 }), false);
    assert.equal(refusedForHidden(v("2.15.1"), {}, { max_ack_pending: 100 }), false);
    assert.equal(refusedForHidden(v("2.15.1"), {}, { inactive_threshold: 5 * 1e9 }), true);
    assert.equal(refusedForHidden(v("2.15.1"), {}, { inactive_threshold: 10 * 1e9 }), false);
    assert.equal(refusedForHidden(v("2.15.1"), { inactive_threshold: 5 * 1e9 }, {}), false);
  });
});

describe("preflight: tiered limits (operator mode)", () => {
  const flatZeros = { max_storage: 0, max_memory: 0, max_streams: 0, max_consumers: 0 };
  const limitsByTier = {
    R1: { max_storage: GIB, max_memory: 0, max_streams: 2, max_consumers: 3 },
    R3: { max_storage: GIB, max_memory: 64 * MIB, max_streams: -1, max_consumers: -1 },
  };
  const tiers = { tiers: limitsByTier, cluster: true };

  it("a stream meets its tier's limits, not the zeros of the top-level ones", () => {
    const r = planFor(
      doc(s("A", "max_bytes: 1GiB"), s("B", "num_replicas: 3", "max_bytes: 1GiB")),
      flatZeros,
      tiers,
    );
    assert.deepEqual(codes(r), []);
    assert.deepEqual(r.diagnostics, []);
  });

  it("an R3 stream's max_bytes counts once against the R3 tier, and only the same tier's streams count", () => {
    const live = { ...tiers, streams: [stream("OLD", { num_replicas: 1, max_bytes: GIB })] };
    // OLD fills the R1 tier's storage; an R3 stream of 1 GiB still fits its own tier.
    const r3 = planFor(
      doc(s("OLD", "max_bytes: 1GiB"), s("N", "num_replicas: 3", "max_bytes: 1GiB")),
      flatZeros,
      live,
    );
    assert.deepEqual(codes(r3), []);
    const r1 = planFor(doc(s("OLD", "max_bytes: 1GiB"), s("N", "max_bytes: 1MiB")), flatZeros, live);
    assert.deepEqual(codes(r1), ["plan.account-storage stream.N"]);
    const e = r1.diagnostics.find((d) => d.severity === "error")!;
    assert.match(e.message, /^the account's R1 tier's file storage limit \(max_storage 1GiB\)/);
  });

  it("the stream count and max_consumers are the tier's", () => {
    const three = doc(s("A"), s("B"), s("C"));
    assert.deepEqual(codes(planFor(three, flatZeros, tiers)), ["plan.account-streams stream.C"]);
    assert.deepEqual(
      codes(planFor(doc(s("A"), s("B"), s("C", "num_replicas: 3")), flatZeros, tiers)),
      [],
      "an R3 stream does not count in R1",
    );
    const many = doc(
      s("A", "consumers:", ...["a", "b", "c", "d"].map((n) => `  - { name: ${n}, durable_name: ${n} }`)),
    );
    assert.deepEqual(codes(planFor(many, flatZeros, tiers)), ["plan.stream-consumers consumer.A.d"]);
  });

  it("a replica count without a tier is refused (10120); memory in a tier without memory too", () => {
    const r = planFor(doc(s("A", "num_replicas: 2")), flatZeros, tiers);
    assert.deepEqual(codes(r), ["plan.account-no-tier stream.A"]);
    assert.match(r.diagnostics[0]!.message, /tiered \(R1, R3\) and have no R2 tier .*10120/);
    assert.deepEqual(codes(planFor(doc(s("M", "storage: memory")), flatZeros, tiers)), [
      "plan.account-memory stream.M",
    ]);
  });
});

describe("preflight: what it cannot read", () => {
  it("a replace that reserves room on an account without limits warns that the server's capacity is unknown", () => {
    const live = { streams: [stream("R", { storage: "file" })] };
    const r = planFor(doc(s("R", "storage: memory", "max_bytes: 20MiB")), {}, live);
    assert.deepEqual(codes(r), []);
    assert.deepEqual(
      r.plan?.warnings.map((w) => w.code),
      ["plan.server-capacity-unknown"],
    );
  });
});
