// export, the pure part: the live state → a manifest (in manifest terms: bucket names, human units, no
// server defaults, no server metadata) that plans to no changes against the same server. Each field is
// left out when the server's default reproduces it; whether it does is decided by the same canonical
// forms the planner compares with, so the round trip holds by construction.

import type { ConsumerConfig, StreamConfig } from "../model/jetstream.js";
import { OWNER_KEY } from "../model/jetstream.js";
import type { ObservedState } from "../model/observed.js";
import { formatDuration, formatSize } from "../model/units.js";
import { parseVersion, type Version } from "../model/version.js";
import { alignStream } from "../plan/align.js";
import {
  KV_CLIENT_CHOICES,
  KV_PREFIX,
  kvStreamConfig,
  OBJ_PREFIX,
  objectStoreStreamConfig,
} from "../plan/buckets.js";
import { canonicalConsumer } from "../plan/canonical-consumer.js";
import { canonicalStream } from "../plan/canonical-stream.js";
import { jsonEqual } from "../plan/field-diff.js";
import { PROTECT_KEY } from "../plan/ownership.js";

export interface ExportOptions {
  /** Only these streams (by stream name; buckets by their stream name KV_x / OBJ_x, or by bucket name). */
  readonly streams?: readonly string[];
  /** The manifest owner; without it, the owner all exported resources share, if they share one. */
  readonly owner?: string;
}

export interface ExportResult {
  /** The manifest as plain data, keys in reading order. */
  readonly manifest: Record<string, unknown>;
  /** Things to tell the user on stderr (skipped resources, ephemeral consumers). */
  readonly notes: string[];
  /** Comments for the YAML writer, keyed by `streams.NAME` / `kv.NAME`. */
  readonly comments: ReadonlyMap<string, string>;
  /** What planning this manifest does besides nothing, for its header (empty: it plans to no changes). */
  readonly caveats: string[];
}

type Obj = Record<string, unknown>;

const STREAM_DURATIONS = new Set(["max_age", "duplicate_window", "subject_delete_marker_ttl"]);
const STREAM_SIZES = new Set(["max_bytes", "max_msg_size"]);
const CONSUMER_DURATIONS = new Set([
  "ack_wait",
  "idle_heartbeat",
  "max_expires",
  "inactive_threshold",
  "priority_timeout",
]);

/** The order fields are written in: identity first, then what people look for first. */
const STREAM_ORDER = [
  "name",
  "description",
  "subjects",
  "retention",
  "storage",
  "num_replicas",
  "placement",
  "max_age",
  "max_bytes",
  "max_msgs",
  "max_msgs_per_subject",
  "max_msg_size",
  "max_consumers",
  "discard",
  "discard_new_per_subject",
  "duplicate_window",
  "mirror",
  "sources",
  "subject_transform",
  "republish",
  "compression",
  "allow_direct",
  "mirror_direct",
  "allow_rollup_hdrs",
  "deny_delete",
  "deny_purge",
  "sealed",
  "no_ack",
  "first_seq",
  "consumer_limits",
  "allow_msg_ttl",
  "subject_delete_marker_ttl",
  "allow_msg_counter",
  "allow_atomic",
  "allow_msg_schedules",
  "persist_mode",
  "allow_batched",
  "metadata",
];
const CONSUMER_ORDER = [
  "name",
  "description",
  "deliver_subject",
  "deliver_group",
  "deliver_policy",
  "opt_start_seq",
  "opt_start_time",
  "ack_policy",
  "ack_wait",
  "max_deliver",
  "backoff",
  "filter_subject",
  "filter_subjects",
  "replay_policy",
  "rate_limit_bps",
  "sample_freq",
  "max_waiting",
  "max_ack_pending",
  "flow_control",
  "idle_heartbeat",
  "headers_only",
  "max_batch",
  "max_expires",
  "max_bytes",
  "inactive_threshold",
  "num_replicas",
  "mem_storage",
  "priority_groups",
  "priority_policy",
  "priority_timeout",
  "metadata",
];

