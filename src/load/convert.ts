// Manifest values (human units, jsplan-only keys) → wire configs (nanoseconds, bytes, server field names).
// Runs on values the schema has accepted; a unit that fails to parse here is out of range (UnitRangeError).

import { type BucketView, settingsWithUnit } from "../jetstream/fields/buckets.js";
import { CONSUMER_FIELDS, STREAM_FIELDS } from "../jetstream/fields/index.js";
import type { FieldTable, FieldUnit } from "../jetstream/fields/row.js";
import type { ConsumerConfig, StreamConfig, StreamSource } from "../model/jetstream.js";
import { formatSize, INT32_MAX, parseDuration, parseSize } from "../model/units.js";

type Raw = Record<string, unknown>;

const withUnit = (table: FieldTable, unit: FieldUnit) =>
  table.where((r) => r.unit === unit).map((r) => r.name);
const STREAM_DURATIONS = withUnit(STREAM_FIELDS, "duration");
const STREAM_SIZES = withUnit(STREAM_FIELDS, "size");
/** Stream fields the server holds as int32. */
const STREAM_INT32 = new Set(STREAM_FIELDS.where((r) => r.int32 === true).map((r) => r.name));
/** Mappings with fields of their own units (consumer_limits). */
const STREAM_NESTED = STREAM_FIELDS.where((r) => r.nested !== undefined);
const CONSUMER_DURATIONS = withUnit(CONSUMER_FIELDS, "duration");
const CONSUMER_SIZES = withUnit(CONSUMER_FIELDS, "size");
const CONSUMER_DURATION_LISTS = withUnit(CONSUMER_FIELDS, "durations");

/** Keys of a manifest stream that are jsplan's own and never reach the server. */
export const STREAM_JSPLAN_KEYS = new Set(["protect", "ignore_changes", "consumers"]);
/** Keys of a manifest consumer that are jsplan's own and never reach the server. */
export const CONSUMER_JSPLAN_KEYS = new Set(["protect", "ignore_changes", "stream"]);

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

export function size(v: unknown, path = "", int32 = false): number {
  const r = parseSize(v);
  if (!r.ok) throw new UnitRangeError("size", path, r.message);
  if (int32 && r.value > INT32_MAX) {
    const shown = typeof v === "number" ? String(v) : `${JSON.stringify(v)} (${r.value} bytes)`;
    throw new UnitRangeError(
      "size",
      path,
      `${shown} is more than the server can hold here: it keeps this size as a 32-bit integer, at most ${INT32_MAX} bytes (${formatSize(2 ** 31)} − 1 byte)`,
    );
  }
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
  for (const k of STREAM_SIZES) if (out[k] !== undefined) out[k] = size(out[k], k, STREAM_INT32.has(k));
  for (const r of STREAM_NESTED) {
    const inner = out[r.name] as Raw | undefined;
    if (!inner) continue;
    for (const n of r.nested!) {
      const path = `${r.name}.${n.name}`;
      if (inner[n.name] === undefined) continue;
      if (n.unit === "duration") inner[n.name] = duration(inner[n.name], path);
      else if (n.unit === "size") inner[n.name] = size(inner[n.name], path);
    }
  }
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
  for (const k of CONSUMER_SIZES) if (out[k] !== undefined) out[k] = size(out[k], k);
  for (const k of CONSUMER_DURATION_LISTS)
    if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((v, i) => duration(v, `${k}[${i}]`));
  if (typeof out.sample_freq === "number") out.sample_freq = `${out.sample_freq}%`;
  // jsplan consumers are durable: the server wants the durable name in both fields.
  out.durable_name = out.name;
  return out as unknown as ConsumerConfig;
}

/** A bucket's keys that are jsplan's own, not settings of the bucket. */
const JSPLAN_BUCKET_KEYS: ReadonlySet<string> = new Set([
  "protect",
  "ignore_changes",
  "entries",
  "sensitive",
]);

/** A bucket's settings in wire units, by the units of its view (KV_VIEW, OBJECT_STORE_VIEW). */
export function convertBucketUnits(raw: Raw, view: BucketView): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw)) {
    if (JSPLAN_BUCKET_KEYS.has(k) || v === null || v === undefined) continue;
    out[k] = clone(v);
  }
  for (const k of settingsWithUnit(view, "duration")) if (out[k] !== undefined) out[k] = duration(out[k], k);
  for (const s of view.settings) {
    if (s.unit === "size" && out[s.name] !== undefined)
      out[s.name] = size(out[s.name], s.name, STREAM_INT32.has(s.stream ?? s.name));
  }
  return out;
}
