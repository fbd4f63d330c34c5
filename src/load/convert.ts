// Manifest values (human units, jsplan-only keys) → wire configs (nanoseconds, bytes, server field names).
// Runs on values the schema has accepted; a unit that fails to parse here is out of range (UnitRangeError).

import type { KvSourceSpec } from "../model/desired.js";
import type { ConsumerConfig, StreamConfig, StreamSource } from "../model/jetstream.js";
import { parseDuration, parseSize } from "../model/units.js";

type Raw = Record<string, unknown>;

const STREAM_DURATIONS = ["max_age", "duplicate_window", "subject_delete_marker_ttl"] as const;
const STREAM_SIZES = ["max_bytes", "max_msg_size"] as const;
const CONSUMER_DURATIONS = [
  "ack_wait",
  "idle_heartbeat",
  "max_expires",
  "inactive_threshold",
  "priority_timeout",
] as const;

/** Keys of a manifest stream that are jsplan's own and never reach the server. */
export const STREAM_JSPLAN_KEYS = new Set(["protect", "consumers"]);
/** Keys of a manifest consumer that are jsplan's own and never reach the server. */
export const CONSUMER_JSPLAN_KEYS = new Set(["protect", "stream"]);

/**
 * A duration or size of the form the schema accepts that still cannot be held: longer than the server's int64
 * nanoseconds (`200000d`, `99…9s`), or more bytes than a JSON number holds exactly (`9999999PiB`). A user
 * error, reported at `path` inside the resource; the schema cannot say it, as it does not compute.
 */
export class UnitRangeError extends Error {
  constructor(
    readonly kind: "duration" | "size",
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export function duration(v: unknown, path = ""): number {
  const r = parseDuration(v);
  if (!r.ok) throw new UnitRangeError("duration", path, r.message);
  return r.value;
}

export function size(v: unknown, path = ""): number {
  const r = parseSize(v);
  if (!r.ok) throw new UnitRangeError("size", path, r.message);
  return r.value;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

export function toStreamConfig(raw: Raw): StreamConfig {
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw)) {
    if (STREAM_JSPLAN_KEYS.has(k) || v === null || v === undefined) continue;
    out[k] = clone(v);
  }
  for (const k of STREAM_DURATIONS) if (out[k] !== undefined) out[k] = duration(out[k], k);
  for (const k of STREAM_SIZES) if (out[k] !== undefined) out[k] = size(out[k], k);
  const limits = out.consumer_limits as Raw | undefined;
  if (limits?.inactive_threshold !== undefined)
    limits.inactive_threshold = duration(limits.inactive_threshold, "consumer_limits.inactive_threshold");
  if (out.mirror) out.mirror = toStreamSource(out.mirror as Raw);
  if (Array.isArray(out.sources)) out.sources = (out.sources as Raw[]).map(toStreamSource);
  return out as unknown as StreamConfig;
}

/**
 * `domain` is the clients' shorthand for a source in another JetStream domain; the server only knows
 * `external.api`, so we translate it the way the official clients do.
 */
export function toStreamSource(raw: Raw): StreamSource {
  const out: Raw = { ...raw };
  if (typeof out.domain === "string") {
    out.external = { api: `$JS.${out.domain}.API`, ...((out.external as Raw | undefined) ?? {}) };
    delete out.domain;
  }
  return out as unknown as StreamSource;
}

export function toConsumerConfig(raw: Raw): ConsumerConfig {
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw)) {
    if (CONSUMER_JSPLAN_KEYS.has(k) || v === null || v === undefined) continue;
    out[k] = clone(v);
  }
  for (const k of CONSUMER_DURATIONS) if (out[k] !== undefined) out[k] = duration(out[k], k);
  if (out.max_bytes !== undefined) out.max_bytes = size(out.max_bytes, "max_bytes");
  if (Array.isArray(out.backoff))
    out.backoff = (out.backoff as unknown[]).map((v, i) => duration(v, `backoff[${i}]`));
  if (typeof out.sample_freq === "number") out.sample_freq = `${out.sample_freq}%`;
  // jsplan consumers are durable: the server wants the durable name in both fields.
  out.durable_name = out.name;
  return out as unknown as ConsumerConfig;
}

export function toKvSource(raw: Raw): KvSourceSpec {
  return clone(raw) as unknown as KvSourceSpec;
}

export function convertBucketUnits(raw: Raw, durations: readonly string[], sizes: readonly string[]): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === "protect" || v === null || v === undefined) continue;
    out[k] = clone(v);
  }
  for (const k of durations) if (out[k] !== undefined) out[k] = duration(out[k], k);
  for (const k of sizes) if (out[k] !== undefined) out[k] = size(out[k], k);
  return out;
}
