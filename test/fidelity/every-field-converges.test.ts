// Issue acceptance: "for every field in the schema, a manifest that sets it to a non-default value is
// applied and the next plan is empty", on every server line.
//
// One row per field of `$defs.stream` and `$defs.consumer` (and per nested property and non-default enum
// value). The table is checked against the schema first, so a new schema field without a row fails here.
// Every row: apply the manifest with jsplan, check the server really stored the value, plan again: empty.
// A field newer than the server: `jsplan plan` must exit 1 and name the field and the version it needs.
// All single-server rows of a line share one server (distinct names, subjects and owners), several rows
// at a time; the few rows that need replicas or a real placement move run on a 3-node cluster.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  connectTo,
  keepLogsOnFailure,
  type NatsCluster,
  type NatsServer,
  serverLines,
  startServer,
  withCluster,
} from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import { REPO_ROOT } from "../support/paths.js";
import {
  consumerInfo,
  deleteStreams,
  isCovered,
  jsApi,
  manifestResources,
  NODE_TAGS_CONFIG,
  type Obj,
  planFailure,
  schemaEntries,
  schemaNodeOf,
  settled,
  shortVersion,
  streamInfo,
  valuesAt,
  versionAtLeast,
  yaml,
} from "./support.js";

interface Ctx {
  /** The row's main stream; other streams of the row start with this name. */
  readonly name: string;
  /** The row's subject prefix (a single token). */
  readonly subj: string;
  readonly owner: string;
  /** For cluster rows. */
  readonly cluster?: NatsCluster;
}

type Part = Obj | ((c: Ctx) => Obj);

interface Row {
  readonly kind: "stream" | "consumer";
  /** The schema entry the row covers: `retention`, `placement.tags`, `sources[].filter_subject`, `storage=memory`. */
  readonly field: string;
  /** More entries this row sets to a non-default value on purpose. */
  readonly also?: readonly string[];
  /** The first nats-server version that supports the field. */
  readonly since?: string;
  /** Needs a clustered server. */
  readonly cluster?: boolean;
  /** Extra fields of the row's stream (`{name, subjects: [<subj>.>]}`). */
  readonly stream?: Part;
  /** Fields of the row's consumer `c` on that stream. */
  readonly consumer?: Part;
  /** The whole manifest, instead of stream/consumer. */
  readonly manifest?: (c: Ctx) => Obj;
  /** A manifest applied first (e.g. a stream can only be sealed once it exists). */
  readonly pre?: (c: Ctx) => Obj;
  /** Checks the config the server stored for the row's main resource; false: the field is jsplan's own. */
  readonly stored?: false | ((config: Obj, c: Ctx) => void);
  /** Plan output on a server older than `since` (default: the field's name and `since`). */
  readonly unsupported?: RegExp;
  readonly todo?: string;
}

const part = (p: Part | undefined, c: Ctx): Obj => (typeof p === "function" ? p(c) : (p ?? {}));

const FUTURE = "2099-01-01T00:00:00Z";

