// KV buckets and object stores are streams underneath (KV_<bucket>, OBJ_<bucket>). jsplan maps a bucket to
// its backing stream exactly as the official Go client does (nats.go jetstream/kv.go prepareKeyValueConfig
// and object.go; `nats kv add` and `nats obj add` use them), so that buckets made by jsplan and by
// applications are the same and every client can open them.

import { parseAddress } from "../model/address.js";
import type { KvSourceSpec, KvSpec, ObjectStoreSpec } from "../model/desired.js";
import type { StreamConfig, StreamSource } from "../model/jetstream.js";
import { MINUTE } from "../model/units.js";

export const KV_PREFIX = "KV_";
export const OBJ_PREFIX = "OBJ_";

export function kvStreamName(bucket: string): string {
  return `${KV_PREFIX}${bucket}`;
}

export function objectStoreStreamName(bucket: string): string {
  return `${OBJ_PREFIX}${bucket}`;
}

/**
 * Settings of a bucket's stream that the clients choose differently (the Go client sets deny_delete and an
 * explicit duplicate window, the JavaScript client leaves both to the server) and that a bucket
 * declaration cannot express. A live bucket keeps whichever it has; a new one gets the Go client's.
 */
export const KV_CLIENT_CHOICES = ["deny_delete", "duplicate_window"] as const;

/** The duplicate window the official clients give a bucket with this ttl (nanoseconds): min(2m, ttl). */
export function kvDuplicateWindow(ttl: number): number {
  return ttl > 0 && ttl < 2 * MINUTE ? ttl : 2 * MINUTE;
}

/**
 * The config a live bucket gets when the manifest asks for `desired`: it keeps what its client chose
 * (KV_CLIENT_CHOICES), except that a duplicate window follows a new ttl when it was the standard window of
 * the old one (as the Go client's update does), and is never kept beyond the ttl (the server refuses a
 * window longer than max_age).
 */
export function adoptKvClientChoices(desired: StreamConfig, live: StreamConfig): StreamConfig {
  const out: Record<string, unknown> = { ...desired };
  for (const k of KV_CLIENT_CHOICES) out[k] = live[k];
  const window = live.duplicate_window;
  const ttl = desired.max_age ?? 0;
  const standard = window === kvDuplicateWindow(live.max_age ?? 0);
  const fits = !window || ttl <= 0 || window <= ttl;
  if (window && (standard || !fits)) out.duplicate_window = desired.duplicate_window;
  return out as unknown as StreamConfig;
}

function sourceFor(s: KvSourceSpec, bucket: string): StreamSource {
  const { domain, ...rest } = s as KvSourceSpec & { domain?: string };
  const out: StreamSource = { ...(rest as StreamSource) };
  // `domain` was translated to external.api at load time; here only names and transforms change.
  void domain;
  const source = out.name.startsWith(KV_PREFIX) ? out.name.slice(KV_PREFIX.length) : out.name;
  // The origin is a bucket whatever the transforms: its stream is KV_<name>.
  if (!out.name.startsWith(KV_PREFIX)) out.name = kvStreamName(out.name);
  if (out.subject_transforms?.length) return out;
  if (!out.external || source !== bucket) {
    // The server refuses a source with both a filter and transforms (10144), and the keys must land under
    // this bucket's prefix: a filter on the origin's keys becomes the transform of just those keys.
    const prefix = `$KV.${source}.`;
    const filter = out.filter_subject;
    if (filter?.startsWith(prefix)) {
      delete out.filter_subject;
      let n = 0;
      const rest = filter
        .slice(prefix.length)
        .split(".")
        .map((t) => (t === "*" ? `{{wildcard(${++n})}}` : t))
        .join(".");
      out.subject_transforms = [{ src: filter, dest: `$KV.${bucket}.${rest}` }];
    } else if (!filter) {
      out.subject_transforms = [{ src: `$KV.${source}.>`, dest: `$KV.${bucket}.>` }];
    }
  }
  return out;
}

