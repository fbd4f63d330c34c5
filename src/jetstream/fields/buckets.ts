// KV buckets and object stores are streams underneath: each bucket setting is a stream field under a name of
// its own (a KV bucket's `history` is its stream's `max_msgs_per_subject`). These tables say which, with the
// manifest unit of each setting, and which stream fields a bucket has only because it is a bucket.

import type { FieldUnit } from "./row.js";

export interface BucketSetting {
  /** The setting's name in a manifest. */
  readonly name: string;
  /** The stream field it becomes, when it has another name. */
  readonly stream?: string;
  readonly unit?: FieldUnit;
}

export interface BucketView {
  readonly kind: "kv" | "objectstore";
  readonly settings: readonly BucketSetting[];
  /** Stream fields a bucket has because it is a bucket, not because its manifest says so. */
  readonly internals: ReadonlySet<string>;
  /** Stream field → the bucket setting it shows as. */
  readonly displayNames: ReadonlyMap<string, string>;
}

const INTERNALS = new Set([
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

function view(kind: BucketView["kind"], settings: readonly BucketSetting[]): BucketView {
  const displayNames = new Map<string, string>();
  for (const s of settings) if (s.stream) displayNames.set(s.stream, s.name);
  return { kind, settings, internals: INTERNALS, displayNames };
}

export const KV_VIEW = view("kv", [
  { name: "bucket" },
  { name: "description" },
  { name: "history", stream: "max_msgs_per_subject" },
  { name: "ttl", stream: "max_age", unit: "duration" },
  { name: "max_value_size", stream: "max_msg_size", unit: "size" },
  { name: "max_bytes", unit: "size" },
  { name: "storage" },
  { name: "num_replicas" },
  { name: "placement" },
  { name: "compression" },
  { name: "republish" },
  { name: "mirror" },
  { name: "sources" },
  { name: "limit_marker_ttl", stream: "subject_delete_marker_ttl", unit: "duration" },
  { name: "metadata" },
]);

export const OBJECT_STORE_VIEW = view("objectstore", [
  { name: "bucket" },
  { name: "description" },
  { name: "ttl", stream: "max_age", unit: "duration" },
  { name: "max_bytes", unit: "size" },
  { name: "storage" },
  { name: "num_replicas" },
  { name: "placement" },
  { name: "compression" },
  { name: "metadata" },
]);

export function bucketView(kind: string): BucketView | undefined {
  return kind === "kv" ? KV_VIEW : kind === "objectstore" ? OBJECT_STORE_VIEW : undefined;
}

/** The manifest settings of a bucket kind that hold durations, or sizes. */
export function settingsWithUnit(v: BucketView, unit: "duration" | "size"): string[] {
  return v.settings.filter((s) => s.unit === unit).map((s) => s.name);
}
