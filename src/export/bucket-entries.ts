// Live KV_ and OBJ_ streams as bucket entries, when they are exactly what the clients make of a bucket:
// mapping the entry back must give the same stream, else the stream is exported as a stream.

import { alignStream } from "../jetstream/align.js";
import {
  KV_CLIENT_CHOICES,
  KV_PREFIX,
  kvStreamConfig,
  OBJ_PREFIX,
  objectStoreStreamConfig,
} from "../jetstream/buckets.js";
import { canonicalStream } from "../jetstream/canonical-stream.js";
import { jsonEqual } from "../jetstream/field-diff.js";
import { PROTECT_KEY } from "../jetstream/ownership.js";
import type { StreamConfig } from "../model/jetstream.js";
import type { ObservedBucketEntries } from "../model/observed.js";
import { formatDuration } from "../model/units.js";
import type { Version } from "../model/version.js";
import { type Obj, sizeValue, userMetadata } from "./entries.js";

/** The KV bucket a KV_ stream is, when mapping it back gives exactly that stream; else undefined. */
export function kvSpecOf(config: StreamConfig, version: Version): Obj | undefined {
  const bucket = config.name.slice(KV_PREFIX.length);
  if (!/^[a-zA-Z0-9_-]+$/.test(bucket)) return undefined;
  const spec: Obj = {
    bucket,
    ...(config.description ? { description: config.description } : {}),
    ...(config.max_msgs_per_subject && config.max_msgs_per_subject !== 1
      ? { history: config.max_msgs_per_subject }
      : {}),
    ...(config.max_age ? { ttl: config.max_age } : {}),
    ...(config.max_msg_size && config.max_msg_size !== -1 ? { max_value_size: config.max_msg_size } : {}),
    ...(config.max_bytes && config.max_bytes !== -1 ? { max_bytes: config.max_bytes } : {}),
    ...(config.storage && config.storage !== "file" ? { storage: config.storage } : {}),
    ...(config.num_replicas && config.num_replicas !== 1 ? { num_replicas: config.num_replicas } : {}),
    ...(config.placement && (config.placement.cluster || config.placement.tags?.length)
      ? { placement: config.placement }
      : {}),
    ...(config.compression === "s2" ? { compression: true } : {}),
    ...(config.republish ? { republish: config.republish } : {}),
    ...(config.subject_delete_marker_ttl ? { limit_marker_ttl: config.subject_delete_marker_ttl } : {}),
    ...(userMetadata(config.metadata) ? { metadata: userMetadata(config.metadata) } : {}),
  };
  if (config.mirror) {
    const { name, ...rest } = config.mirror;
    spec.mirror = { name: name.startsWith(KV_PREFIX) ? name.slice(KV_PREFIX.length) : name, ...rest };
  } else if (config.sources?.length) {
    spec.sources = config.sources.map((s) => {
      const source = s.name.startsWith(KV_PREFIX) ? s.name.slice(KV_PREFIX.length) : s.name;
      const { name: _n, subject_transforms, ...rest } = s;
      // The transform the clients add for a bucket source is implied; any other is kept.
      const implied =
        subject_transforms?.length === 1 &&
        subject_transforms[0]!.src === `$KV.${source}.>` &&
        subject_transforms[0]!.dest === `$KV.${bucket}.>`;
      return {
        name: source,
        ...rest,
        ...(subject_transforms?.length && !implied ? { subject_transforms } : {}),
      };
    });
  }
  const rebuilt = kvStreamConfig(spec as never);
  const live = canonicalStream(config, { version });
  const mine: Obj = { ...(rebuilt as unknown as Obj), metadata: config.metadata };
  for (const k of KV_CLIENT_CHOICES) mine[k] = (live as unknown as Obj)[k];
  const expected = alignStream(canonicalStream(mine as unknown as StreamConfig, { version }), live);
  if (!jsonEqual(expected, live)) return undefined;
  const out: Obj = { ...spec };
  if (typeof out.ttl === "number") out.ttl = formatDuration(out.ttl);
  if (typeof out.limit_marker_ttl === "number") out.limit_marker_ttl = formatDuration(out.limit_marker_ttl);
  for (const k of ["max_value_size", "max_bytes"])
    if (typeof out[k] === "number") out[k] = sizeValue(out[k] as number);
  if (config.metadata?.[PROTECT_KEY] === "true") out.protect = true;
  return out;
}

