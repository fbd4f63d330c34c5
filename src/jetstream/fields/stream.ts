// The stream fields, one row each, in the order export writes them (identity first, then what people look
// for first). Verified against nats-server 2.10.27 and 2.15.1 (docs/internals/server-behaviour-streams.md).
// `special` entries have their rule in canonical-stream.ts or classify-stream.ts.

import { MINUTE } from "../../model/units.js";
import { type FieldRow, FieldTable, IN_PLACE, immutable, oneWay, SPECIAL } from "./row.js";

const unlimited = (name: string): FieldRow => ({
  name,
  unit: "limit",
  fill: "unlimited",
  default: -1,
  update: IN_PLACE,
  hideDefault: true,
});

/** A flag or value the server leaves out when it is false, zero or empty. */
const omitted = (name: string, more: Partial<FieldRow> = {}): FieldRow => ({
  name,
  fill: "omit",
  update: IN_PLACE,
  ...more,
});

export const STREAM_ROWS: readonly FieldRow[] = [
  // A different name is a different resource: a name never changes, it is planned as a delete and a create.
  { name: "name", fill: "special", update: SPECIAL },
  omitted("description"),
  { name: "subjects", fill: "special", update: IN_PLACE },
  { name: "retention", fill: "default", default: "limits", update: SPECIAL, hideDefault: true },
  {
    name: "storage",
    fill: "default",
    default: "file",
    update: immutable("the storage type of a stream cannot change"),
    hideDefault: true,
  },
  { name: "num_replicas", fill: "default", default: 1, update: IN_PLACE, hideDefault: true },
  { name: "placement", fill: "special", update: IN_PLACE },
  { name: "max_age", unit: "duration", fill: "default", default: 0, update: IN_PLACE, hideDefault: true },
  { ...unlimited("max_bytes"), unit: "size" },
  unlimited("max_msgs"),
  unlimited("max_msgs_per_subject"),
  { ...unlimited("max_msg_size"), unit: "size", int32: true },
  { ...unlimited("max_consumers"), update: SPECIAL },
  { name: "discard", fill: "default", default: "old", update: IN_PLACE, hideDefault: true },
  omitted("discard_new_per_subject"),
  // The server fills it with min(2m, max_age), and gives mirrors (and from 2.14 sourcing streams) none.
  {
    name: "duplicate_window",
    unit: "duration",
    fill: "special",
    default: 2 * MINUTE,
    update: IN_PLACE,
    hideDefault: true,
  },
  { name: "mirror", fill: "special", update: SPECIAL },
  { name: "sources", fill: "special", update: IN_PLACE },
  { name: "subject_transform", fill: "special", update: IN_PLACE },
  { name: "republish", fill: "special", update: IN_PLACE },
  { name: "compression", fill: "default", default: "none", update: IN_PLACE, hideDefault: true },
  omitted("allow_direct"),
  omitted("mirror_direct", { update: SPECIAL }),
  omitted("allow_rollup_hdrs"),
  omitted("deny_delete", { update: oneWay("deny_delete can be turned on, but not off again") }),
  omitted("deny_purge", { update: oneWay("deny_purge can be turned on, but not off again") }),
  omitted("sealed", { update: oneWay("a sealed stream cannot be unsealed") }),
  omitted("no_ack"),
  omitted("first_seq", { update: SPECIAL }),
  {
    name: "consumer_limits",
    fill: "special",
    update: SPECIAL,
    nested: [
      { name: "inactive_threshold", unit: "duration", fill: "omit", update: IN_PLACE },
      { name: "max_ack_pending", unit: "limit", fill: "omit", update: IN_PLACE },
    ],
  },
  omitted("allow_msg_ttl", { since: "2.11.0", update: SPECIAL }),
  omitted("subject_delete_marker_ttl", { unit: "duration", since: "2.11.0" }),
  omitted("allow_msg_counter", {
    since: "2.12.0",
    update: immutable("allow_msg_counter is fixed when the stream is created"),
  }),
  omitted("allow_atomic", { since: "2.12.0" }),
  omitted("allow_msg_schedules", {
    since: "2.12.0",
    update: oneWay("message schedules can be turned on, but not off again"),
  }),
  omitted("persist_mode", {
    default: "default",
    since: "2.12.0",
    update: immutable("persist_mode is fixed when the stream is created"),
  }),
  omitted("allow_batched", { since: "2.14.0" }),
  { name: "metadata", fill: "special", update: IN_PLACE },
];

export const STREAM_FIELDS = new FieldTable(STREAM_ROWS);
