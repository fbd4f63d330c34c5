// Which fields hold durations, sizes or limits, so that renderers can print `30d` instead of
// 2592000000000000 and `10GiB` instead of 10737418240. Keyed by the field path without list indexes.

export type FieldUnit = "duration" | "durations" | "size" | "limit";

const UNITS: Readonly<Record<string, FieldUnit>> = {
  max_age: "duration",
  duplicate_window: "duration",
  subject_delete_marker_ttl: "duration",
  "consumer_limits.inactive_threshold": "duration",
  ack_wait: "duration",
  idle_heartbeat: "duration",
  max_expires: "duration",
  inactive_threshold: "duration",
  priority_timeout: "duration",
  backoff: "durations",
  max_bytes: "size",
  max_msg_size: "size",
  max_msgs: "limit",
  max_msgs_per_subject: "limit",
  max_consumers: "limit",
  max_deliver: "limit",
  max_ack_pending: "limit",
  "consumer_limits.max_ack_pending": "limit",
};

export function unitOf(path: string): FieldUnit | undefined {
  return UNITS[path.replace(/\[\d+\]/g, "")];
}