const STREAM_ROWS: Row[] = [
  {
    kind: "stream",
    field: "name",
    manifest: (c) => manifest(c, [{ name: `${c.name}-Name_x`, subjects: [`${c.subj}.>`] }]),
    stored: false,
  },
  { kind: "stream", field: "description", stream: { description: "Every field converges" } },
  {
    kind: "stream",
    field: "subjects",
    stream: (c) => ({ subjects: [`${c.subj}.b`, `${c.subj}.a.>`, `${c.subj}.c.*`] }),
  },
  { kind: "stream", field: "retention=interest", stream: { retention: "interest" } },
  {
    kind: "stream",
    field: "retention=workqueue",
    stream: { retention: "workqueue" },
    consumer: { ack_policy: "explicit" },
  },
  { kind: "stream", field: "max_consumers", stream: { max_consumers: 10 } },
  { kind: "stream", field: "max_msgs", stream: { max_msgs: 1000 } },
  { kind: "stream", field: "max_bytes", stream: { max_bytes: "1MiB" } },
  { kind: "stream", field: "max_age", stream: { max_age: "1h" } },
  // Shorter than the 2m default window: the server lowers the window to max_age.
  { kind: "stream", field: "max_age", stream: { max_age: "30s" } },
  { kind: "stream", field: "max_msgs_per_subject", stream: { max_msgs_per_subject: 5 } },
  { kind: "stream", field: "max_msg_size", stream: { max_msg_size: "1KiB" } },
  { kind: "stream", field: "discard=new", stream: { discard: "new" } },
  {
    kind: "stream",
    field: "discard_new_per_subject",
    also: ["discard=new", "max_msgs_per_subject"],
    stream: { discard: "new", max_msgs_per_subject: 3, discard_new_per_subject: true },
  },
  { kind: "stream", field: "storage=memory", stream: { storage: "memory" } },
  { kind: "stream", field: "no_ack", stream: { no_ack: true } },
  { kind: "stream", field: "duplicate_window", stream: { duplicate_window: "1m" } },
  // A single server stores placement without checking it; the cluster rows below do real placements.
  { kind: "stream", field: "placement.cluster", stream: { placement: { cluster: "elsewhere" } } },
  { kind: "stream", field: "placement.tags", stream: { placement: { tags: ["zone:b", "zone:a"] } } },
  {
    kind: "stream",
    field: "mirror.name",
    manifest: (c) => manifest(c, [origin(c), { name: c.name, mirror: { name: `${c.name}_O` } }]),
  },
  {
    kind: "stream",
    field: "mirror.filter_subject",
    also: ["mirror.opt_start_seq"],
    manifest: (c) =>
      manifest(c, [
        origin(c),
        { name: c.name, mirror: { name: `${c.name}_O`, filter_subject: `${c.subj}o.a`, opt_start_seq: 2 } },
      ]),
  },
  {
    kind: "stream",
    field: "mirror.subject_transforms",
    also: ["mirror.opt_start_time"],
    manifest: (c) =>
      manifest(c, [
        origin(c),
        {
          name: c.name,
          mirror: {
            name: `${c.name}_O`,
            opt_start_time: "2024-05-01T02:00:00+02:00",
            subject_transforms: [{ src: `${c.subj}o.>`, dest: `${c.subj}m.>` }],
          },
        },
      ]),
  },
  {
    kind: "stream",
    field: "mirror.external",
    manifest: (c) =>
      manifest(c, [{ name: c.name, mirror: { name: "REMOTE", external: { api: "$JS.other.API" } } }]),
  },
  {
    kind: "stream",
    field: "mirror.domain",
    manifest: (c) => manifest(c, [{ name: c.name, mirror: { name: "REMOTE", domain: "hub" } }]),
    stored: (cfg) =>
      assert.equal((cfg.mirror as Obj).external && ((cfg.mirror as Obj).external as Obj).api, "$JS.hub.API"),
  },
  {
    kind: "stream",
    field: "mirror.consumer",
    since: "2.14.0",
    unsupported: /consumer.*2\.14/,
    manifest: (c) =>
      manifest(c, [
        origin(c),
        {
          name: c.name,
          mirror: { name: `${c.name}_O`, consumer: { name: "mc", deliver_subject: `${c.subj}dm` } },
        },
      ]),
  },
  {
    kind: "stream",
    field: "sources[].name",
    manifest: (c) => manifest(c, [origin(c), { name: c.name, sources: [{ name: `${c.name}_O` }] }]),
  },
  {
    kind: "stream",
    field: "sources[].opt_start_seq",
    also: ["subjects"],
    manifest: (c) =>
      manifest(c, [
        origin(c),
        { name: c.name, subjects: [`${c.subj}.>`], sources: [{ name: `${c.name}_O`, opt_start_seq: 2 }] },
      ]),
  },
  {
    kind: "stream",
    field: "sources[].opt_start_time",
    manifest: (c) =>
      manifest(c, [
        origin(c),
        { name: c.name, sources: [{ name: `${c.name}_O`, opt_start_time: "2024-05-01T00:00:00.5Z" }] },
      ]),
  },
  {
    kind: "stream",
    field: "sources[].filter_subject",
    manifest: (c) =>
      manifest(c, [
        origin(c),
        origin(c, "_P"),
        {
          name: c.name,
          sources: [
            { name: `${c.name}_P`, filter_subject: `${c.subj}_P.a` },
            { name: `${c.name}_O`, filter_subject: `${c.subj}o.a` },
            { name: `${c.name}_O`, filter_subject: `${c.subj}o.b` },
          ],
        },
      ]),
  },
  {
    kind: "stream",
    field: "sources[].subject_transforms",
    manifest: (c) =>
      manifest(c, [
        origin(c),
        {
          name: c.name,
          sources: [
            { name: `${c.name}_O`, subject_transforms: [{ src: `${c.subj}o.>`, dest: `${c.subj}t.>` }] },
          ],
        },
      ]),
  },
  {
    kind: "stream",
    field: "sources[].external",
    manifest: (c) =>
      manifest(c, [
        {
          name: c.name,
          sources: [{ name: "REMOTE", external: { api: "$JS.other.API", deliver: `${c.subj}dx` } }],
        },
      ]),
  },
  {
    kind: "stream",
    field: "sources[].domain",
    manifest: (c) => manifest(c, [{ name: c.name, sources: [{ name: "REMOTE", domain: "hub" }] }]),
    stored: (cfg) => assert.equal(((cfg.sources as Obj[])[0]!.external as Obj).api, "$JS.hub.API"),
  },
  {
    kind: "stream",
    field: "sources[].consumer",
    since: "2.14.0",
    unsupported: /consumer.*2\.14/,
    manifest: (c) =>
      manifest(c, [
        origin(c),
        {
          name: c.name,
          sources: [{ name: `${c.name}_O`, consumer: { name: "sc", deliver_subject: `${c.subj}ds` } }],
        },
      ]),
  },
  {
    kind: "stream",
    field: "sealed",
    pre: (c) => manifest(c, [{ name: c.name, subjects: [`${c.subj}.>`], max_age: "1h" }]),
    stream: { max_age: "1h", sealed: true },
  },
  { kind: "stream", field: "deny_delete", stream: { deny_delete: true } },
  { kind: "stream", field: "deny_purge", stream: { deny_purge: true } },
  { kind: "stream", field: "allow_rollup_hdrs", stream: { allow_rollup_hdrs: true } },
  { kind: "stream", field: "allow_direct", stream: { allow_direct: true } },
  {
    kind: "stream",
    field: "mirror_direct",
    manifest: (c) =>
      manifest(c, [
        { ...origin(c), allow_direct: true },
        { name: c.name, mirror: { name: `${c.name}_O` }, mirror_direct: true },
      ]),
  },
  // A mirror whose origin jsplan cannot see keeps the value the manifest gives.
  {
    kind: "stream",
    field: "mirror_direct",
    manifest: (c) => manifest(c, [{ name: c.name, mirror: { name: "NOWHERE" }, mirror_direct: true }]),
  },
  { kind: "stream", field: "republish.dest", stream: (c) => ({ republish: { dest: `${c.subj}rp.>` } }) },
  {
    kind: "stream",
    field: "republish.src",
    also: ["republish.headers_only"],
    stream: (c) => ({ republish: { src: `${c.subj}.a.>`, dest: `${c.subj}rp.>`, headers_only: true } }),
  },
  {
    kind: "stream",
    field: "subject_transform.dest",
    stream: (c) => ({ subject_transform: { dest: `${c.subj}x.>` } }),
  },
  {
    kind: "stream",
    field: "subject_transform.src",
    stream: (c) => ({ subject_transform: { src: `${c.subj}.*`, dest: `${c.subj}.{{wildcard(1)}}.x` } }),
  },
  { kind: "stream", field: "compression=s2", stream: { compression: "s2" } },
  { kind: "stream", field: "first_seq", stream: { first_seq: 100 } },
  {
    kind: "stream",
    field: "consumer_limits.inactive_threshold",
    also: ["consumer_limits.max_ack_pending"],
    // The consumer sets neither, so it inherits both limits.
    stream: { consumer_limits: { inactive_threshold: "1h", max_ack_pending: 100 } },
    consumer: { ack_policy: "explicit" },
  },
  {
    kind: "stream",
    field: "consumer_limits.max_ack_pending",
    stream: { consumer_limits: { max_ack_pending: 50 } },
  },
  { kind: "stream", field: "metadata", stream: { metadata: { team: "orders", tier: "1", empty: "" } } },
  { kind: "stream", field: "allow_msg_ttl", since: "2.11.0", stream: { allow_msg_ttl: true } },
  {
    kind: "stream",
    field: "subject_delete_marker_ttl",
    since: "2.11.0",
    stream: { max_age: "1h", subject_delete_marker_ttl: "1m" },
  },
  { kind: "stream", field: "allow_msg_counter", since: "2.12.0", stream: { allow_msg_counter: true } },
  { kind: "stream", field: "allow_atomic", since: "2.12.0", stream: { allow_atomic: true } },
  { kind: "stream", field: "allow_msg_schedules", since: "2.12.0", stream: { allow_msg_schedules: true } },
  { kind: "stream", field: "persist_mode=async", since: "2.12.0", stream: { persist_mode: "async" } },
  { kind: "stream", field: "allow_batched", since: "2.14.0", stream: { allow_batched: true } },
  {
    kind: "stream",
    field: "protect",
    stream: { protect: true },
    stored: (cfg) => assert.equal((cfg.metadata as Obj)["jsplan.protect"], "true"),
  },
  { kind: "stream", field: "ignore_changes", stream: { ignore_changes: ["max_age"] }, stored: false },
  {
    kind: "stream",
    field: "consumers",
    stream: { consumers: [{ name: "a", ack_policy: "explicit" }, { name: "b" }] },
    stored: false,
  },
];

