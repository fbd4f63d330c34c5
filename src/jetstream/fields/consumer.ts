// The consumer fields, one row each, in the order export writes them. Verified against nats-server 2.10.27
// and 2.15.1 (docs/internals/server-behaviour-consumers.md). `special` entries have their rule in
// canonical-consumer.ts or classify-consumer.ts.

import { SECOND } from "../../model/units.js";
import { type FieldRow, FieldTable, IN_PLACE, immutable, SPECIAL } from "./row.js";

/** Fields the server fixes when the consumer is created: a change replaces the consumer. */
const fixed = (row: Omit<FieldRow, "update">): FieldRow => ({
  ...row,
  update: immutable(`${row.name} is fixed when the consumer is created`),
});

const omitted = (name: string, more: Partial<FieldRow> = {}): FieldRow => ({
  name,
  fill: "omit",
  update: IN_PLACE,
  ...more,
});

export const CONSUMER_ROWS: readonly FieldRow[] = [
  // A different name is a different resource: a name never changes, it is planned as a delete and a create.
  { name: "name", fill: "special", update: SPECIAL },
  omitted("description"),
  omitted("deliver_subject", { update: SPECIAL }),
  omitted("deliver_group"),
  fixed({ name: "deliver_policy", fill: "special", default: "all", hideDefault: true }),
  fixed({ name: "opt_start_seq", fill: "omit" }),
  fixed({ name: "opt_start_time", fill: "omit" }),
  fixed({ name: "ack_policy", fill: "default", default: "none", hideDefault: true }),
  // 30s for explicit and all acknowledgements; backoff[0] when there is a backoff.
  {
    name: "ack_wait",
    unit: "duration",
    fill: "special",
    default: 30 * SECOND,
    update: IN_PLACE,
    hideDefault: true,
  },
  { name: "max_deliver", unit: "limit", fill: "unlimited", default: -1, update: IN_PLACE, hideDefault: true },
  omitted("backoff", { unit: "durations" }),
  omitted("filter_subject"),
  omitted("filter_subjects"),
  fixed({ name: "replay_policy", fill: "default", default: "instant", hideDefault: true }),
  omitted("rate_limit_bps"),
  omitted("sample_freq"),
  // 512 for pull consumers; push consumers have none.
  fixed({ name: "max_waiting", fill: "special", default: 512, hideDefault: true }),
  // The stream's consumer_limits, else 1000 for acknowledged consumers (capped by the account).
  {
    name: "max_ack_pending",
    unit: "limit",
    fill: "special",
    default: 1000,
    update: IN_PLACE,
    hideDefault: true,
  },
  fixed({ name: "flow_control", fill: "special" }),
  fixed({ name: "idle_heartbeat", unit: "duration", fill: "special" }),
  omitted("headers_only"),
  omitted("max_batch"),
  omitted("max_expires", { unit: "duration" }),
  omitted("max_bytes", { unit: "size" }),
  { name: "inactive_threshold", unit: "duration", fill: "special", update: IN_PLACE },
  { name: "num_replicas", fill: "default", default: 0, update: IN_PLACE, hideDefault: true },
  fixed({ name: "mem_storage", fill: "omit" }),
  omitted("priority_groups", { since: "2.11.0" }),
  omitted("priority_policy", { default: "none", since: "2.11.0" }),
  { name: "priority_timeout", unit: "duration", fill: "special", since: "2.11.0", update: IN_PLACE },
  { name: "metadata", fill: "special", update: IN_PLACE },
  // A pause is state, set through the pause API; export leaves it out.
  omitted("pause_until", { since: "2.11.0", update: SPECIAL, exported: false }),
  // The same as name for every consumer jsplan manages; the manifest has only `name`.
  { name: "durable_name", fill: "special", update: SPECIAL, exported: false },
];

export const CONSUMER_FIELDS = new FieldTable(CONSUMER_ROWS);
