// Wire values in human units, for text and markdown.

import { unitOf } from "../model/field-units.js";
import { formatDuration, formatSize } from "../model/units.js";

export function formatValue(path: string, value: unknown): string {
  if (value === undefined || value === null) return "(unset)";
  const unit = unitOf(path);
  if (typeof value === "number") {
    if (unit === "duration") return formatDuration(value);
    if (unit === "size") return formatSize(value);
    if (unit === "limit" && value === -1) return "unlimited";
    return String(value);
  }
  if (unit === "durations" && Array.isArray(value))
    return `[${value.map((v) => formatDuration(Number(v))).join(", ")}]`;
  if (typeof value === "string") return /^[\w.*>$/:@%+-]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Server defaults that a new resource does not need to show (the plan lists only what the manifest sets). */
const STREAM_DEFAULTS: Readonly<Record<string, unknown>> = {
  retention: "limits",
  max_consumers: -1,
  max_msgs: -1,
  max_bytes: -1,
  max_age: 0,
  max_msgs_per_subject: -1,
  max_msg_size: -1,
  discard: "old",
  storage: "file",
  num_replicas: 1,
  compression: "none",
};

const CONSUMER_DEFAULTS: Readonly<Record<string, unknown>> = {
  deliver_policy: "all",
  ack_policy: "none",
  replay_policy: "instant",
  max_deliver: -1,
  max_waiting: 512,
  max_ack_pending: 1000,
  ack_wait: 30_000_000_000,
  num_replicas: 0,
};

export function isShownOnCreate(kind: string, key: string, value: unknown): boolean {
  if (key === "name" || key === "durable_name") return false;
  if (isBucketInternal(kind, key)) return false;
  const defaults = kind === "consumer" ? CONSUMER_DEFAULTS : STREAM_DEFAULTS;
  if (key === "duplicate_window" && value === 120_000_000_000) return false;
  return !(key in defaults && defaults[key] === value);
}

/** Bucket settings are stream fields underneath; plans show them under the bucket's own names. */
const BUCKET_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  kv: {
    max_msgs_per_subject: "history",
    max_age: "ttl",
    max_msg_size: "max_value_size",
    subject_delete_marker_ttl: "limit_marker_ttl",
  },
  objectstore: { max_age: "ttl" },
};

/** What a bucket's stream has because it is a bucket, not because the manifest says so. */
const BUCKET_INTERNALS = new Set([
  "subjects",
  "discard",
  "allow_rollup_hdrs",
  "deny_delete",
  "allow_direct",
  "mirror_direct",
  "duplicate_window",
  "max_msgs",
  "max_consumers",
  "retention",
  "allow_msg_ttl",
]);

export function displayPath(kind: string, path: string): string {
  const names = BUCKET_NAMES[kind];
  if (!names) return path;
  const head = path.split(/[.[]/)[0]!;
  return names[head] ? `${names[head]}${path.slice(head.length)}` : path;
}

export function isBucketInternal(kind: string, key: string): boolean {
  return (kind === "kv" || kind === "objectstore") && BUCKET_INTERNALS.has(key);
}