function ordered(o: Obj, order: readonly string[]): Obj {
  const out: Obj = {};
  for (const k of order) if (o[k] !== undefined) out[k] = o[k];
  for (const k of Object.keys(o).sort()) if (!(k in out) && o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Metadata without jsplan's markers (the manifest says owner and protect itself) and the server's keys. */
function userMetadata(m: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m))
    if (k !== OWNER_KEY && k !== PROTECT_KEY && !k.startsWith("_nats.")) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Drops every field that the canonical form fills back in by itself, so that only what differs from the
 * server's defaults remains. `canon` must be the same function the planner applies.
 */
function minimal(full: Obj, keep: ReadonlySet<string>, canon: (o: Obj) => Obj): Obj {
  const target = canon(full);
  const out: Obj = { ...full };
  for (const k of Object.keys(full)) {
    if (keep.has(k)) continue;
    const without = { ...out };
    delete without[k];
    if (jsonEqual(canon(without), target)) delete out[k];
  }
  return out;
}

/** Fields the manifest format has; a newer server's others are left out, and said so. */
function known(o: Obj, fields: readonly string[], what: string, notes: string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (fields.includes(k)) out[k] = v;
    else notes.push(`${what}: the field ${k} is not in jsplan's manifest format and was left out`);
  }
  return out;
}

function humanStream(c: Obj): Obj {
  const out: Obj = { ...c };
  // A source or mirror reads from its name on.
  const byName = (src: Obj) =>
    ordered(src, [
      "name",
      "filter_subject",
      "subject_transforms",
      "opt_start_seq",
      "opt_start_time",
      "external",
      "consumer",
    ]);
  if (out.mirror) out.mirror = byName(out.mirror as Obj);
  if (Array.isArray(out.sources)) out.sources = (out.sources as Obj[]).map(byName);
  for (const k of STREAM_DURATIONS) if (typeof out[k] === "number") out[k] = formatDuration(out[k] as number);
  for (const k of STREAM_SIZES) if (typeof out[k] === "number") out[k] = sizeValue(out[k] as number);
  const limits = out.consumer_limits as Obj | undefined;
  if (limits?.inactive_threshold)
    out.consumer_limits = {
      ...limits,
      inactive_threshold: formatDuration(limits.inactive_threshold as number),
    };
  return out;
}

function humanConsumer(c: Obj): Obj {
  const out: Obj = { ...c };
  for (const k of CONSUMER_DURATIONS)
    if (typeof out[k] === "number") out[k] = formatDuration(out[k] as number);
  if (Array.isArray(out.backoff)) out.backoff = (out.backoff as number[]).map(formatDuration);
  if (typeof out.max_bytes === "number") out.max_bytes = sizeValue(out.max_bytes);
  delete out.durable_name;
  return out;
}

/** A size as the manifest writes it: -1 stays -1, exact units where they fit, else bytes. */
function sizeValue(n: number): number | string {
  if (n <= 0) return n;
  const f = formatSize(n);
  return /^\d+$/.test(f) ? n : f;
}

