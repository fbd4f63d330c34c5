// A server set up the way applications set one up: with the official JavaScript clients only (and, for the
// Go client's KV buckets, the exact stream config nats.go sends). Every retention and storage kind, mirrors,
// sources with transforms, republish, metadata, consumers of every kind, KV buckets with history and TTL,
// object stores with data, and on newer servers the newer fields.

import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, ReplayPolicy } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { goKvStreamConfig, H, jsApiOk, MIN, S, versionAtLeast } from "./support.js";

export interface Populated {
  /** Streams created as plain streams (not buckets). */
  readonly streams: string[];
  readonly kv: string[];
  readonly objectStores: string[];
  /** How many ephemeral consumers were made. */
  readonly ephemerals: number;
}

/** Fills a fresh server; `version` is the server's exact version ("2.15.1"). */
export async function populate(nc: NatsConnection, version: string): Promise<Populated> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const v211 = versionAtLeast(version, "2.11.0");
  const v212 = versionAtLeast(version, "2.12.0");

  // --- streams: every retention and storage kind --------------------------------------------------------
  await jsm.streams.add({
    name: "ORDERS",
    description: "Order lifecycle events",
    subjects: ["orders.>"],
    max_age: 30 * 24 * H,
    max_bytes: 50 * 1024 ** 3,
    max_msg_size: 1024 * 1024,
    duplicate_window: 5 * MIN,
    max_msgs_per_subject: 100,
    metadata: { team: "orders", tier: "1" },
    deny_purge: true,
    allow_direct: true,
    compression: "s2",
    republish: { src: "orders.>", dest: "audit.orders.>", headers_only: true },
  });
  await jsm.streams.add({
    name: "EVENTS_MEM",
    subjects: ["events.>"],
    storage: "memory",
    retention: "interest",
    max_msgs: 10_000,
    discard: "new",
    discard_new_per_subject: true,
    max_msgs_per_subject: 10,
    allow_rollup_hdrs: true,
  });
  await jsm.streams.add({
    name: "JOBS",
    subjects: ["jobs.*"],
    retention: "workqueue",
    deny_delete: true,
    max_consumers: 10,
    consumer_limits: { inactive_threshold: 10 * MIN, max_ack_pending: 500 },
  });
  await jsm.streams.add({
    name: "MEM_WQ",
    subjects: ["memwq.>"],
    retention: "workqueue",
    storage: "memory",
    no_ack: true,
  });
  await jsm.streams.add({
    name: "SEQ_START",
    subjects: ["seq.>"],
    first_seq: 1000,
    subject_transform: { src: "seq.*", dest: "seq.moved.{{wildcard(1)}}" },
  });
  // --- mirrors and sources, with transforms ------------------------------------------------------------
  await jsm.streams.add({
    name: "ORDERS_MIRROR",
    mirror: { name: "ORDERS", filter_subject: "orders.created" },
    mirror_direct: true,
    allow_direct: true,
  });
  await jsm.streams.add({
    name: "ORDERS_ARCHIVE",
    max_age: 365 * 24 * H,
    sources: [
      { name: "ORDERS", subject_transforms: [{ src: "orders.>", dest: "archive.orders.>" }] },
      { name: "JOBS_AUDIT", filter_subject: "jobsaudit.>", opt_start_seq: 5 },
    ],
  });
  await jsm.streams.add({ name: "JOBS_AUDIT", subjects: ["jobsaudit.>"] });
  await jsm.streams.add({
    name: "ORDERS_AGG",
    subjects: ["agg.local.>"],
    sources: [{ name: "ORDERS", opt_start_time: "2024-01-01T00:00:00Z" }],
  });

  const streams = [
    "ORDERS",
    "EVENTS_MEM",
    "JOBS",
    "MEM_WQ",
    "SEQ_START",
    "ORDERS_MIRROR",
    "ORDERS_ARCHIVE",
    "JOBS_AUDIT",
    "ORDERS_AGG",
  ];

  if (v211) {
    await jsm.streams.add({
      name: "TTL_MARKERS",
      subjects: ["ttl.>"],
      allow_msg_ttl: true,
      subject_delete_marker_ttl: 30 * S,
      max_age: H,
    } as never);
    streams.push("TTL_MARKERS");
  }
  if (v212) {
    await jsm.streams.add({
      name: "COUNTERS",
      subjects: ["counter.>"],
      allow_msg_counter: true,
      allow_direct: true,
    } as never);
    await jsm.streams.add({
      name: "ATOMIC",
      subjects: ["atomic.>"],
      allow_atomic: true,
      allow_msg_schedules: true,
    } as never);
    await jsm.streams.add({ name: "ASYNC", subjects: ["async.>"], persist_mode: "async" } as never);
    streams.push("COUNTERS", "ATOMIC", "ASYNC");
  }

  // Some data, so that the state differs from an empty server.
  for (let i = 0; i < 5; i++) {
    await js.publish(`orders.created`, `o${i}`);
    await js.publish(`jobs.run`, `j${i}`);
    await js.publish(`jobsaudit.x`, `a${i}`);
    await js.publish(`seq.${i}`, `s${i}`);
  }

  // --- consumers of every kind -------------------------------------------------------------------------
  const c = jsm.consumers;
  await c.add("ORDERS", {
    durable_name: "pull_explicit",
    ack_policy: AckPolicy.Explicit,
    ack_wait: 45 * S,
    max_deliver: 5,
    backoff: [S, 10 * S, MIN],
    filter_subjects: ["orders.created", "orders.paid"],
    description: "processes orders",
    metadata: { owner_team: "orders" },
    max_waiting: 64,
    max_batch: 100,
    max_expires: 30 * S,
    max_bytes: 1024 * 1024,
    max_ack_pending: 200,
  });
  await c.add("ORDERS", {
    durable_name: "pull_all_last_per_subject",
    ack_policy: AckPolicy.All,
    deliver_policy: DeliverPolicy.LastPerSubject,
    filter_subject: "orders.*",
    headers_only: true,
    sample_freq: "50%",
  });
  await c.add("ORDERS", {
    durable_name: "push_plain",
    deliver_subject: "deliver.orders.plain",
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.New,
    replay_policy: ReplayPolicy.Original,
    rate_limit_bps: 1_000_000,
  });
  await c.add("ORDERS", {
    durable_name: "push_queue",
    deliver_subject: "deliver.orders.queue",
    deliver_group: "workers",
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: 3,
  });
  await c.add("ORDERS", {
    durable_name: "push_flow_control",
    deliver_subject: "deliver.orders.fc",
    ack_policy: AckPolicy.Explicit,
    flow_control: true,
    idle_heartbeat: 5 * S,
    max_ack_pending: 50,
  });
  await c.add("ORDERS", {
    durable_name: "by_time",
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: "2024-05-01T00:00:00Z",
    inactive_threshold: H,
    mem_storage: true,
  });
  await c.add("ORDERS", {
    durable_name: "last_one",
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.Last,
  });
  await c.add("JOBS", {
    durable_name: "worker",
    ack_policy: AckPolicy.Explicit,
    filter_subject: "jobs.run",
  });
  await c.add("JOBS", {
    durable_name: "worker_other",
    ack_policy: AckPolicy.Explicit,
    filter_subject: "jobs.other",
    max_ack_pending: 100,
  });
  await c.add("EVENTS_MEM", { durable_name: "interest_a", ack_policy: AckPolicy.Explicit });
  await c.add("EVENTS_MEM", {
    durable_name: "interest_b",
    ack_policy: AckPolicy.Explicit,
    filter_subject: "events.b.>",
    max_deliver: 3,
  });
  await c.add("MEM_WQ", { durable_name: "mem_worker", ack_policy: AckPolicy.Explicit });
  if (v211) {
    await c.add("ORDERS", {
      durable_name: "prioritised",
      ack_policy: AckPolicy.Explicit,
      priority_groups: ["jobs"],
      priority_policy: "pinned_client",
      priority_timeout: 2 * MIN,
    } as never);
    await c.add("ORDERS", {
      durable_name: "overflowing",
      ack_policy: AckPolicy.Explicit,
      priority_groups: ["a", "b"],
      priority_policy: "overflow",
    } as never);
  }
  // Ephemeral consumers, which export skips.
  await c.add("ORDERS", { ack_policy: AckPolicy.Explicit, inactive_threshold: 10 * MIN });
  await c.add("JOBS_AUDIT", { ack_policy: AckPolicy.None, inactive_threshold: 10 * MIN });

  // --- KV buckets ----------------------------------------------------------------------------------------
  const kvm = new Kvm(nc);
  const sessions = await kvm.create("sessions", { history: 5, ttl: 60 * 60 * 1000 });
  await sessions.put("alice", "1");
  await sessions.put("alice", "2");
  await sessions.put("bob", "3");
  const config = await kvm.create("config", {
    history: 10,
    description: "application settings",
    max_bytes: 10 * 1024 * 1024,
    maxValueSize: 64 * 1024,
    storage: "memory",
    compression: true,
    metadata: { app: "web" },
  });
  await config.put("feature.x", "on");
  await kvm.create("short_ttl", { ttl: 30 * 1000 }); // a ttl under 2 minutes: the duplicate window follows it
  await kvm.create("republished", {
    republish: { src: ">", dest: "repub.kv.>" },
  });
  await kvm.create("kv_mirror", { mirror: { name: "sessions" } });
  await kvm.create("kv_agg", { sources: [{ name: "sessions" }, { name: "config" }] });
  // The Go client's settings (`nats kv add`): deny_delete and an explicit duplicate window.
  await jsApiOk(
    nc,
    "STREAM.CREATE.KV_go_made",
    goKvStreamConfig("go_made", { history: 3, ttl: 2 * H, description: "made by nats.go" }),
  );
  await jsApiOk(nc, "STREAM.CREATE.KV_go_short", goKvStreamConfig("go_short", { ttl: 45 * S }));
  const kvs = [
    "sessions",
    "config",
    "short_ttl",
    "republished",
    "kv_mirror",
    "kv_agg",
    "go_made",
    "go_short",
  ];
  if (v211) {
    await kvm.create("with_markers", { history: 2, markerTTL: 10 * 1000 });
    kvs.push("with_markers");
  }

  // --- object stores, with data --------------------------------------------------------------------------
  const objm = new Objm(nc);
  const files = await objm.create("files", { description: "uploaded files" });
  await files.putBlob({ name: "hello.txt" }, new TextEncoder().encode("hello world"));
  await files.putBlob({ name: "big.bin" }, new Uint8Array(300 * 1024).fill(7));
  const limited = await objm.create("limited", {
    ttl: 7 * 24 * H,
    max_bytes: 100 * 1024 * 1024,
    storage: "memory",
    compression: true,
    metadata: { kind: "cache" },
  });
  await limited.putBlob({ name: "a" }, new Uint8Array([1, 2, 3]));

  return { streams, kv: kvs, objectStores: ["files", "limited"], ephemerals: 2 };
}