const CONSUMER_ROWS: Row[] = [
  { kind: "consumer", field: "name", consumer: {}, stored: false },
  { kind: "consumer", field: "ignore_changes", consumer: { ignore_changes: "all" }, stored: false },
  {
    kind: "consumer",
    field: "stream",
    pre: (c) => ({
      version: 1,
      owner: `${c.owner}-base`,
      streams: [{ name: c.name, subjects: [`${c.subj}.>`] }],
    }),
    manifest: (c) => ({
      version: 1,
      owner: c.owner,
      consumers: [{ stream: c.name, name: "c", ack_policy: "explicit" }],
    }),
    stored: false,
  },
  { kind: "consumer", field: "durable_name", consumer: { durable_name: "c" } },
  { kind: "consumer", field: "description", consumer: { description: "Every field converges" } },
  { kind: "consumer", field: "deliver_policy=last", consumer: { deliver_policy: "last" } },
  { kind: "consumer", field: "deliver_policy=new", consumer: { deliver_policy: "new" } },
  {
    kind: "consumer",
    field: "deliver_policy=by_start_sequence",
    also: ["opt_start_seq"],
    consumer: { deliver_policy: "by_start_sequence", opt_start_seq: 42 },
  },
  {
    kind: "consumer",
    field: "deliver_policy=by_start_time",
    also: ["opt_start_time"],
    // Another zone than UTC: the same instant must not show up as a change.
    consumer: { deliver_policy: "by_start_time", opt_start_time: "2024-05-01T02:00:00.25+02:00" },
  },
  {
    kind: "consumer",
    field: "deliver_policy=last_per_subject",
    also: ["filter_subject"],
    consumer: (c) => ({ deliver_policy: "last_per_subject", filter_subject: `${c.subj}.a.*` }),
  },
  { kind: "consumer", field: "ack_policy=all", consumer: { ack_policy: "all" } },
  { kind: "consumer", field: "ack_policy=explicit", consumer: { ack_policy: "explicit" } },
  {
    kind: "consumer",
    field: "ack_policy=flow_control",
    since: "2.14.0",
    also: ["deliver_subject", "max_ack_pending"],
    consumer: (c) => ({ ack_policy: "flow_control", deliver_subject: `${c.subj}dlv`, max_ack_pending: 100 }),
  },
  { kind: "consumer", field: "ack_wait", consumer: { ack_policy: "explicit", ack_wait: "10s" } },
  // ack_wait on a consumer without acks is kept by the server.
  { kind: "consumer", field: "ack_wait", consumer: { ack_wait: "5s" } },
  { kind: "consumer", field: "max_deliver", consumer: { ack_policy: "explicit", max_deliver: 5 } },
  {
    kind: "consumer",
    field: "backoff",
    also: ["max_deliver"],
    consumer: { ack_policy: "explicit", max_deliver: 3, backoff: ["1s", "5s", "1m"] },
  },
  { kind: "consumer", field: "filter_subject", consumer: (c) => ({ filter_subject: `${c.subj}.a` }) },
  {
    kind: "consumer",
    field: "filter_subjects",
    consumer: (c) => ({ filter_subjects: [`${c.subj}.z`, `${c.subj}.a`, `${c.subj}.m.>`] }),
  },
  { kind: "consumer", field: "replay_policy=original", consumer: { replay_policy: "original" } },
  {
    kind: "consumer",
    field: "rate_limit_bps",
    consumer: (c) => ({ deliver_subject: `${c.subj}dlv`, rate_limit_bps: 1000000 }),
  },
  { kind: "consumer", field: "sample_freq", consumer: { ack_policy: "explicit", sample_freq: "25%" } },
  { kind: "consumer", field: "sample_freq", consumer: { ack_policy: "explicit", sample_freq: 50 } },
  { kind: "consumer", field: "max_waiting", consumer: { max_waiting: 100 } },
  { kind: "consumer", field: "max_ack_pending", consumer: { ack_policy: "explicit", max_ack_pending: 200 } },
  {
    kind: "consumer",
    field: "flow_control",
    also: ["idle_heartbeat"],
    consumer: (c) => ({ deliver_subject: `${c.subj}dlv`, flow_control: true, idle_heartbeat: "5s" }),
  },
  {
    kind: "consumer",
    field: "idle_heartbeat",
    consumer: (c) => ({ deliver_subject: `${c.subj}dlv`, idle_heartbeat: "10s" }),
  },
  { kind: "consumer", field: "headers_only", consumer: { headers_only: true } },
  { kind: "consumer", field: "max_batch", consumer: { max_batch: 10 } },
  { kind: "consumer", field: "max_expires", consumer: { max_expires: "30s" } },
  { kind: "consumer", field: "max_bytes", consumer: { max_bytes: "1MiB" } },
  {
    kind: "consumer",
    field: "deliver_subject",
    consumer: (c) => ({ deliver_subject: `${c.subj}dlv`, ack_policy: "explicit" }),
  },
  {
    kind: "consumer",
    field: "deliver_group",
    also: ["deliver_subject"],
    consumer: (c) => ({ deliver_subject: `${c.subj}dlv`, deliver_group: "workers" }),
  },
  { kind: "consumer", field: "inactive_threshold", consumer: { inactive_threshold: "1h" } },
  { kind: "consumer", field: "num_replicas", consumer: { num_replicas: 1 } },
  { kind: "consumer", field: "mem_storage", consumer: { mem_storage: true } },
  { kind: "consumer", field: "metadata", consumer: { metadata: { team: "orders", "app.version": "1.2" } } },
  { kind: "consumer", field: "pause_until", since: "2.11.0", consumer: { pause_until: FUTURE } },
  {
    kind: "consumer",
    field: "priority_groups",
    since: "2.11.0",
    also: ["priority_policy=overflow"],
    consumer: { priority_groups: ["B", "A"], priority_policy: "overflow" },
  },
  {
    kind: "consumer",
    field: "priority_policy=pinned_client",
    since: "2.11.0",
    consumer: { priority_groups: ["A"], priority_policy: "pinned_client" },
  },
  {
    kind: "consumer",
    field: "priority_policy=prioritized",
    since: "2.12.0",
    consumer: { priority_groups: ["A"], priority_policy: "prioritized" },
  },
  {
    kind: "consumer",
    field: "priority_timeout",
    since: "2.11.0",
    consumer: { priority_groups: ["A"], priority_policy: "pinned_client", priority_timeout: "30s" },
  },
  {
    kind: "consumer",
    field: "protect",
    consumer: { protect: true },
    stored: (cfg) => assert.equal((cfg.metadata as Obj)["jsplan.protect"], "true"),
  },
];