export function exportManifest(observed: ObservedState, options: ExportOptions = {}): ExportResult {
  const version = parseVersion(observed.server.version);
  const notes: string[] = [];
  const comments = new Map<string, string>();
  const wanted = options.streams && options.streams.length > 0 ? new Set(options.streams) : undefined;
  const selected = (name: string) => {
    if (!wanted) return true;
    if (wanted.has(name)) return true;
    for (const p of [KV_PREFIX, OBJ_PREFIX])
      if (name.startsWith(p) && wanted.has(name.slice(p.length))) return true;
    return false;
  };

  const streams = [...observed.streams.values()]
    .filter((s) => selected(s.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  // The owner: given, or the one every exported resource already carries.
  const markers = new Set<string>();
  for (const s of streams) {
    const m = s.config.metadata?.[OWNER_KEY];
    if (m) markers.add(m);
  }
  const owner = options.owner ?? (markers.size === 1 ? [...markers][0] : undefined);
  if (!options.owner && markers.size > 1) {
    notes.push(
      `resources carry different owners (${[...markers].sort().join(", ")}); give --owner to export one owner's resources`,
    );
  }
  // An owner taken from the markers adopts nothing: a resource without a marker would be stamped with it
  // by the next apply, so it stays out unless --owner says to adopt it.
  const inferred = options.owner === undefined && owner !== undefined;
  const leftOut = (m: Readonly<Record<string, string>> | undefined, what: string): boolean => {
    const marker = m?.[OWNER_KEY];
    if (marker !== undefined && marker !== owner) {
      notes.push(`${what} is managed by owner "${marker}"; left out`);
      return true;
    }
    if (marker === undefined && inferred) {
      notes.push(`${what} has no owner marker; left out (jsplan export --owner ${owner} adopts it)`);
      return true;
    }
    return false;
  };
  const caveats: string[] = [];
  let stamped = 0;

  const manifest: Obj = { version: 1, ...(owner ? { owner } : {}) };
  const outStreams: Obj[] = [];
  const kvs: Obj[] = [];
  const objectStores: Obj[] = [];
  const consumersByStream = new Map<string, ConsumerConfig[]>();
  for (const c of observed.consumers.values()) {
    const list = consumersByStream.get(c.stream);
    if (list) list.push(c.config);
    else consumersByStream.set(c.stream, [c.config]);
  }

  const topConsumers: Obj[] = [];
  for (const s of streams) {
    if (leftOut(s.config.metadata, `stream ${s.name}`)) continue;
    const consumers = (consumersByStream.get(s.name) ?? []).filter(
      (c) => !leftOut(c.metadata, `consumer ${s.name}.${c.durable_name}`),
    );
    for (const m of [s.config.metadata, ...consumers.map((c) => c.metadata)])
      if (owner !== undefined && m?.[OWNER_KEY] !== owner) stamped++;
    const bucket = s.name.startsWith(KV_PREFIX)
      ? kvSpecOf(s.config, version)
      : s.name.startsWith(OBJ_PREFIX)
        ? objectStoreSpecOf(s.config, version)
        : undefined;
    if (bucket) {
      if (s.name.startsWith(KV_PREFIX)) kvs.push(bucket);
      else objectStores.push(bucket);
      // A bucket's own durable consumers (a watcher, say) go under `consumers:`, on its stream.
      for (const c of consumerEntries(s.config, consumers, observed, version, notes))
        topConsumers.push({ stream: s.name, ...c });
      continue;
    }
    if ((s.name.startsWith(KV_PREFIX) || s.name.startsWith(OBJ_PREFIX)) && !bucket) {
      comments.set(
        `streams.${s.name}`,
        "its configuration differs from how the clients create buckets, so it is exported as a stream",
      );
    }
    outStreams.push(streamEntry(s.config, consumers, observed, version, notes));
  }
  if (outStreams.length > 0) manifest.streams = outStreams;
  if (kvs.length > 0) manifest.key_value = kvs;
  if (objectStores.length > 0) manifest.object_stores = objectStores;
  if (topConsumers.length > 0) manifest.consumers = topConsumers;
  let ephemeral = 0;
  for (const [stream, n] of observed.ephemeral) if (selected(stream)) ephemeral += n;
  if (ephemeral > 0) {
    notes.push(
      `${ephemeral} ephemeral consumer${ephemeral === 1 ? " was" : "s were"} skipped: applications create those themselves`,
    );
  }
  if (stamped > 0) {
    caveats.push(
      `jsplan plan with this manifest adds the owner marker "${owner}" to ${stamped} resource${stamped === 1 ? "" : "s"} that lack it, and changes nothing else.`,
    );
  }
  if (wanted && owner !== undefined) {
    // A manifest declares everything its owner manages: what the filter left out would be deleted.
    const elsewhere = [
      ...[...observed.streams.values()]
        .filter((s) => !selected(s.name) && s.config.metadata?.[OWNER_KEY] === owner)
        .map((s) => `stream ${s.name}`),
      ...[...observed.consumers.values()]
        .filter((c) => !selected(c.stream) && c.config.metadata?.[OWNER_KEY] === owner)
        .map((c) => `consumer ${c.stream}.${c.name}`),
    ];
    if (elsewhere.length > 0) {
      const shown =
        elsewhere.slice(0, 5).join(", ") + (elsewhere.length > 5 ? `, and ${elsewhere.length - 5} more` : "");
      const caveat = `Owner "${owner}" also manages ${shown}, which this export leaves out: plan it together with the manifest that declares them, or jsplan would plan to delete them.`;
      caveats.push(caveat);
      notes.push(caveat);
    }
  }
  for (const u of observed.unavailable) {
    if (selected(u.name))
      notes.push(`stream ${u.name} is unavailable (${u.reason}) and could not be exported`);
  }
  return { manifest: escapeInterpolation(manifest) as Obj, notes, comments, caveats };
}

/** `${` in a live string value would be read back as an environment variable: write it as `$${` (keys are
 * never interpolated). */
function escapeInterpolation(v: unknown): unknown {
  // (A function, because in a replacement string `$$` means one `$`.)
  if (typeof v === "string") return v.replaceAll("${", () => "$${");
  if (Array.isArray(v)) return v.map(escapeInterpolation);
  if (v && typeof v === "object") {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) out[k] = escapeInterpolation(x);
    return out;
  }
  return v;
}

function streamEntry(
  config: StreamConfig,
  consumers: ConsumerConfig[],
  observed: ObservedState,
  version: Version,
  notes: string[],
): Obj {
  const origin =
    config.mirror && !config.mirror.external ? observed.streams.get(config.mirror.name) : undefined;
  const ctx = { version, ...(origin ? { originAllowDirect: Boolean(origin.config.allow_direct) } : {}) };
  const canon = (o: Obj) => canonicalStream(o as unknown as StreamConfig, ctx) as unknown as Obj;
  const full = {
    ...(canonicalStream(config, ctx) as unknown as Obj),
    metadata: userMetadata(config.metadata),
  };
  const keep = new Set(["name"]);
  const entry: Obj = humanStream(
    known(minimal(full, keep, canon), STREAM_ORDER, `stream ${config.name}`, notes),
  );
  if (config.metadata?.[PROTECT_KEY] === "true") entry.protect = true;
  const cs = consumerEntries(config, consumers, observed, version, notes);
  const out = ordered(entry, STREAM_ORDER);
  if (cs.length > 0) out.consumers = cs;
  return out;
}

/** The consumers of a stream as manifest entries, by name. */
function consumerEntries(
  stream: StreamConfig,
  consumers: ConsumerConfig[],
  observed: ObservedState,
  version: Version,
  notes: string[],
): Obj[] {
  const limits = stream.consumer_limits;
  return consumers
    .sort((a, b) => ((a.durable_name ?? "") < (b.durable_name ?? "") ? -1 : 1))
    .map((c) => {
      const cctx = {
        version,
        ...(limits ? { streamLimits: limits } : {}),
        ...(observed.limits.max_ack_pending ? { accountMaxAckPending: observed.limits.max_ack_pending } : {}),
      };
      const ccanon = (o: Obj) => canonicalConsumer(o as unknown as ConsumerConfig, cctx) as unknown as Obj;
      const cfull = { ...(canonicalConsumer(c, cctx) as unknown as Obj), metadata: userMetadata(c.metadata) };
      const min = known(
        minimal(cfull, new Set(["name", "durable_name"]), ccanon),
        [...CONSUMER_ORDER, "durable_name"],
        `consumer ${stream.name}.${c.durable_name}`,
        notes,
      );
      const out = ordered(humanConsumer(min), CONSUMER_ORDER);
      if (c.metadata?.[PROTECT_KEY] === "true") out.protect = true;
      return out;
    });
}

/** The KV bucket a KV_ stream is, when mapping it back gives exactly that stream; else undefined. */
function kvSpecOf(config: StreamConfig, version: Version): Obj | undefined {
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
function objectStoreSpecOf(config: StreamConfig, version: Version): Obj | undefined {
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