/** The object store an OBJ_ stream is, when mapping it back gives exactly that stream; else undefined. */
export function objectStoreSpecOf(config: StreamConfig, version: Version): Obj | undefined {
  const bucket = config.name.slice(OBJ_PREFIX.length);
  if (!/^[a-zA-Z0-9_-]+$/.test(bucket)) return undefined;
  const spec: Obj = {
    bucket,
    ...(config.description ? { description: config.description } : {}),
    ...(config.max_age ? { ttl: config.max_age } : {}),
    ...(config.max_bytes && config.max_bytes !== -1 ? { max_bytes: config.max_bytes } : {}),
    ...(config.storage && config.storage !== "file" ? { storage: config.storage } : {}),
    ...(config.num_replicas && config.num_replicas !== 1 ? { num_replicas: config.num_replicas } : {}),
    ...(config.placement && (config.placement.cluster || config.placement.tags?.length)
      ? { placement: config.placement }
      : {}),
    ...(config.compression === "s2" ? { compression: true } : {}),
    ...(userMetadata(config.metadata) ? { metadata: userMetadata(config.metadata) } : {}),
  };
  const rebuilt = {
    ...(objectStoreStreamConfig(spec as never) as unknown as Obj),
    metadata: config.metadata,
  };
  const live = canonicalStream(config, { version });
  const expected = alignStream(canonicalStream(rebuilt as unknown as StreamConfig, { version }), live);
  if (!jsonEqual(expected, live)) return undefined;
  const out: Obj = { ...spec };
  if (typeof out.ttl === "number") out.ttl = formatDuration(out.ttl);
  if (typeof out.max_bytes === "number") out.max_bytes = sizeValue(out.max_bytes);
  if (config.metadata?.[PROTECT_KEY] === "true") out.protect = true;
  return out;
}

/** A key the manifest can declare (the schema's pattern for `entries`, the KV clients' rule for keys). */
const DECLARABLE_KEY = /^[-/_=a-zA-Z0-9]+(\.[-/_=a-zA-Z0-9]+)*$/;

/**
 * A KV bucket's live keys as manifest `entries` (export --with-entries), sorted by key. None for a mirrored
 * or sourced bucket, whose keys come from its origins; a key another owner wrote stays with that owner (the
 * manifest would be refused), and a key the manifest cannot spell is left out; the notes say which.
 * `stamped` counts the keys the first apply stamps with the owner (adoption).
 */
export function kvEntriesOf(
  config: StreamConfig,
  keys: ObservedBucketEntries | undefined,
  owner: string | undefined,
  notes: string[],
): { entries: Obj; stamped: number } | undefined {
  const bucket = config.name.slice(KV_PREFIX.length);
  if (!keys) return undefined;
  if (config.mirror || (config.sources?.length ?? 0) > 0) {
    if (keys.live.size > 0)
      notes.push(`KV bucket ${bucket}: its keys come from its origins, so they are not exported as entries`);
    return undefined;
  }
  const entries: Obj = {};
  const skipped: string[] = [];
  let stamped = 0;
  for (const key of [...keys.live.keys()].sort()) {
    const e = keys.live.get(key)!;
    if (!DECLARABLE_KEY.test(key) || (e.owner !== undefined && e.owner !== owner)) skipped.push(key);
    else {
      entries[key] = e.value;
      if (owner !== undefined && e.owner === undefined) stamped++;
    }
  }
  if (skipped.length > 0)
    notes.push(
      `KV bucket ${bucket}: ${skipped.length} key(s) not exported (written by another owner, or not a key a manifest can declare): ${skipped.slice(0, 5).join(", ")}${skipped.length > 5 ? ", …" : ""}`,
    );
  return { entries, stamped };
}