/** Need a 3-node cluster. Tags: every node carries its own name (see CLUSTER_CONFIG). */
const CLUSTER_ROWS: Row[] = [
  {
    kind: "stream",
    field: "num_replicas",
    cluster: true,
    // Created with one replica, then scaled in place to three.
    pre: (c) =>
      manifest(c, [
        { name: c.name, subjects: [`${c.subj}.>`], consumers: [{ name: "c", ack_policy: "explicit" }] },
      ]),
    stream: { num_replicas: 3 },
    consumer: { ack_policy: "explicit", num_replicas: 3 },
  },
  {
    kind: "stream",
    field: "placement.cluster",
    cluster: true,
    stream: (c) => ({ num_replicas: 3, placement: { cluster: c.cluster!.name } }),
  },
  {
    kind: "stream",
    field: "placement.tags",
    cluster: true,
    // Placed on node 1, then moved to node 2: a real stream move.
    pre: (c) => manifest(c, [{ name: c.name, subjects: [`${c.subj}.>`], placement: { tags: [node(c, 1)] } }]),
    stream: (c) => ({ placement: { tags: [node(c, 2)] } }),
  },
];

const CLUSTER_CONFIG = NODE_TAGS_CONFIG;

function node(c: Ctx, i: number): string {
  return `${c.cluster!.name}-n${i}`;
}

