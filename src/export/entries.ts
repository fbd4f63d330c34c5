// Live streams and consumers as manifest entries: each field left out when the server's default
// reproduces it (decided by the same canonical forms the planner compares with, so the round trip holds by
// construction), in the field tables' order, in human units.

import { canonicalConsumer } from "../jetstream/canonical-consumer.js";
import { canonicalStream } from "../jetstream/canonical-stream.js";
import { jsonEqual } from "../jetstream/field-diff.js";
import { CONSUMER_FIELDS, STREAM_FIELDS } from "../jetstream/fields/index.js";
import type { FieldTable } from "../jetstream/fields/row.js";
import { PROTECT_KEY } from "../jetstream/ownership.js";
import { type ConsumerConfig, OWNER_KEY, type StreamConfig } from "../model/jetstream.js";
import type { ObservedState } from "../model/observed.js";
import { formatDuration, formatSize } from "../model/units.js";
import type { Version } from "../model/version.js";

export type Obj = Record<string, unknown>;

const STREAM_ORDER = STREAM_FIELDS.exportOrder;
const CONSUMER_ORDER = CONSUMER_FIELDS.exportOrder;

/** The fields in `order` first, in that order, then any others sorted. */
export function ordered(o: Obj, order: readonly string[]): Obj {
  const out: Obj = {};
  for (const k of order) if (o[k] !== undefined) out[k] = o[k];
  for (const k of Object.keys(o).sort()) if (!(k in out) && o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Metadata without jsplan's markers (the manifest says owner and protect itself) and the server's keys. */
export function userMetadata(
  m: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
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

/** A size as the manifest writes it: -1 stays -1, exact units where they fit, else bytes. */
export function sizeValue(n: number): number | string {
  if (n <= 0) return n;
  const f = formatSize(n);
  return /^\d+$/.test(f) ? n : f;
}

/** Wire values in the manifest's units, by the table's unit column (a nested zero is left as it is). */
function human(c: Obj, table: FieldTable): Obj {
  const out: Obj = { ...c };
  for (const row of table.rows) {
    const v = out[row.name];
    if (v === undefined) continue;
    if (row.unit === "duration" && typeof v === "number") out[row.name] = formatDuration(v);
    else if (row.unit === "size" && typeof v === "number") out[row.name] = sizeValue(v);
    else if (row.unit === "durations" && Array.isArray(v))
      out[row.name] = (v as number[]).map(formatDuration);
    else if (row.nested && v && typeof v === "object") {
      const inner: Obj = { ...(v as Obj) };
      for (const n of row.nested) {
        if (n.unit === "duration" && inner[n.name]) inner[n.name] = formatDuration(inner[n.name] as number);
      }
      out[row.name] = inner;
    }
  }
  return out;
}

function humanStream(c: Obj): Obj {
  const out = human(c, STREAM_FIELDS);
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
  return out;
}

function humanConsumer(c: Obj): Obj {
  const out = human(c, CONSUMER_FIELDS);
  delete out.durable_name;
  return out;
}

export function streamEntry(
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
export function consumerEntries(
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
      // A pause in force is the consumer's state that a manifest can say (and jsplan sets through the pause
      // API); one that has passed is no pause, and is left out.
      if (pausedAt(c, observed.streams.get(stream.name)?.observedAt ?? observed.readAt))
        out.pause_until = c.pause_until;
      if (c.metadata?.[PROTECT_KEY] === "true") out.protect = true;
      return out;
    });
}

/** True when the consumer is paused at `now` (RFC 3339); with no time known, any pause_until counts. */
function pausedAt(c: ConsumerConfig, now: string | undefined): boolean {
  if (!c.pause_until) return false;
  const at = Date.parse(now ?? "");
  return Number.isNaN(at) || Date.parse(c.pause_until) > at;
}
