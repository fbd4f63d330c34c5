// Rules for KV buckets and object stores that JSON Schema cannot express.

import { kvBucketOf } from "../../jetstream/buckets.js";
import type { DesiredKv, DesiredObjectStore, KvSourceSpec } from "../../model/desired.js";
import { SECOND } from "../../model/units.js";
import type { Findings } from "./report.js";
import { metadataWithinLimit } from "./server-limits.js";
import { reportRepeatedSources } from "./stream-origins.js";

export function checkKv(b: DesiredKv, f: Findings): void {
  const s = b.spec;
  if (s.mirror && s.sources?.length) {
    f.error(
      b,
      "sources",
      "mirror-sources",
      "a bucket is either a mirror or has sources, not both; remove one",
    );
  }
  reportRepeatedSources(b, s.sources, bucketSourceKey, "same bucket and keys", f);
  if (s.limit_marker_ttl !== undefined && s.limit_marker_ttl > 0 && s.limit_marker_ttl < SECOND) {
    f.error(b, "limit_marker_ttl", "marker-ttl-too-small", "limit_marker_ttl must be at least 1s");
  }
  metadataWithinLimit(b, s.metadata, f);
  checkEntries(b, f);
}

const encoder = new TextEncoder();

/** `entries`: written to the bucket itself, so a mirror cannot take them, and each fits the bucket's limit. */
function checkEntries(b: DesiredKv, f: Findings): void {
  if (!b.entries) return;
  if (b.spec.mirror && b.entries.length > 0) {
    f.error(
      b,
      "entries",
      "entries-on-mirror",
      "a mirror bucket takes its keys from its origin and refuses writes; declare the entries on the origin bucket",
    );
    return;
  }
  const max = b.spec.max_value_size;
  if (max === undefined || max < 0) return;
  for (const e of b.entries) {
    const bytes = encoder.encode(e.value).length;
    if (bytes > max) {
      f.error(
        b,
        `entries[${JSON.stringify(e.key)}]`,
        "entry-too-large",
        `the value of ${e.key} is ${bytes} bytes, more than the bucket's max_value_size (${max}); shorten it or raise max_value_size`,
      );
    }
  }
}

/**
 * What the server tells a bucket's sources apart by (10140 "duplicate source configuration detected"): a
 * bucket source's filter becomes its transform, and a filter on all of the origin's keys is the transform
 * every bucket source gets anyway.
 */
function bucketSourceKey(src: KvSourceSpec): string {
  const origin = kvBucketOf(src.name) ?? src.name;
  const filter = src.filter_subject === `$KV.${origin}.>` ? undefined : src.filter_subject;
  return JSON.stringify([
    origin,
    src.external?.api ?? (src.domain ? `$JS.${src.domain}.API` : ""),
    filter ?? "",
    src.subject_transforms ?? [],
  ]);
}

export function checkObjectStore(b: DesiredObjectStore, f: Findings): void {
  metadataWithinLimit(b, b.spec.metadata, f);
}