function manifest(c: Ctx, streams: Obj[]): Obj {
  return { version: 1, owner: c.owner, streams };
}

function origin(c: Ctx, suffix = "_O"): Obj {
  const subj = suffix === "_O" ? `${c.subj}o` : `${c.subj}${suffix}`;
  return { name: `${c.name}${suffix}`, subjects: [`${subj}.>`] };
}

function manifestOf(row: Row, c: Ctx): Obj {
  if (row.manifest) return row.manifest(c);
  const stream: Obj = { name: c.name, subjects: [`${c.subj}.>`], ...part(row.stream, c) };
  if (row.consumer) {
    stream.consumers = [
      ...((stream.consumers as Obj[] | undefined) ?? []),
      { name: "c", ...part(row.consumer, c) },
    ];
  }
  return manifest(c, [stream]);
}

function rowTitle(row: Row): string {
  return `${row.kind} ${row.field}${row.also ? ` (+ ${row.also.join(", ")})` : ""}`;
}

const ALL_ROWS = [...STREAM_ROWS, ...CONSUMER_ROWS, ...CLUSTER_ROWS];

function ctxOf(row: Row, cluster?: NatsCluster): Ctx {
  const i = ALL_ROWS.indexOf(row);
  const slug = row.field.replace(/[^A-Za-z0-9]+/g, "_").slice(0, 40);
  return {
    name: `FC${i}_${slug}`,
    subj: `fc${i}`,
    owner: `fidelity-converge-${i}`,
    ...(cluster ? { cluster } : {}),
  };
}

