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

/** Every field this module knows; anything else the server sends is carried through untouched. */
const KNOWN = new Set([
  "ack_policy",
  "ack_wait",
  "backoff",
  "deliver_group",
  "deliver_policy",
  "deliver_subject",
  "description",
  "durable_name",
  "filter_subject",
  "filter_subjects",
  "flow_control",
  "headers_only",
  "idle_heartbeat",
  "inactive_threshold",
  "max_ack_pending",
  "max_batch",
  "max_bytes",
  "max_deliver",
  "max_expires",
  "max_waiting",
  "mem_storage",
  "metadata",
  "name",
  "num_replicas",
  "opt_start_seq",
  "opt_start_time",
  "pause_until",
  "priority_groups",
  "priority_policy",
  "priority_timeout",
  "rate_limit_bps",
  "replay_policy",
  "sample_freq",
]);

/** A value the server leaves out when it is zero, false or empty: undefined then. */
function set<T>(v: T | undefined | null | 0 | "" | false): T | undefined {
  return v ? (v as T) : undefined;
}

function nonEmpty<T>(v: readonly T[] | undefined): readonly T[] | undefined {
  return v && v.length > 0 ? v : undefined;
}

// Built field by field in key order (no deletes, no re-sorting): this runs for every consumer of the
// manifest and of the server, twice per plan.
//
// `metadata`, when given, stands in for input.metadata (the plan adds its markers this way): a copy of the
// input with other metadata (`{ ...config, metadata }`) would cost, at 50,000 consumers, about 12 MB that
// V8 keeps in the old generation until its next full collection, which sets the plan's peak memory.
export function canonicalConsumer(
  input: ConsumerConfig,
  ctx: ConsumerContext,
  metadata: Readonly<Record<string, string>> | undefined = input.metadata,
): ConsumerConfig {
  const name = input.durable_name ?? input.name;
  const ack = input.ack_policy || "none";
  const push = Boolean(input.deliver_subject);
  const backoff = nonEmpty(input.backoff);

  let ackWait: number | undefined;
  if (ack === "flow_control")
    ackWait = undefined; // forced unset (2.14+)
  else if (backoff)
    ackWait = set(backoff[0]); // backoff replaces ack_wait, whatever the ack policy
  else if (ack === "explicit" || ack === "all") ackWait = input.ack_wait || DEFAULT_ACK_WAIT;
  else ackWait = set(input.ack_wait);

  let maxAckPending = input.max_ack_pending;
  if (!maxAckPending) {
    const fromStream = ctx.streamLimits?.max_ack_pending;
    if (fromStream && fromStream > 0) maxAckPending = fromStream;
    else if (
      ack === "explicit" ||
      ack === "all" ||
      (ack === "flow_control" && atLeast(ctx.version, "2.14.0"))
    ) {
      const cap = ctx.accountMaxAckPending;
      maxAckPending = cap && cap > 0 && cap < DEFAULT_MAX_ACK_PENDING ? cap : DEFAULT_MAX_ACK_PENDING;
    } else maxAckPending = undefined;
  } else if (maxAckPending < -1) maxAckPending = -1;

  const inactive = input.inactive_threshold || set(ctx.streamLimits?.inactive_threshold);
  const policy =
    input.priority_policy && input.priority_policy !== "none" ? input.priority_policy : undefined;
  const maxDeliver = !input.max_deliver || input.max_deliver < -1 ? -1 : input.max_deliver;
  const maxWaiting = push
    ? undefined
    : !input.max_waiting || input.max_waiting < 0
      ? DEFAULT_MAX_WAITING
      : input.max_waiting;

  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => {
    if (v !== undefined) out[k] = v;
  };
  put("ack_policy", ack);
  put("ack_wait", ackWait);
  put("backoff", backoff);
  put("deliver_group", set(input.deliver_group));
  put(
    "deliver_policy",
    input.deliver_policy && (input.deliver_policy as string) !== "undefined" ? input.deliver_policy : "all",
  );
  put("deliver_subject", set(input.deliver_subject));
  put("description", set(input.description));
  put("durable_name", name);
  put("filter_subject", set(input.filter_subject));
  put("filter_subjects", nonEmpty(input.filter_subjects));
  put("flow_control", ack === "flow_control" ? true : set(input.flow_control));
  put("headers_only", set(input.headers_only));
  put("idle_heartbeat", ack === "flow_control" ? SECOND : set(input.idle_heartbeat));
  put("inactive_threshold", inactive);
  put("max_ack_pending", maxAckPending);
  put("max_batch", set(input.max_batch));
  put("max_bytes", set(input.max_bytes));
  put("max_deliver", maxDeliver);
  put("max_expires", set(input.max_expires));
  put("max_waiting", maxWaiting);
  put("mem_storage", set(input.mem_storage));
  put("metadata", stripServerMetadata(metadata));
  put("name", name);
  put("num_replicas", input.num_replicas ?? 0);
  put("opt_start_seq", set(input.opt_start_seq));
  put("opt_start_time", set(input.opt_start_time));
  put("pause_until", set(input.pause_until));
  put("priority_groups", nonEmpty(input.priority_groups));
  put("priority_policy", policy);
  put(
    "priority_timeout",
    policy === "pinned_client" && !input.priority_timeout
      ? DEFAULT_PRIORITY_TIMEOUT
      : set(input.priority_timeout),
  );
  put("rate_limit_bps", set(input.rate_limit_bps));
  put("replay_policy", input.replay_policy || "instant");
  put("sample_freq", set(input.sample_freq));
  for (const k in input) if (!KNOWN.has(k)) put(k, (input as Record<string, unknown>)[k]);
  return out as unknown as ConsumerConfig;
}

/**
 * Objects with keys in a stable order, so that JSON output and fingerprints do not depend on input order.
 * An object already in order, without undefined values, is returned as it is: the canonical configs are
 * built in key order, and a copy of each of a plan's 55,000 creates would only be garbage for V8 to carry.
 */
export function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  if (inOrder(o)) return o;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function inOrder(o: Record<string, unknown>): boolean {
  let previous = "";
  for (const k in o) {
    if (!Object.hasOwn(o, k) || o[k] === undefined || k < previous) return false;
    previous = k;
  }
  return true;
}
