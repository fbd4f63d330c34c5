// Issue acceptance: "for every field: the classification (update or replace) agrees with what the server
// actually does — try the in-place update on a real server and check that jsplan said replace exactly when
// the server refuses. Keep this as a table-driven test over all fields, both versions."
//
// Every row is a transition (field, from, to). On each line: jsplan applies "from"; jsplan plans "to"; then
// the test itself sends the in-place update with a raw request (never through jsplan's apply):
//   streams:   $JS.API.STREAM.UPDATE.<name> with the planned `after` config as the body;
//   consumers: $JS.API.CONSUMER.CREATE.<stream>.<name> with {stream_name, config: after, action: "update"}.
// Then: jsplan planned "replace" ⇔ the server refused; "update" ⇒ the server accepted, and the plan is empty
// afterwards. The cases where jsplan deliberately differs from what the server accepts are listed in
// INTENTIONAL, each with its reason, and asserted as such (so that the list cannot go stale either).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Change, Plan } from "../../src/model/plan.js";
import {
  connectTo,
  keepLogsOnFailure,
  type NatsServer,
  provisionedVersion,
  type ServerLine,
  serverLines,
  startServer,
  withCluster,
} from "../harness/index.js";
import { applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import {
  changeOf,
  consumerInfo,
  deleteStreams,
  describeError,
  jsApi,
  manifestResources,
  NODE_TAGS_CONFIG,
  type Obj,
  type RawReply,
  SCHEMA,
  settled,
  versionAtLeast,
  yaml,
} from "./support.js";

interface Ctx {
  readonly name: string;
  readonly subj: string;
  readonly owner: string;
  readonly clusterName?: string;
}

type Side = "from" | "to";
type Part = Obj | ((c: Ctx) => Obj);

interface Transition {
  readonly kind: "stream" | "consumer";
  /** The top-level schema field that changes. */
  readonly field: string;
  /** What changes, e.g. "limits → interest". */
  readonly change: string;
  /** Stream rows: fields of the row's stream `{name, subjects: [<subj>.>]}` (undefined removes a key).
   *  Consumer rows: fields of the consumer `c` on that stream. */
  readonly from: Part;
  readonly to: Part;
  /** Consumer rows: extra fields of their stream, on both sides. */
  readonly stream?: Part;
  /** Other streams of the manifest, on both sides (origins of mirrors and sources). */
  readonly others?: (c: Ctx) => Obj[];
  /** A state applied before "from" (a stream can only be sealed once it exists). */
  readonly pre?: Part;
  readonly since?: string;
  readonly cluster?: boolean;
  /** Known jsplan bugs, per line (reported; see the todo text). */
  readonly todo?: Partial<Record<ServerLine, string>>;
}

const part = (p: Part | undefined, c: Ctx): Obj => (typeof p === "function" ? p(c) : (p ?? {}));

const t1 = "2024-05-01T00:00:00Z";
const t2 = "2024-06-01T00:00:00Z";
const FUTURE = "2099-01-01T00:00:00Z";
const FUTURE2 = "2098-01-01T00:00:00Z";

const origins = (c: Ctx): Obj[] => [
  { name: `${c.name}_O`, subjects: [`${c.subj}o.>`], allow_direct: false },
  { name: `${c.name}_P`, subjects: [`${c.subj}p.>`] },
];
const O = (c: Ctx) => `${c.name}_O`;
const P = (c: Ctx) => `${c.name}_P`;
const NO_SUBJECTS = { subjects: undefined };

const S = (
  field: string,
  change: string,
  from: Part,
  to: Part,
  extra: Partial<Transition> = {},
): Transition => ({
  kind: "stream",
  field,
  change,
  from,
  to,
  ...extra,
});
const C = (
  field: string,
  change: string,
  from: Part,
  to: Part,
  extra: Partial<Transition> = {},
): Transition => ({
  kind: "consumer",
  field,
  change,
  from,
  to,
  ...extra,
});

const push = (c: Ctx, more: Obj = {}): Obj => ({ deliver_subject: `${c.subj}dlv`, ...more });

const STREAM_TRANSITIONS: Transition[] = [
  S("description", "unset → x", {}, { description: "x" }),
  S("description", "x → y", { description: "x" }, { description: "y" }),
  S("description", "x → unset", { description: "x" }, {}),
  S(
    "subjects",
    "[a] → [a, b]",
    (c) => ({ subjects: [`${c.subj}.a`] }),
    (c) => ({ subjects: [`${c.subj}.a`, `${c.subj}.b`] }),
  ),
  S(
    "subjects",
    "[a, b] → [a]",
    (c) => ({ subjects: [`${c.subj}.a`, `${c.subj}.b`] }),
    (c) => ({ subjects: [`${c.subj}.a`] }),
  ),
  S("subjects", "[a] → unset (the stream's name)", (c) => ({ subjects: [`${c.subj}.a`] }), NO_SUBJECTS),
  S("retention", "limits → interest", {}, { retention: "interest" }),
  S("retention", "interest → limits", { retention: "interest" }, {}),
  S("retention", "limits → workqueue", {}, { retention: "workqueue" }),
  S("retention", "workqueue → limits", { retention: "workqueue" }, {}),
  S("retention", "interest → workqueue", { retention: "interest" }, { retention: "workqueue" }),
  S("retention", "workqueue → interest", { retention: "workqueue" }, { retention: "interest" }),
  S("max_consumers", "unlimited → 10", {}, { max_consumers: 10 }),
  S("max_consumers", "10 → 20", { max_consumers: 10 }, { max_consumers: 20 }),
  S("max_consumers", "10 → unset", { max_consumers: 10 }, {}),
  S("max_msgs", "unlimited → 100", {}, { max_msgs: 100 }),
  S("max_msgs", "100 → 50", { max_msgs: 100 }, { max_msgs: 50 }),
  S("max_msgs", "100 → unset", { max_msgs: 100 }, {}),
  S("max_bytes", "unlimited → 1MiB", {}, { max_bytes: "1MiB" }),
  S("max_bytes", "1MiB → 2MiB", { max_bytes: "1MiB" }, { max_bytes: "2MiB" }),
  S("max_bytes", "1MiB → unset", { max_bytes: "1MiB" }, {}),
  S("max_age", "0 → 1h", {}, { max_age: "1h" }),
  S("max_age", "1h → 2h", { max_age: "1h" }, { max_age: "2h" }),
  S("max_age", "1h → unset", { max_age: "1h" }, {}),
  S("max_age", "0 → 30s (the default window follows)", {}, { max_age: "30s" }),
  S("max_age", "30s → 1h (the default window follows)", { max_age: "30s" }, { max_age: "1h" }),
  S("max_msgs_per_subject", "unlimited → 5", {}, { max_msgs_per_subject: 5 }),
  S("max_msgs_per_subject", "5 → unset", { max_msgs_per_subject: 5 }, {}),
  S("max_msg_size", "unlimited → 1KiB", {}, { max_msg_size: "1KiB" }),
  S("max_msg_size", "1KiB → unset", { max_msg_size: "1KiB" }, {}),
  S("discard", "old → new", {}, { discard: "new" }),
  S("discard", "new → old", { discard: "new" }, {}),
  S(
    "discard_new_per_subject",
    "false → true",
    { discard: "new", max_msgs_per_subject: 3 },
    { discard: "new", max_msgs_per_subject: 3, discard_new_per_subject: true },
  ),
  S(
    "discard_new_per_subject",
    "true → false",
    { discard: "new", max_msgs_per_subject: 3, discard_new_per_subject: true },
    { discard: "new", max_msgs_per_subject: 3 },
  ),
  S("storage", "file → memory", {}, { storage: "memory" }),
  S("storage", "memory → file", { storage: "memory" }, {}),
  S("no_ack", "false → true", {}, { no_ack: true }),
  S("no_ack", "true → false", { no_ack: true }, {}),
  S("duplicate_window", "2m → 1m", {}, { duplicate_window: "1m" }),
  S("duplicate_window", "1m → 5m", { duplicate_window: "1m" }, { duplicate_window: "5m" }),
  S("duplicate_window", "1m → unset", { duplicate_window: "1m" }, {}),
  S("placement", "unset → cluster (single server: stored, not checked)", {}, { placement: { cluster: "X" } }),
  S(
    "placement",
    "tags [a] → [b] (single server)",
    { placement: { tags: ["a"] } },
    { placement: { tags: ["b"] } },
  ),
  S("placement", "tags → unset (single server)", { placement: { tags: ["a"] } }, {}),
  S(
    "mirror",
    "origin O → P",
    (c) => ({ ...NO_SUBJECTS, mirror: { name: O(c) } }),
    (c) => ({ ...NO_SUBJECTS, mirror: { name: P(c) } }),
    { others: origins },
  ),
  S(
    "mirror",
    "filter_subject added",
    (c) => ({ ...NO_SUBJECTS, mirror: { name: O(c) } }),
    (c) => ({ ...NO_SUBJECTS, mirror: { name: O(c), filter_subject: `${c.subj}o.a` } }),
    { others: origins },
  ),
  S(
    "mirror",
    "opt_start_seq 1 → 5",
    (c) => ({ ...NO_SUBJECTS, mirror: { name: O(c), opt_start_seq: 1 } }),
    (c) => ({ ...NO_SUBJECTS, mirror: { name: O(c), opt_start_seq: 5 } }),
    { others: origins },
  ),
  S(
    "mirror",
    "removed (promoted to a normal stream)",
    (c) => ({ ...NO_SUBJECTS, mirror: { name: O(c) } }),
    NO_SUBJECTS,
    { others: origins },
  ),
  S("mirror", "added to a normal stream", NO_SUBJECTS, (c) => ({ ...NO_SUBJECTS, mirror: { name: O(c) } }), {
    others: origins,
  }),
  S("sources", "unset → [O]", {}, (c) => ({ sources: [{ name: O(c) }] }), { others: origins }),
  S(
    "sources",
    "[O] → [O, P]",
    (c) => ({ sources: [{ name: O(c) }] }),
    (c) => ({ sources: [{ name: O(c) }, { name: P(c) }] }),
    { others: origins },
  ),
  S("sources", "[O] → unset", (c) => ({ sources: [{ name: O(c) }] }), {}, { others: origins }),
  S(
    "sources",
    "filter_subject a → b",
    (c) => ({ sources: [{ name: O(c), filter_subject: `${c.subj}o.a` }] }),
    (c) => ({ sources: [{ name: O(c), filter_subject: `${c.subj}o.b` }] }),
    { others: origins },
  ),
  S(
    "sources",
    "opt_start_seq 1 → 5",
    (c) => ({ sources: [{ name: O(c), opt_start_seq: 1 }] }),
    (c) => ({ sources: [{ name: O(c), opt_start_seq: 5 }] }),
    { others: origins },
  ),
  S(
    "sources",
    "subject_transforms added",
    (c) => ({ sources: [{ name: O(c) }] }),
    (c) => ({
      sources: [{ name: O(c), subject_transforms: [{ src: `${c.subj}o.>`, dest: `${c.subj}t.>` }] }],
    }),
    { others: origins },
  ),
  S("sealed", "false → true", {}, { sealed: true }),
  S("sealed", "true → false", { sealed: true }, {}, { pre: {} }),
  S(
    "sealed",
    "sealed, description x → y",
    { sealed: true, description: "x" },
    { sealed: true, description: "y" },
    { pre: {} },
  ),
  S(
    "sealed",
    "false → true, with max_age 1h (forced to 0)",
    { max_age: "1h" },
    { max_age: "1h", sealed: true },
  ),
  S("deny_delete", "false → true", {}, { deny_delete: true }),
  S("deny_delete", "true → false", { deny_delete: true }, {}),
  S("deny_purge", "false → true", {}, { deny_purge: true }),
  S("deny_purge", "true → false", { deny_purge: true }, {}),
  S("allow_rollup_hdrs", "false → true", {}, { allow_rollup_hdrs: true }),
  S("allow_rollup_hdrs", "true → false", { allow_rollup_hdrs: true }, {}),
  S("allow_direct", "false → true", {}, { allow_direct: true }),
  S("allow_direct", "true → false", { allow_direct: true }, {}),
  S(
    "mirror_direct",
    "false → true (origin not visible)",
    { ...NO_SUBJECTS, mirror: { name: "NOWHERE" } },
    { ...NO_SUBJECTS, mirror: { name: "NOWHERE" }, mirror_direct: true },
  ),
  S(
    "mirror_direct",
    "true → false (origin not visible)",
    { ...NO_SUBJECTS, mirror: { name: "NOWHERE" }, mirror_direct: true },
    { ...NO_SUBJECTS, mirror: { name: "NOWHERE" } },
  ),
  S("republish", "unset → dest", {}, (c) => ({ republish: { dest: `${c.subj}rp.>` } })),
  S(
    "republish",
    "dest changed",
    (c) => ({ republish: { dest: `${c.subj}rp.>` } }),
    (c) => ({ republish: { dest: `${c.subj}rq.>` } }),
  ),
  S(
    "republish",
    "headers_only false → true",
    (c) => ({ republish: { dest: `${c.subj}rp.>` } }),
    (c) => ({ republish: { dest: `${c.subj}rp.>`, headers_only: true } }),
  ),
  S("republish", "dest → unset", (c) => ({ republish: { dest: `${c.subj}rp.>` } }), {}),
  S("subject_transform", "unset → set", {}, (c) => ({
    subject_transform: { src: `${c.subj}.>`, dest: `${c.subj}x.>` },
  })),
  S(
    "subject_transform",
    "dest changed",
    (c) => ({ subject_transform: { src: `${c.subj}.>`, dest: `${c.subj}x.>` } }),
    (c) => ({ subject_transform: { src: `${c.subj}.>`, dest: `${c.subj}y.>` } }),
  ),
  S(
    "subject_transform",
    "set → unset",
    (c) => ({ subject_transform: { src: `${c.subj}.>`, dest: `${c.subj}x.>` } }),
    {},
  ),
  S("compression", "none → s2", {}, { compression: "s2" }),
  S("compression", "s2 → none", { compression: "s2" }, {}),
  S("first_seq", "unset → 100", {}, { first_seq: 100 }),
  S("first_seq", "100 → 200", { first_seq: 100 }, { first_seq: 200 }),
  S("first_seq", "100 → unset", { first_seq: 100 }, {}),
  S("consumer_limits", "unset → max_ack_pending 100", {}, { consumer_limits: { max_ack_pending: 100 } }),
  S(
    "consumer_limits",
    "max_ack_pending 100 → 50",
    { consumer_limits: { max_ack_pending: 100 } },
    { consumer_limits: { max_ack_pending: 50 } },
  ),
  S("consumer_limits", "max_ack_pending 100 → unset", { consumer_limits: { max_ack_pending: 100 } }, {}),
  S(
    "consumer_limits",
    "unset → inactive_threshold 1m",
    {},
    { consumer_limits: { inactive_threshold: "1m" } },
  ),
  // With a consumer under the limits: the server checks the consumer against the new limits.
  S(
    "consumer_limits",
    "unset → max_ack_pending 50, with a consumer at the default 1000",
    { consumers: [{ name: "k", ack_policy: "explicit" }] },
    { consumer_limits: { max_ack_pending: 50 }, consumers: [{ name: "k", ack_policy: "explicit" }] },
  ),
  S(
    "consumer_limits",
    "max_ack_pending 100 → unset, with a consumer at 80",
    {
      consumer_limits: { max_ack_pending: 100 },
      consumers: [{ name: "k", ack_policy: "explicit", max_ack_pending: 80 }],
    },
    { consumers: [{ name: "k", ack_policy: "explicit", max_ack_pending: 80 }] },
  ),
  S(
    "consumer_limits",
    "inactive_threshold 1h → unset, with a consumer at 30m",
    { consumer_limits: { inactive_threshold: "1h" }, consumers: [{ name: "k", inactive_threshold: "30m" }] },
    { consumers: [{ name: "k", inactive_threshold: "30m" }] },
  ),
  S("metadata", "unset → {a: 1}", {}, { metadata: { a: "1" } }),
  S("metadata", "{a: 1} → {a: 2}", { metadata: { a: "1" } }, { metadata: { a: "2" } }),
  S("metadata", "{a: 1} → unset", { metadata: { a: "1" } }, {}),
  S("allow_msg_ttl", "false → true", {}, { allow_msg_ttl: true }, { since: "2.11.0" }),
  S("allow_msg_ttl", "true → false", { allow_msg_ttl: true }, {}, { since: "2.11.0" }),
  S("subject_delete_marker_ttl", "unset → 1m", {}, { subject_delete_marker_ttl: "1m" }, { since: "2.11.0" }),
  S(
    "subject_delete_marker_ttl",
    "1m → 2m",
    { subject_delete_marker_ttl: "1m" },
    { subject_delete_marker_ttl: "2m" },
    { since: "2.11.0" },
  ),
  S(
    "subject_delete_marker_ttl",
    "1m → unset, keeping allow_msg_ttl",
    { subject_delete_marker_ttl: "1m" },
    { allow_msg_ttl: true, allow_rollup_hdrs: true },
    { since: "2.11.0" },
  ),
  // Removing the markers from the manifest also removes the allow_msg_ttl they turned on, which the server
  // cannot turn off.
  S("subject_delete_marker_ttl", "1m → unset", { subject_delete_marker_ttl: "1m" }, {}, { since: "2.11.0" }),
  S("allow_msg_counter", "false → true", {}, { allow_msg_counter: true }, { since: "2.12.0" }),
  S("allow_msg_counter", "true → false", { allow_msg_counter: true }, {}, { since: "2.12.0" }),
  S("allow_atomic", "false → true", {}, { allow_atomic: true }, { since: "2.12.0" }),
  S("allow_atomic", "true → false", { allow_atomic: true }, {}, { since: "2.12.0" }),
  S("allow_msg_schedules", "false → true", {}, { allow_msg_schedules: true }, { since: "2.12.0" }),
  S("allow_msg_schedules", "true → false", { allow_msg_schedules: true }, {}, { since: "2.12.0" }),
  S("persist_mode", "default → async", {}, { persist_mode: "async" }, { since: "2.12.0" }),
  S("persist_mode", "async → default", { persist_mode: "async" }, {}, { since: "2.12.0" }),
  S("allow_batched", "false → true", {}, { allow_batched: true }, { since: "2.14.0" }),
  S("allow_batched", "true → false", { allow_batched: true }, {}, { since: "2.14.0" }),
  S("protect", "false → true", {}, { protect: true }),
  S("protect", "true → false", { protect: true }, {}),
  // jsplan's own key: nothing of it reaches the server; the other fields change as they would.
  S(
    "ignore_changes",
    "unset → [max_age], with a new description",
    { description: "a" },
    { description: "b", ignore_changes: ["max_age"] },
  ),
];

const CONSUMER_TRANSITIONS: Transition[] = [
  C("description", "unset → x", {}, { description: "x" }),
  C("description", "x → y", { description: "x" }, { description: "y" }),
  C("description", "x → unset", { description: "x" }, {}),
  C("deliver_policy", "all → new", {}, { deliver_policy: "new" }),
  C("deliver_policy", "all → last", {}, { deliver_policy: "last" }),
  C("deliver_policy", "new → all", { deliver_policy: "new" }, {}),
  C(
    "deliver_policy",
    "all → by_start_sequence",
    {},
    { deliver_policy: "by_start_sequence", opt_start_seq: 5 },
  ),
  C("deliver_policy", "all → by_start_time", {}, { deliver_policy: "by_start_time", opt_start_time: t1 }),
  C(
    "deliver_policy",
    "all → last_per_subject",
    (c) => ({ filter_subject: `${c.subj}.a` }),
    (c) => ({ deliver_policy: "last_per_subject", filter_subject: `${c.subj}.a` }),
  ),
  C(
    "opt_start_seq",
    "5 → 6",
    { deliver_policy: "by_start_sequence", opt_start_seq: 5 },
    { deliver_policy: "by_start_sequence", opt_start_seq: 6 },
  ),
  C(
    "opt_start_time",
    "t1 → t2",
    { deliver_policy: "by_start_time", opt_start_time: t1 },
    { deliver_policy: "by_start_time", opt_start_time: t2 },
  ),
  C("ack_policy", "explicit → none", { ack_policy: "explicit" }, {}),
  C("ack_policy", "explicit → all", { ack_policy: "explicit" }, { ack_policy: "all" }),
  C("ack_policy", "none → explicit", {}, { ack_policy: "explicit" }),
  C(
    "ack_policy",
    "none → flow_control (push)",
    (c) => push(c),
    (c) => push(c, { ack_policy: "flow_control", max_ack_pending: 100 }),
    {
      since: "2.14.0",
    },
  ),
  C("ack_wait", "30s → 10s", { ack_policy: "explicit" }, { ack_policy: "explicit", ack_wait: "10s" }),
  C("ack_wait", "10s → unset", { ack_policy: "explicit", ack_wait: "10s" }, { ack_policy: "explicit" }),
  C("max_deliver", "unlimited → 5", { ack_policy: "explicit" }, { ack_policy: "explicit", max_deliver: 5 }),
  C("max_deliver", "5 → unset", { ack_policy: "explicit", max_deliver: 5 }, { ack_policy: "explicit" }),
  C(
    "backoff",
    "unset → [1s, 2s]",
    { ack_policy: "explicit" },
    { ack_policy: "explicit", backoff: ["1s", "2s"] },
  ),
  C(
    "backoff",
    "[1s, 2s] → [3s, 4s]",
    { ack_policy: "explicit", backoff: ["1s", "2s"] },
    { ack_policy: "explicit", backoff: ["3s", "4s"] },
  ),
  C(
    "backoff",
    "[1s, 2s] → unset",
    { ack_policy: "explicit", backoff: ["1s", "2s"] },
    { ack_policy: "explicit" },
  ),
  C("filter_subject", "unset → a", {}, (c) => ({ filter_subject: `${c.subj}.a` })),
  C(
    "filter_subject",
    "a → b",
    (c) => ({ filter_subject: `${c.subj}.a` }),
    (c) => ({ filter_subject: `${c.subj}.b` }),
  ),
  C("filter_subject", "a → unset", (c) => ({ filter_subject: `${c.subj}.a` }), {}),
  C(
    "filter_subjects",
    "[a] → [a, b]",
    (c) => ({ filter_subjects: [`${c.subj}.a`] }),
    (c) => ({ filter_subjects: [`${c.subj}.a`, `${c.subj}.b`] }),
  ),
  C(
    "filter_subjects",
    "[a, b] → [a]",
    (c) => ({ filter_subjects: [`${c.subj}.a`, `${c.subj}.b`] }),
    (c) => ({ filter_subjects: [`${c.subj}.a`] }),
  ),
  C(
    "filter_subjects",
    "filter_subject a → filter_subjects [a, b]",
    (c) => ({ filter_subject: `${c.subj}.a` }),
    (c) => ({ filter_subjects: [`${c.subj}.a`, `${c.subj}.b`] }),
  ),
  C("filter_subjects", "[a, b] → unset", (c) => ({ filter_subjects: [`${c.subj}.a`, `${c.subj}.b`] }), {}),
  C("replay_policy", "instant → original", {}, { replay_policy: "original" }),
  C("replay_policy", "original → instant", { replay_policy: "original" }, {}),
  C(
    "rate_limit_bps",
    "unset → 1000 (push)",
    (c) => push(c),
    (c) => push(c, { rate_limit_bps: 1000 }),
  ),
  C(
    "rate_limit_bps",
    "1000 → unset (push)",
    (c) => push(c, { rate_limit_bps: 1000 }),
    (c) => push(c),
  ),
  C("sample_freq", "unset → 50%", {}, { sample_freq: "50%" }),
  C("sample_freq", "50% → 100", { sample_freq: "50%" }, { sample_freq: 100 }),
  C("sample_freq", "50% → unset", { sample_freq: "50%" }, {}),
  C("max_waiting", "512 → 100", {}, { max_waiting: 100 }),
  C("max_waiting", "100 → unset (512)", { max_waiting: 100 }, {}),
  C(
    "max_ack_pending",
    "1000 → 500",
    { ack_policy: "explicit" },
    { ack_policy: "explicit", max_ack_pending: 500 },
  ),
  C(
    "max_ack_pending",
    "500 → unlimited",
    { ack_policy: "explicit", max_ack_pending: 500 },
    { ack_policy: "explicit", max_ack_pending: -1 },
  ),
  C(
    "max_ack_pending",
    "500 → unset",
    { ack_policy: "explicit", max_ack_pending: 500 },
    { ack_policy: "explicit" },
  ),
  C(
    "flow_control",
    "false → true (push)",
    (c) => push(c, { idle_heartbeat: "5s" }),
    (c) => push(c, { idle_heartbeat: "5s", flow_control: true }),
  ),
  C(
    "flow_control",
    "true → false (push)",
    (c) => push(c, { idle_heartbeat: "5s", flow_control: true }),
    (c) => push(c, { idle_heartbeat: "5s" }),
  ),
  C(
    "idle_heartbeat",
    "unset → 5s (push)",
    (c) => push(c),
    (c) => push(c, { idle_heartbeat: "5s" }),
  ),
  C(
    "idle_heartbeat",
    "5s → 10s (push)",
    (c) => push(c, { idle_heartbeat: "5s" }),
    (c) => push(c, { idle_heartbeat: "10s" }),
  ),
  C(
    "idle_heartbeat",
    "5s → unset (push)",
    (c) => push(c, { idle_heartbeat: "5s" }),
    (c) => push(c),
  ),
  C("headers_only", "false → true", {}, { headers_only: true }),
  C("headers_only", "true → false", { headers_only: true }, {}),
  C("max_batch", "unset → 10", {}, { max_batch: 10 }),
  C("max_batch", "10 → unset", { max_batch: 10 }, {}),
  C("max_expires", "unset → 10s", {}, { max_expires: "10s" }),
  C("max_expires", "10s → unset", { max_expires: "10s" }, {}),
  C("max_bytes", "unset → 1KiB", {}, { max_bytes: "1KiB" }),
  C("max_bytes", "1KiB → unset", { max_bytes: "1KiB" }, {}),
  C(
    "deliver_subject",
    "push → push (another subject, nobody listening)",
    (c) => push(c),
    (c) => ({ deliver_subject: `${c.subj}dlv2` }),
  ),
  C(
    "deliver_subject",
    "push → push (another subject, while a client listens on the old one)",
    (c) => push(c),
    (c) => ({ deliver_subject: `${c.subj}dlv2` }),
  ),
  C("deliver_subject", "push → pull", (c) => push(c), {}),
  C("deliver_subject", "pull → push", {}, (c) => push(c)),
  C(
    "deliver_group",
    "unset → g (push)",
    (c) => push(c),
    (c) => push(c, { deliver_group: "g" }),
  ),
  C(
    "deliver_group",
    "g → h (push)",
    (c) => push(c, { deliver_group: "g" }),
    (c) => push(c, { deliver_group: "h" }),
  ),
  C(
    "deliver_group",
    "g → unset (push)",
    (c) => push(c, { deliver_group: "g" }),
    (c) => push(c),
  ),
  C("inactive_threshold", "unset → 1h", {}, { inactive_threshold: "1h" }),
  C("inactive_threshold", "1h → 2h", { inactive_threshold: "1h" }, { inactive_threshold: "2h" }),
  C("inactive_threshold", "1h → unset", { inactive_threshold: "1h" }, {}),
  C("num_replicas", "0 → 1", {}, { num_replicas: 1 }),
  C("num_replicas", "1 → 0", { num_replicas: 1 }, {}),
  C("mem_storage", "false → true", {}, { mem_storage: true }),
  C("mem_storage", "true → false", { mem_storage: true }, {}),
  C("metadata", "unset → {a: 1}", {}, { metadata: { a: "1" } }),
  C("metadata", "{a: 1} → {a: 2}", { metadata: { a: "1" } }, { metadata: { a: "2" } }),
  C("metadata", "{a: 1} → unset", { metadata: { a: "1" } }, {}),
  C("pause_until", "unset → a future time", {}, { pause_until: FUTURE }, { since: "2.11.0" }),
  C(
    "pause_until",
    "a future time → another",
    { pause_until: FUTURE },
    { pause_until: FUTURE2 },
    { since: "2.11.0" },
  ),
  C(
    "priority_groups",
    "[A] → [A, B]",
    { priority_policy: "overflow", priority_groups: ["A"] },
    { priority_policy: "overflow", priority_groups: ["A", "B"] },
    { since: "2.11.0" },
  ),
  C(
    "priority_policy",
    "none → overflow",
    {},
    { priority_policy: "overflow", priority_groups: ["A"] },
    { since: "2.11.0" },
  ),
  C(
    "priority_policy",
    "overflow → pinned_client",
    { priority_policy: "overflow", priority_groups: ["A"] },
    { priority_policy: "pinned_client", priority_groups: ["A"] },
    { since: "2.11.0" },
  ),
  C(
    "priority_policy",
    "overflow → prioritized",
    { priority_policy: "overflow", priority_groups: ["A"] },
    { priority_policy: "prioritized", priority_groups: ["A"] },
    { since: "2.12.0" },
  ),
  C(
    "priority_policy",
    "overflow → none",
    { priority_policy: "overflow", priority_groups: ["A"] },
    {},
    { since: "2.11.0" },
  ),
  C(
    "priority_timeout",
    "30s → 1m",
    { priority_policy: "pinned_client", priority_groups: ["A"], priority_timeout: "30s" },
    { priority_policy: "pinned_client", priority_groups: ["A"], priority_timeout: "1m" },
    { since: "2.11.0" },
  ),
  C(
    "priority_timeout",
    "30s → unset (2m)",
    { priority_policy: "pinned_client", priority_groups: ["A"], priority_timeout: "30s" },
    { priority_policy: "pinned_client", priority_groups: ["A"] },
    { since: "2.11.0" },
  ),
  C("protect", "false → true", {}, { protect: true }),
  C("protect", "true → false", { protect: true }, {}),
  C(
    "ignore_changes",
    "unset → [max_ack_pending], with a new description",
    { description: "a" },
    { description: "b", ignore_changes: ["max_ack_pending"] },
  ),
];

/** On a 3-node cluster (every node tagged with its own name). */
const CLUSTER_TRANSITIONS: Transition[] = [
  S("num_replicas", "1 → 3", {}, { num_replicas: 3 }, { cluster: true }),
  S("num_replicas", "3 → 1", { num_replicas: 3 }, {}, { cluster: true }),
  S(
    "placement",
    "unset → tags [node 2] (a move)",
    {},
    (c) => ({ placement: { tags: [`${c.clusterName}-n2`] } }),
    { cluster: true },
  ),
  C(
    "num_replicas",
    "0 → 1 on an R3 stream",
    {},
    { num_replicas: 1 },
    { cluster: true, stream: { num_replicas: 3 } },
  ),
];

/** Fields that name a resource or nest resources in the manifest: a change is another resource, not an update. */
const NOT_TRANSITIONS: Readonly<Record<string, string>> = {
  "stream name": "identity: another name is another stream",
  "stream consumers": "jsplan's nesting of consumers: adding one is a create",
  "consumer name": "identity: another name is another consumer",
  "consumer durable_name": "identity: must equal name",
  "consumer stream": "identity: the consumer's stream",
};

interface Intentional {
  readonly row: string;
  /** Lines the entry applies to (default: all). */
  readonly lines?: readonly ServerLine[];
  /** What jsplan plans although the server accepts the in-place update. */
  readonly planned: "replace" | "update" | "no-op";
  readonly reason: string;
  /** Checks what the server does with the in-place update (default: it accepts it). */
  readonly probe?: (nc: NatsConnection, c: Ctx, change: Change, desired: Obj) => Promise<void>;
}

/** Where jsplan deliberately does not follow what the server accepts (or refuses). */
const INTENTIONAL: Intentional[] = [
  {
    row: "consumer deliver_subject push → push (another subject, while a client listens on the old one)",
    planned: "update",
    reason:
      "the server refuses a new deliver_subject while a client is subscribed to the old one (10013), which jsplan " +
      "cannot see; it plans an update and says so in the change's reason",
    probe: async (nc, c, change) => {
      assert.match(change.diff.find((d) => d.path === "deliver_subject")?.reason ?? "", /subscribed/);
      const sub = nc.subscribe(`${c.subj}dlv`);
      await nc.flush();
      try {
        const r = await updateRaw(nc, change, change.after as Obj);
        assert.equal(
          r.error?.err_code,
          10013,
          `expected 10013 while a client listens: ${describeError(r.error)}`,
        );
      } finally {
        sub.unsubscribe();
      }
    },
  },
  // Raising first_seq beyond the stream's first sequence: accepted, but honoured only at the server's next
  // restart, by purging the messages below it. Lowering or removing it is harmless (a plain update).
  ...["unset → 100", "100 → 200"].map(
    (change): Intentional => ({
      row: `stream first_seq ${change}`,
      planned: "replace",
      reason:
        "the server accepts first_seq in an update, but honours it only at its next restart, by purging the " +
        "messages below it (docs/internals/server-behaviour-streams.md §2.6)",
    }),
  ),
  ...["false → true", "true → false"].map(
    (change): Intentional => ({
      row: `consumer mem_storage ${change}`,
      lines: ["2.10"],
      planned: "replace",
      reason:
        "nats-server 2.10 accepts mem_storage in an update and reports the new value, but keeps the consumer's " +
        "state where it was (docs/internals/server-behaviour-consumers.md §2.1)",
    }),
  ),
  ...["unset → a future time", "a future time → another"].map(
    (change): Intentional => ({
      row: `consumer pause_until ${change}`,
      planned: "update",
      reason:
        "the server ignores pause_until when it updates an existing consumer (pausing goes through its own API), " +
        "so the update step sets it through CONSUMER.PAUSE (docs/internals/server-behaviour-consumers.md N16)",
      probe: async (nc, c, change, desired) => {
        const live = await consumerInfo(nc, c.name, "c");
        const body = { ...(change.after as Obj), pause_until: desired.pause_until };
        const r = await updateRaw(nc, change, body);
        assert.ok(r.ok, `the server refused the pause_until update: ${describeError(r.error)}`);
        const now = await consumerInfo(nc, c.name, "c");
        assert.equal(
          (now.config as Obj).pause_until,
          (live.config as Obj).pause_until,
          "the server applied pause_until to an existing consumer: jsplan should plan it",
        );
      },
    }),
  ),
];

function rowKey(r: Transition): string {
  return `${r.kind} ${r.field} ${r.change}`;
}

function manifestFor(r: Transition, c: Ctx, side: Side | "pre"): Obj {
  const p = side === "pre" ? r.pre : side === "from" ? r.from : r.to;
  const base: Obj = { name: c.name, subjects: [`${c.subj}.>`] };
  const stream: Obj =
    r.kind === "stream"
      ? { ...base, ...part(p, c) }
      : { ...base, ...part(r.stream, c), consumers: [{ name: "c", ...part(p, c) }] };
  return { version: 1, owner: c.owner, streams: [...(r.others ? r.others(c) : []), stream] };
}

const ALL = [...STREAM_TRANSITIONS, ...CONSUMER_TRANSITIONS, ...CLUSTER_TRANSITIONS];

function ctxOf(r: Transition, clusterName?: string): Ctx {
  const i = ALL.indexOf(r);
  return {
    name: `CL${i}_${r.field}`.slice(0, 60),
    subj: `cl${i}`,
    owner: `fidelity-classify-${i}`,
    ...(clusterName ? { clusterName } : {}),
  };
}

function address(r: Transition, c: Ctx): string {
  return r.kind === "stream" ? `stream.${c.name}` : `consumer.${c.name}.c`;
}

async function updateRaw(nc: NatsConnection, change: Change, config: Obj): Promise<RawReply> {
  if (change.kind === "stream") return jsApi(nc, `STREAM.UPDATE.${change.name}`, config);
  return jsApi(nc, `CONSUMER.CREATE.${change.stream}.${change.name}`, {
    stream_name: change.stream,
    config,
    action: "update",
  });
}

function describeChange(change: Change): string {
  const diff = change.diff.map(
    (d) =>
      `${d.path}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}${d.forces_replace ? " (forces replace)" : ""}`,
  );
  return `jsplan planned ${change.action} [${diff.join("; ")}]${change.reasons.length ? ` because ${change.reasons.join("; ")}` : ""}`;
}

// --- the table against the schema ----------------------------------------------------------------

describe("the classification table covers the schema", () => {
  for (const kind of ["stream", "consumer"] as const) {
    it(`every ${kind} field has a transition`, () => {
      const fields = Object.keys(SCHEMA.$defs[kind]?.properties ?? {});
      const covered = new Set(ALL.filter((r) => r.kind === kind).map((r) => r.field));
      const missing = fields.filter((f) => !covered.has(f) && !NOT_TRANSITIONS[`${kind} ${f}`]);
      assert.deepEqual(
        missing,
        [],
        `schema ${kind} fields without a transition in classification-matches-server.test.ts`,
      );
      for (const f of covered) assert.ok(fields.includes(f), `${kind} ${f} is not a field of the schema`);
    });
  }

  it("one-way fields are tried in both directions", () => {
    for (const field of [
      "deny_delete",
      "deny_purge",
      "sealed",
      "allow_msg_ttl",
      "allow_msg_schedules",
      "allow_msg_counter",
      "persist_mode",
      "storage",
    ]) {
      const rows = STREAM_TRANSITIONS.filter((r) => r.field === field);
      assert.ok(rows.length >= 2, `${field}: both directions`);
    }
  });

  it("every intentional entry names a row", () => {
    const keys = new Set(ALL.map(rowKey));
    for (const e of INTENTIONAL) assert.ok(keys.has(e.row), `INTENTIONAL names no row: ${e.row}`);
  });
});

// --- the rows on real servers -----------------------------------------------------------------------

async function runTransition(
  r: Transition,
  c: Ctx,
  line: ServerLine,
  url: string,
  nc: NatsConnection,
  report: (message: string) => void,
  afterUpdate?: () => Promise<void>,
): Promise<void> {
  if (r.pre) await applyOk(url, yaml(manifestFor(r, c, "pre")));
  await applyOk(url, yaml(manifestFor(r, c, "from")));
  const toManifest = manifestFor(r, c, "to");
  const plan: Plan = await planOf(url, yaml(toManifest));
  const change = changeOf(plan, address(r, c));
  const intentional = INTENTIONAL.find((e) => e.row === rowKey(r) && (!e.lines || e.lines.includes(line)));

  if (intentional) {
    assert.equal(
      change.action,
      intentional.planned,
      `intentional (${intentional.reason}), but ${describeChange(change)}`,
    );
    report(`jsplan: ${change.action} (intentional: ${intentional.reason})`);
    if (intentional.probe) {
      const { streams, consumers } = manifestResources(toManifest);
      await intentional.probe(nc, c, change, (r.kind === "stream" ? streams.at(-1) : consumers[0])!);
    } else {
      const res = await updateRaw(nc, change, change.after as Obj);
      assert.ok(
        res.ok,
        `listed as intentional (the server accepts the update), but the server refused it with ${describeError(res.error)}: remove it from INTENTIONAL`,
      );
    }
    return;
  }

  assert.ok(
    change.action === "update" || change.action === "replace",
    `the transition should be an update or a replace, but ${describeChange(change)}`,
  );
  // Steps the plan orders before this one (e.g. consumers taking stricter consumer_limits first) run first,
  // as apply would run them.
  const step = plan.steps.find((s) => s.address === change.address);
  for (const dep of step?.depends_on ?? []) {
    const d = changeOf(plan, dep);
    if (d.action !== "update") continue;
    const pre = await updateRaw(nc, d, d.after as Obj);
    assert.ok(pre.ok, `the earlier step ${dep} failed: ${describeError(pre.error)}`);
  }
  const res = await updateRaw(nc, change, change.after as Obj);
  report(`jsplan: ${change.action}; server: ${res.ok ? "accepts" : `refuses ${describeError(res.error)}`}`);
  if (change.action === "replace") {
    assert.ok(!res.ok, `${describeChange(change)}, but the server accepted the in-place update`);
    assert.notEqual(res.error?.err_code, 10025, `the update body is malformed: ${describeError(res.error)}`);
  } else {
    assert.ok(
      res.ok,
      `${describeChange(change)}, but the server refused the in-place update: ${describeError(res.error)}`,
    );
    await afterUpdate?.();
    // The server holds what jsplan wanted: nothing left to plan.
    assertEmpty(await planOf(url, yaml(toManifest)), "after the raw in-place update");
  }
}

function lineVersion(line: ServerLine): string {
  return provisionedVersion(line) ?? `${line}.0`;
}

const ROW_CONCURRENCY = 6;

for (const line of serverLines()) {
  const version = lineVersion(line);
  describe(`classification matches nats-server ${line}`, { concurrency: ROW_CONCURRENCY }, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
    });
    after(async () => {
      await server?.stop();
    });

    for (const r of [...STREAM_TRANSITIONS, ...CONSUMER_TRANSITIONS]) {
      const skip =
        r.since && !versionAtLeast(version, r.since) ? `${r.field} needs nats-server ${r.since}` : false;
      const todo = r.todo?.[line];
      it(rowKey(r), { skip, ...(todo ? { todo } : {}), timeout: 60_000 }, (t) =>
        keepLogsOnFailure(t, server, async () => {
          const c = ctxOf(r);
          await runTransition(r, c, line, server.url, nc, (m) => t.diagnostic(m));
          await deleteStreams(nc, [c.name, ...(r.others ? r.others(c).map((s) => s.name as string) : [])]);
        }),
      );
    }
  });

  describe(`classification matches a nats-server ${line} cluster`, () => {
    it(CLUSTER_TRANSITIONS.map(rowKey).join("; "), { timeout: 120_000 }, (t) =>
      withCluster(t, { line, config: NODE_TAGS_CONFIG }, async (cluster) => {
        const nc = await connectTo(cluster);
        const url = cluster.urls.join(",");
        for (const r of CLUSTER_TRANSITIONS) {
          await t.test(rowKey(r), async (t) => {
            const c = ctxOf(r, cluster.name);
            const stream = (side: Side) => manifestResources(manifestFor(r, c, side)).streams.at(-1)!;
            const afterUpdate = () => settled(nc, stream("to"), cluster.name);
            // The "from" state must have settled before the update is tried.
            await applyOk(url, yaml(manifestFor(r, c, "from")));
            await settled(nc, stream("from"), cluster.name);
            await runTransition(
              { ...r, pre: undefined },
              c,
              line,
              url,
              nc,
              (m) => t.diagnostic(m),
              afterUpdate,
            );
          });
        }
      }),
    );
  });
}
