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
  const defaults = kind === "consumer" ? CONSUMER_DEFAULTS : STREAM_DEFAULTS;
  if (key === "duplicate_window" && value === 120_000_000_000) return false;
  return !(key in defaults && defaults[key] === value);
}