/** Every stream a row's manifests name. */
function streamsOf(row: Row, c: Ctx): string[] {
  const names = new Set<string>();
  for (const m of [manifestOf(row, c), ...(row.pre ? [row.pre(c)] : [])]) {
    for (const s of manifestResources(m).streams) names.add(s.name as string);
  }
  return [...names];
}

/** A value the schema (or the server) would treat as "not set". */
function isUnset(v: unknown, dflt: unknown): boolean {
  return v === undefined || v === null || v === false || v === "" || v === 0 || v === -1 || v === dflt;
}

// --- the table against the schema ----------------------------------------------------------------

describe("the converge table covers the schema", () => {
  for (const kind of ["stream", "consumer"] as const) {
    it(`every ${kind} field, nested property and enum value has a row`, () => {
      const covered = ALL_ROWS.filter((r) => r.kind === kind).flatMap((r) => [r.field, ...(r.also ?? [])]);
      const missing = schemaEntries(kind).filter((e) => !isCovered(e, covered));
      assert.deepEqual(missing, [], `schema ${kind} fields without a row in every-field-converges.test.ts`);
    });
  }

  it("every row sets its fields to a non-default value, and only schema fields", () => {
    const c: Ctx = { name: "X", subj: "x", owner: "o", cluster: { name: "c1" } as NatsCluster };
    for (const row of ALL_ROWS) {
      const entries = schemaEntries(row.kind);
      const m = manifestOf(row, c);
      const resources = manifestResources(m)[row.kind === "stream" ? "streams" : "consumers"];
      for (const field of [row.field, ...(row.also ?? [])]) {
        assert.ok(
          entries.includes(field),
          `${rowTitle(row)}: ${field} is not a ${row.kind} field of the schema`,
        );
        if (field === "name" || field === "stream" || field === "consumers") continue;
        const node = schemaNodeOf(row.kind, field);
        const [, want] = field.split("=");
        const values = resources.flatMap((r) => valuesAt(r, field));
        const ok = values.some((v) => (want !== undefined ? String(v) === want : !isUnset(v, node?.default)));
        assert.ok(ok, `${rowTitle(row)}: the manifest does not set ${field} to a non-default value`);
      }
    }
  });
});

