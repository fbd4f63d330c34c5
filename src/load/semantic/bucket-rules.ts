// Rules for KV buckets and object stores that JSON Schema cannot express.

import type { DesiredKv, DesiredObjectStore } from "../../model/desired.js";
import { SECOND } from "../../model/units.js";
import type { Findings } from "./report.js";
import { metadataBytes } from "./stream-rules.js";

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
  // The server tells sources apart by origin, API prefix, filter and transforms (10140 "duplicate source
  // configuration detected"). A bucket source's filter becomes its transform, and a filter on all of the
  // origin's keys is the transform every bucket source gets anyway.
  const seen = new Map<string, number>();
  (s.sources ?? []).forEach((src, i) => {
    const origin = src.name.startsWith("KV_") ? src.name.slice(3) : src.name;
    const filter = src.filter_subject === `$KV.${origin}.>` ? undefined : src.filter_subject;
    const key = JSON.stringify([
      origin,
      src.external?.api ?? (src.domain ? `$JS.${src.domain}.API` : ""),
      filter ?? "",
      src.subject_transforms ?? [],
    ]);
    const first = seen.get(key);
    if (first !== undefined) {
      f.error(
        b,
        `sources[${i}]`,
        "source-duplicate",
        `this source repeats sources[${first}] (same bucket and keys)`,
      );
    } else seen.set(key, i);
  });
  if (s.limit_marker_ttl !== undefined && s.limit_marker_ttl > 0 && s.limit_marker_ttl < SECOND) {
    f.error(b, "limit_marker_ttl", "marker-ttl-too-small", "limit_marker_ttl must be at least 1s");
  }
  if (s.metadata && metadataBytes(s.metadata) > 128 * 1024) {
    f.error(b, "metadata", "metadata-too-large", "metadata keys and values together can be at most 128 KiB");
  }
}

export function checkObjectStore(b: DesiredObjectStore, f: Findings): void {
  if (b.spec.metadata && metadataBytes(b.spec.metadata) > 128 * 1024) {
    f.error(b, "metadata", "metadata-too-large", "metadata keys and values together can be at most 128 KiB");
  }
}
