// A consumer config in the one form that both sides of a comparison can take: the server's defaults
// filled in exactly as the connected server fills them, and every value that the server treats as "unset"
// left out. Rules verified against nats-server 2.10.27 and 2.15.1 (docs/internals/server-behaviour-consumers.md).

import type { ConsumerConfig, ConsumerLimits } from "../model/jetstream.js";
import { SECOND } from "../model/units.js";
import { atLeast, type Version } from "../model/version.js";
import { stripServerMetadata } from "./metadata.js";

export interface ConsumerContext {
  readonly version: Version;
  /** The stream's consumer_limits, which fill max_ack_pending and inactive_threshold when unset. */
  readonly streamLimits?: ConsumerLimits;
  /** The account's max_ack_pending limit (-1/0 = none): it caps the 1000 default. */
  readonly accountMaxAckPending?: number;
}

const DEFAULT_ACK_WAIT = 30 * SECOND;
const DEFAULT_MAX_WAITING = 512;
const DEFAULT_MAX_ACK_PENDING = 1000;
const DEFAULT_PRIORITY_TIMEOUT = 120 * SECOND;

/** Fields that the server leaves out when they are zero, false or empty. */
const ZERO_MEANS_UNSET = [
  "description",
  "opt_start_seq",
  "opt_start_time",
  "filter_subject",
  "rate_limit_bps",
  "sample_freq",
  "flow_control",
  "idle_heartbeat",
  "headers_only",
  "max_batch",
  "max_expires",
  "max_bytes",
  "deliver_subject",
  "deliver_group",
  "inactive_threshold",
  "mem_storage",
  "pause_until",
  "priority_timeout",
] as const;

export function canonicalConsumer(input: ConsumerConfig, ctx: ConsumerContext): ConsumerConfig {
  const c: Record<string, unknown> = { ...input };
  const name = input.durable_name ?? input.name;
  c.durable_name = name;
  c.name = name;
  c.deliver_policy =
    input.deliver_policy && (input.deliver_policy as string) !== "undefined" ? input.deliver_policy : "all";
  c.ack_policy = input.ack_policy || "none";
  c.replay_policy = input.replay_policy || "instant";
  const push = Boolean(input.deliver_subject);
  const ack = c.ack_policy as string;

  for (const k of ZERO_MEANS_UNSET) if (!c[k]) delete c[k];
  if (!input.filter_subjects?.length) delete c.filter_subjects;
  if (!input.backoff?.length) delete c.backoff;
  if (!input.priority_groups?.length) delete c.priority_groups;
  if (!c.priority_policy || c.priority_policy === "none") delete c.priority_policy;

  // ack_policy flow_control (2.14+) forces its companions.
  if (ack === "flow_control") {
    c.flow_control = true;
    c.idle_heartbeat = SECOND;
    delete c.ack_wait;
  }
  // Backoff replaces ack_wait with its first step, whatever the ack policy.
  if (input.backoff?.length) {
    if (input.backoff[0]) c.ack_wait = input.backoff[0];
    else delete c.ack_wait;
  } else if ((ack === "explicit" || ack === "all") && !c.ack_wait) {
    c.ack_wait = DEFAULT_ACK_WAIT;
  } else if (!c.ack_wait) {
    delete c.ack_wait;
  }

  if (!c.max_deliver || (c.max_deliver as number) < -1) c.max_deliver = -1;

  if (push) delete c.max_waiting;
  else if (!c.max_waiting || (c.max_waiting as number) < 0) c.max_waiting = DEFAULT_MAX_WAITING;

  if (!c.max_ack_pending) {
    const fromStream = ctx.streamLimits?.max_ack_pending;
    if (fromStream && fromStream > 0) c.max_ack_pending = fromStream;
    else if (
      ack === "explicit" ||
      ack === "all" ||
      (ack === "flow_control" && atLeast(ctx.version, "2.14.0"))
    ) {
      const cap = ctx.accountMaxAckPending;
      c.max_ack_pending = cap && cap > 0 && cap < DEFAULT_MAX_ACK_PENDING ? cap : DEFAULT_MAX_ACK_PENDING;
    } else delete c.max_ack_pending;
  } else if ((c.max_ack_pending as number) < -1) {
    c.max_ack_pending = -1;
  }

  if (!c.inactive_threshold) {
    const fromStream = ctx.streamLimits?.inactive_threshold;
    if (fromStream && fromStream > 0) c.inactive_threshold = fromStream;
  }

  if (c.priority_policy === "pinned_client" && !c.priority_timeout)
    c.priority_timeout = DEFAULT_PRIORITY_TIMEOUT;
  c.num_replicas = input.num_replicas ?? 0;

  const metadata = stripServerMetadata(input.metadata);
  if (metadata) c.metadata = metadata;
  else delete c.metadata;

  return sortKeys(c) as unknown as ConsumerConfig;
}

/** Objects with keys in a stable order, so that JSON output and fingerprints do not depend on input order. */
export function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