// --- the rows on real servers -----------------------------------------------------------------------

/** The server refuses a field it does not know at plan time, naming the field and the version it needs. */
async function assertUnsupported(row: Row, url: string, m: Obj, version: string): Promise<void> {
  const r = await planFailure(url, m);
  assert.equal(r.code, 1, `plan should refuse ${row.field} on ${version}:\n${r.output}`);
  const leaf = row.field
    .split("=")[0]!
    .split(/\[\]\.|\./)
    .pop()!;
  const since = shortVersion(row.since!);
  const want = row.unsupported ?? new RegExp(`${leaf}.*${since.replace(".", "\\.")}`);
  assert.match(r.output, want, `plan should name ${row.field} and nats-server ${since}`);
}

/** The plan is empty, and the server really holds the value (an empty plan alone would also follow from
 *  jsplan dropping the field on both sides). */
async function assertConverged(row: Row, c: Ctx, url: string, nc: NatsConnection, version: string) {
  const m = manifestOf(row, c);
  assertEmpty(await planOf(url, yaml(m)), `after applying ${rowTitle(row)} (nats-server ${version})`);
  if (row.stored === false) return;
  const info =
    row.kind === "stream" ? await streamInfo(nc, c.name) : await consumerInfo(nc, consumerStream(m), "c");
  const config = info.config as Obj;
  if (row.stored) row.stored(config, c);
  else {
    for (const field of [row.field, ...(row.also ?? [])]) {
      const [p, want] = field.split("=");
      const values = valuesAt(config, p!);
      const ok = values.some((v) => (want !== undefined ? String(v) === want : !isUnset(v, undefined)));
      assert.ok(ok, `the server's ${row.kind} config has no ${field}: ${JSON.stringify(config)}`);
    }
  }
}

async function runRow(row: Row, c: Ctx, url: string, nc: NatsConnection, version: string): Promise<void> {
  const m = manifestOf(row, c);
  if (row.since && !versionAtLeast(version, row.since)) return assertUnsupported(row, url, m, version);
  if (row.pre) await applyOk(url, yaml(row.pre(c)));
  await applyClean(url, m);
  await assertConverged(row, c, url, nc, version);
}

function consumerStream(m: Obj): string {
  const top = (m.consumers as Obj[] | undefined)?.[0];
  if (top) return top.stream as string;
  return ((m.streams as Obj[]).find((s) => s.consumers) ?? (m.streams as Obj[])[0]!).name as string;
}

const ROW_CONCURRENCY = 6;

