// A stream config in the one form both sides of a comparison can take: the server's defaults filled in as
// the connected server version fills them, forced flags applied, and every value the server treats as
// "unset" left out. Verified against nats-server 2.10.27 and 2.15.1 (docs/internals/server-behaviour-streams.md).

import type { StreamConfig, StreamSource } from "../model/jetstream.js";
import { atLeast, type Version } from "../model/version.js";
import { STREAM_FIELDS } from "./fields/stream.js";
import { stripServerMetadata } from "./metadata.js";
import { sortKeys } from "./sort-keys.js";

export interface StreamContext {
  readonly version: Version;
  /**
   * For a mirror: the origin's allow_direct when jsplan can see the origin (in the manifest or on the
   * server). The server copies it into mirror_direct.
   */
  readonly originAllowDirect?: boolean;
}

/** The server fills duplicate_window with min(2m, max_age) unless its own limit is lower. */
const DEFAULT_DUPLICATE_WINDOW = STREAM_FIELDS.row("duplicate_window")!.default as number;

/** Fields newer than 2.10, our oldest server: left out for a server that does not know them. */
const VERSIONED = STREAM_FIELDS.where((r) => r.since !== undefined);
const DEFAULTED = STREAM_FIELDS.where((r) => r.fill === "default");
const UNLIMITED = STREAM_FIELDS.where((r) => r.fill === "unlimited");
/** Fields left out when false, zero, empty or their default, as the server does. */
const OMITTED = STREAM_FIELDS.where((r) => r.fill === "omit");

type Draft = Record<string, unknown>;

export function canonicalStream(input: StreamConfig, ctx: StreamContext): StreamConfig {
  const c: Draft = { ...input };
  const v = ctx.version;
  for (const r of VERSIONED) if (!atLeast(v, r.since!)) delete c[r.name];
  for (const r of DEFAULTED) c[r.name] = c[r.name] || r.default;
  for (const r of UNLIMITED) {
    const n = c[r.name] as number | undefined;
    c[r.name] = !n || n < -1 ? -1 : n;
  }
  const origins = originsAndSubjects(c, input);
  forcedFlags(c);
  duplicateWindow(c, origins, ctx);
  nestedSettings(c, input);
  for (const r of OMITTED) if (!c[r.name] || c[r.name] === r.default) delete c[r.name];
  return sortKeys(c) as unknown as StreamConfig;
}

/** Mirror and sources in canonical form; the subjects the server gives a stream that names none. */
function originsAndSubjects(c: Draft, input: StreamConfig): { mirror: boolean; sources: number } {
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
  return { mirror: mirror !== undefined, sources: sources.length };
}

/** Flags the server sets because of others, whatever the request says. */
function forcedFlags(c: Draft): void {
  // Sealing makes the server set five other fields.
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
}

function duplicateWindow(c: Draft, origins: { mirror: boolean; sources: number }, ctx: StreamContext): void {
  if (origins.mirror) {
    // A mirror gets no default duplicate window (an explicit one is kept), and serves direct gets exactly
    // when its origin does.
    if (!c.duplicate_window) delete c.duplicate_window;
    if (ctx.originAllowDirect !== undefined) c.mirror_direct = ctx.originAllowDirect;
  } else if (!c.duplicate_window) {
    if (origins.sources > 0 && atLeast(ctx.version, "2.14.0")) delete c.duplicate_window;
    else
      c.duplicate_window =
        c.max_age && (c.max_age as number) < DEFAULT_DUPLICATE_WINDOW ? c.max_age : DEFAULT_DUPLICATE_WINDOW;
  }
}

/** Placement, republish, transform, consumer limits and metadata: without the parts the server drops. */
function nestedSettings(c: Draft, input: StreamConfig): void {
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