export function kvStreamConfig(spec: KvSpec): StreamConfig {
  const ttl = spec.ttl ?? 0;
  const cfg: StreamConfig = {
    name: kvStreamName(spec.bucket),
    ...(spec.description ? { description: spec.description } : {}),
    max_msgs_per_subject: spec.history ?? 1,
    max_bytes: spec.max_bytes ?? -1,
    max_age: ttl,
    max_msg_size: spec.max_value_size ?? -1,
    ...(spec.storage ? { storage: spec.storage } : {}),
    num_replicas: spec.num_replicas ?? 1,
    ...(spec.placement ? { placement: spec.placement } : {}),
    allow_rollup_hdrs: true,
    deny_delete: true,
    duplicate_window: kvDuplicateWindow(ttl),
    max_msgs: -1,
    max_consumers: -1,
    allow_direct: true,
    ...(spec.republish ? { republish: spec.republish } : {}),
    compression: spec.compression ? "s2" : "none",
    discard: "new",
    ...(spec.limit_marker_ttl
      ? { allow_msg_ttl: true, subject_delete_marker_ttl: spec.limit_marker_ttl }
      : {}),
    ...(spec.metadata ? { metadata: { ...spec.metadata } } : {}),
  };
  if (spec.mirror) {
    const m: StreamSource = { ...(spec.mirror as StreamSource) };
    if (!m.name.startsWith(KV_PREFIX)) m.name = kvStreamName(m.name);
    cfg.mirror = m;
    cfg.mirror_direct = true;
  } else {
    if (spec.sources?.length) cfg.sources = spec.sources.map((s) => sourceFor(s, spec.bucket));
    cfg.subjects = [`$KV.${spec.bucket}.>`];
  }
  return cfg;
}

export function objectStoreStreamConfig(spec: ObjectStoreSpec): StreamConfig {
  return {
    name: objectStoreStreamName(spec.bucket),
    ...(spec.description ? { description: spec.description } : {}),
    subjects: [`$O.${spec.bucket}.C.>`, `$O.${spec.bucket}.M.>`],
    max_age: spec.ttl ?? 0,
    max_bytes: spec.max_bytes ?? -1,
    ...(spec.storage ? { storage: spec.storage } : {}),
    num_replicas: spec.num_replicas ?? 1,
    ...(spec.placement ? { placement: spec.placement } : {}),
    discard: "new",
    allow_rollup_hdrs: true,
    allow_direct: true,
    compression: spec.compression ? "s2" : "none",
    ...(spec.metadata ? { metadata: { ...spec.metadata } } : {}),
  };
}

/** The KV bucket a stream backs (KV_x → x), or undefined for any other stream. */
export function kvBucketOf(streamName: string): string | undefined {
  return streamName.startsWith(KV_PREFIX) ? streamName.slice(KV_PREFIX.length) : undefined;
}

/** The bucket a backing stream belongs to, as a plan address, or undefined for a plain stream. */
export function bucketAddressOf(
  streamName: string,
): { address: string; kind: "kv" | "objectstore"; bucket: string } | undefined {
  if (streamName.startsWith(KV_PREFIX)) {
    const bucket = streamName.slice(KV_PREFIX.length);
    return { address: `kv.${bucket}`, kind: "kv", bucket };
  }
  if (streamName.startsWith(OBJ_PREFIX)) {
    const bucket = streamName.slice(OBJ_PREFIX.length);
    return { address: `objectstore.${bucket}`, kind: "objectstore", bucket };
  }
  return undefined;
}

/** The stream behind an address: `stream.X` → X, `kv.X` → KV_X, `objectstore.X` → OBJ_X; else undefined. */
export function streamNameOf(address: string): string | undefined {
  const a = parseAddress(address);
  if (!a) return undefined;
  if (a.kind === "kv") return kvStreamName(a.name);
  if (a.kind === "objectstore") return objectStoreStreamName(a.name);
  return a.kind === "stream" ? a.name : undefined;
}