for (const line of serverLines()) {
  describe(`every field converges on nats-server ${line}`, { concurrency: ROW_CONCURRENCY }, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
    });
    after(async () => {
      await server?.stop();
    });

    for (const row of [...STREAM_ROWS, ...CONSUMER_ROWS]) {
      it(rowTitle(row), { ...(row.todo ? { todo: row.todo } : {}), timeout: 60_000 }, (t) =>
        keepLogsOnFailure(t, server, async () => {
          const c = ctxOf(row);
          await runRow(row, c, server.url, nc, server.version);
          await deleteStreams(nc, streamsOf(row, c));
        }),
      );
    }

    it("examples/streams.yaml: apply, empty plan, a second apply changes nothing", { timeout: 60_000 }, (t) =>
      keepLogsOnFailure(t, server, () => examplesRoundTrip(server, nc)),
    );
  });

  describe(`every field converges on a nats-server ${line} cluster`, () => {
    it(`${CLUSTER_ROWS.map((r) => r.field).join(", ")} (3 nodes)`, { timeout: 120_000 }, (t) =>
      withCluster(t, { line, config: CLUSTER_CONFIG }, async (cluster) => {
        const nc = await connectTo(cluster);
        const url = cluster.urls.join(",");
        const version = cluster.servers[0]!.version;
        for (const row of CLUSTER_ROWS) {
          await t.test(rowTitle(row), async (t) => {
            const c = ctxOf(row, cluster);
            const m = manifestOf(row, c);
            if (row.pre) {
              await applyOk(url, yaml(row.pre(c)));
              await settled(nc, manifestResources(row.pre(c)).streams[0]!, cluster.name);
            }
            await applyClean(url, m);
            // The acceptance is "the next plan is empty"; during a scale or a move the stream has no leader
            // for a few seconds, and jsplan plan cannot read it.
            await t.test("the plan right after the apply is empty", {}, () =>
              assertConverged(row, c, url, nc, version),
            );
            await settled(nc, manifestResources(m).streams[0]!, cluster.name);
            await assertConverged(row, c, url, nc, version);
          });
        }
        await t.test("scale a stream up and replace its consumer in one apply", {}, async () => {
          const c = {
            name: "FC_SCALE_REPLACE",
            subj: "fcsr",
            owner: "fidelity-converge-scale-replace",
            cluster,
          };
          const stream = (extra: Obj, consumer: Obj): Obj => ({
            name: c.name,
            subjects: [`${c.subj}.>`],
            ...extra,
            consumers: [{ name: "c", ...consumer }],
          });
          await applyOk(url, yaml(manifest(c, [stream({}, {})])));
          await settled(nc, stream({}, {}), cluster.name);
          const m = manifest(c, [stream({ num_replicas: 3 }, { ack_policy: "explicit" })]);
          await applyOk(url, yaml(m));
          await settled(nc, stream({ num_replicas: 3 }, {}), cluster.name);
          assertEmpty(await planOf(url, yaml(m)));
        });
      }),
    );
  });
}

interface ApplyJson {
  results: Array<{ address: string; status: string; adjusted?: unknown[]; error?: unknown }>;
}

async function applyJson(url: string, text: string): Promise<ApplyJson> {
  const r = await runCli(
    [
      "apply",
      "-",
      "-s",
      url,
      "--auto-approve",
      "--allow-destroy",
      "--lock-timeout",
      "120s",
      "--format",
      "json",
    ],
    {
      stdin: text,
    },
  );
  assert.equal(r.code, 0, `apply failed:\n${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as ApplyJson;
}

/** Applies, and checks that the server stored every step exactly as sent (apply reports silent adjustments). */
async function applyClean(url: string, m: Obj): Promise<void> {
  const result = await applyJson(url, yaml(m));
  assert.ok(result.results.length > 0, "the apply had nothing to do");
  const adjusted = result.results.filter((r) => r.adjusted && r.adjusted.length > 0);
  assert.deepEqual(adjusted, [], "the server adjusted what jsplan sent");
}

// --- the example manifest ---------------------------------------------------------------------------

async function examplesRoundTrip(server: NatsServer, nc: NatsConnection): Promise<void> {
  const text = readFileSync(path.join(REPO_ROOT, "examples/streams.yaml"), "utf8");
  await applyOk(server.url, text);
  assertEmpty(await planOf(server.url, text), "after applying examples/streams.yaml");

  const snapshot = async () => {
    const out: Record<string, string> = {};
    const m = await jsApi(nc, "STREAM.LIST", {});
    for (const s of (m.body.streams as Obj[] | null) ?? []) {
      const name = (s.config as Obj).name as string;
      if (!["ORDERS", "SHIPMENTS_WORK", "RETURNS", "ORDERS_EU", "AUDIT"].includes(name)) continue;
      out[`stream.${name}`] = s.created as string;
      const cs = await jsApi(nc, `CONSUMER.LIST.${name}`, {});
      for (const k of (cs.body.consumers as Obj[] | null) ?? [])
        out[`consumer.${name}.${k.name}`] = k.created as string;
    }
    return out;
  };
  const before = await snapshot();
  assert.equal(
    Object.keys(before).length,
    9,
    `examples/streams.yaml has 5 streams and 4 consumers: ${JSON.stringify(before)}`,
  );

  const again = await applyJson(server.url, text);
  assert.deepEqual(again.results, [], "the second apply ran steps");
  assert.deepEqual(await snapshot(), before, "a second apply re-created something (creation times changed)");
  assertEmpty(await planOf(server.url, text), "after the second apply");
}
