// A stream config in the one form both sides of a comparison can take: the server's defaults filled in as
// the connected server version fills them, forced flags applied, and every value the server treats as
// "unset" left out. Verified against nats-server 2.10.27 and 2.15.1 (docs/internals/server-behaviour-streams.md).

import type { StreamConfig, StreamSource } from "../model/jetstream.js";
import { MINUTE } from "../model/units.js";
import { atLeast, type Version } from "../model/version.js";
import { sortKeys } from "./canonical-consumer.js";
import { stripServerMetadata } from "./metadata.js";

export interface StreamContext {
  readonly version: Version;
  /**
   * For a mirror: the origin's allow_direct when jsplan can see the origin (in the manifest or on the
   * server). The server copies it into mirror_direct.
   */
  readonly originAllowDirect?: boolean;
}

/** The server fills duplicate_window with min(2m, max_age) unless its own limit is lower. */
const DEFAULT_DUPLICATE_WINDOW = 2 * MINUTE;

const UNLIMITED_BY_DEFAULT = [
  "max_consumers",
  "max_msgs",
  "max_bytes",
  "max_msgs_per_subject",
  "max_msg_size",
] as const;

/** Fields left out when false, zero or empty, as the server does. */
const ZERO_MEANS_UNSET = [
  "description",
  "discard_new_per_subject",
  "no_ack",
  "sealed",
  "deny_delete",
  "deny_purge",
  "allow_rollup_hdrs",
  "allow_direct",
  "mirror_direct",
  "first_seq",
  "allow_msg_ttl",
  "subject_delete_marker_ttl",
  "allow_msg_counter",
  "allow_atomic",
  "allow_msg_schedules",
  "allow_batched",
] as const;

/** Stream fields and the server version that introduced them (for 2.10, our oldest, nothing is listed). */
export const STREAM_FIELD_VERSIONS: Readonly<Record<string, string>> = {
  allow_msg_ttl: "2.11.0",
  subject_delete_marker_ttl: "2.11.0",
  allow_msg_counter: "2.12.0",
  allow_atomic: "2.12.0",
  allow_msg_schedules: "2.12.0",
  persist_mode: "2.12.0",
  allow_batched: "2.14.0",
};

export function canonicalStream(input: StreamConfig, ctx: StreamContext): StreamConfig {
  const c: Record<string, unknown> = { ...input };
  const v = ctx.version;
  for (const [field, since] of Object.entries(STREAM_FIELD_VERSIONS)) if (!atLeast(v, since)) delete c[field];

  c.retention = input.retention || "limits";
  c.discard = input.discard || "old";
  c.storage = input.storage || "file";
  c.compression = input.compression || "none";
  c.num_replicas = input.num_replicas || 1;
  c.max_age = input.max_age || 0;
  for (const k of UNLIMITED_BY_DEFAULT) {
    const n = c[k] as number | undefined;
    c[k] = !n || n < -1 ? -1 : n;
  }
  if (c.persist_mode === "default" || c.persist_mode === "") delete c.persist_mode;

  const mirror = input.mirror ? canonicalSource(input.mirror) : undefined;
  const sources = (input.sources ?? []).map(canonicalSource);
  if (mirror) c.mirror = mirror;
  else delete c.mirror;
  if (sources.length > 0) c.sources = sources;
  else delete c.sources;

  if (mirror) delete c.subjects;
  else if (!input.subjects?.length) {
    if (sources.length === 0) c.subjects = [input.name];
    else delete c.subjects;
  }

  // Sealing makes the server set five other fields, whatever the request says.
  if (c.sealed) {
    c.max_age = 0;
    c.discard = "new";
    c.deny_delete = true;
    c.deny_purge = true;
    c.allow_rollup_hdrs = false;
  }
  // Subject delete markers and message schedules turn roll-ups on (and purges with them).
  if (c.subject_delete_marker_ttl) {
    c.allow_msg_ttl = true;
    c.allow_rollup_hdrs = true;
    c.deny_purge = false;
  }
  if (c.allow_msg_schedules) {
    c.allow_rollup_hdrs = true;
    c.deny_purge = false;
  }

  if (mirror) {
    // A mirror gets no default duplicate window (an explicit one is kept), and serves direct gets exactly
    // when its origin does.
    if (!c.duplicate_window) delete c.duplicate_window;
    if (ctx.originAllowDirect !== undefined) c.mirror_direct = ctx.originAllowDirect;
  } else if (!c.duplicate_window) {
    if (sources.length > 0 && atLeast(v, "2.14.0")) delete c.duplicate_window;
    else
      c.duplicate_window =
        c.max_age && (c.max_age as number) < DEFAULT_DUPLICATE_WINDOW ? c.max_age : DEFAULT_DUPLICATE_WINDOW;
  }

  if (input.placement && (input.placement.cluster || input.placement.tags?.length)) {
    c.placement = sortKeys({
      ...(input.placement.cluster ? { cluster: input.placement.cluster } : {}),
      ...(input.placement.tags?.length ? { tags: [...input.placement.tags] } : {}),
    });
  } else delete c.placement;

  if (input.republish) {
    c.republish = sortKeys({
      src: input.republish.src || ">",
      dest: input.republish.dest,
      ...(input.republish.headers_only ? { headers_only: true } : {}),
    });
  }
  if (input.subject_transform) {
    c.subject_transform = sortKeys({
      ...(input.subject_transform.src ? { src: input.subject_transform.src } : {}),
      dest: input.subject_transform.dest,
    });
  }
  const limits = input.consumer_limits;
  if (limits?.inactive_threshold || limits?.max_ack_pending) {
    c.consumer_limits = sortKeys({
      ...(limits.inactive_threshold ? { inactive_threshold: limits.inactive_threshold } : {}),
      ...(limits.max_ack_pending ? { max_ack_pending: limits.max_ack_pending } : {}),
    });
  } else delete c.consumer_limits;

  const metadata = stripServerMetadata(input.metadata);
  if (metadata) c.metadata = metadata;
  else delete c.metadata;

  for (const k of ZERO_MEANS_UNSET) if (!c[k]) delete c[k];
  return sortKeys(c) as unknown as StreamConfig;
}

export function canonicalSource(s: StreamSource): StreamSource {
  const out: Record<string, unknown> = { name: s.name };
  if (s.opt_start_seq) out.opt_start_seq = s.opt_start_seq;
  if (s.opt_start_time) out.opt_start_time = s.opt_start_time;
  if (s.filter_subject) out.filter_subject = s.filter_subject;
  if (s.subject_transforms?.length)
    out.subject_transforms = s.subject_transforms.map((t) =>
      sortKeys({ ...(t.src ? { src: t.src } : {}), dest: t.dest }),
    );
  if (s.external?.api)
    out.external = sortKeys({
      api: s.external.api,
      ...(s.external.deliver ? { deliver: s.external.deliver } : {}),
    });
  if (s.consumer?.name)
    out.consumer = sortKeys({
      name: s.consumer.name,
      ...(s.consumer.deliver_subject ? { deliver_subject: s.consumer.deliver_subject } : {}),
    });
  return sortKeys(out) as unknown as StreamSource;
}
