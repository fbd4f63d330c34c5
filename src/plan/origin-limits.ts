// A mirror or source holds a consumer on its origin stream (JS_MIRROR_…, JS_SRC_…; CONSUMER.LIST does not
// show it, on 2.10.27 nor on 2.15.1), and nats-server checks a stream's new `consumer_limits` against every
// consumer of the stream, those included: "change to limits violates consumers" (10069). Those consumers
// are made with inactive_threshold 10s (sourceHealthCheckInterval) and no max_ack_pending, on every line
// from 2.10 to 2.15, so the refusal is decided exactly (measured on a standalone 2.10.27 and 2.15.1):
//  - 2.10–2.11: any change of consumer_limits compares each consumer with the new values, 0 included, so
//    it is refused unless the new inactive_threshold is at least 10s;
//  - 2.12+: only a new value above 0 is compared, so a new inactive_threshold below 10s is refused.
// In a cluster the meta leader checks what it holds of the consumers, which differs between versions: there
// the plan warns instead.

import { localOrigins, type StreamConfig } from "../model/jetstream.js";
import { type Change, streamSide } from "../model/plan.js";
import { SECOND } from "../model/units.js";
import { atLeast, type Version } from "../model/version.js";

/** The inactive_threshold of the server's own consumers behind mirrors and sources. */
export const SOURCING_INACTIVE_THRESHOLD = 10 * SECOND;

export interface HiddenConsumerRisk {
  /** The stream whose consumer_limits change. */
  readonly stream: string;
  readonly address: string;
  /** The streams that mirror or source it, sorted. */
  readonly dependents: readonly string[];
  /** True when the server refuses it for sure (standalone), false when it may (cluster). */
  readonly certain: boolean;
}

type Limits = { max_ack_pending?: number; inactive_threshold?: number } | undefined;

/** Whether the server compares the stream's consumers with the new limits, and finds the hidden ones over. */
export function refusedForHidden(version: Version, before: Limits, after: Limits): boolean {
  const oldIt = before?.inactive_threshold ?? 0;
  const newIt = after?.inactive_threshold ?? 0;
  const oldMap = before?.max_ack_pending ?? 0;
  const newMap = after?.max_ack_pending ?? 0;
  if (!atLeast(version, "2.12.0")) {
    const changed = oldIt !== newIt || oldMap !== newMap;
    return changed && newIt < SOURCING_INACTIVE_THRESHOLD;
  }
  const checked = (newIt > 0 && oldIt !== newIt) || (newMap > 0 && oldMap !== newMap);
  return checked && newIt > 0 && newIt < SOURCING_INACTIVE_THRESHOLD;
}

/** True when a limit is set after that was unset before, or is lower than before (a cluster may refuse it). */
function stricter(before: Limits, after: Limits): boolean {
  const keys = ["max_ack_pending", "inactive_threshold"] as const;
  return keys.some((k) => {
    const a = after?.[k];
    if (!a || a <= 0) return false;
    const b = before?.[k];
    return !b || b <= 0 || a < b;
  });
}

/**
 * The stream updates whose consumer_limits the server checks against the hidden consumers of a live stream
 * that mirrors or sources it (`live`: the server's stream configs). A mirror or source that this plan
 * creates comes after its origin's update, so it holds no consumer yet.
 */
export function hiddenConsumerRisks(
  changes: readonly Change[],
  live: Iterable<StreamConfig>,
  version: Version,
  clustered: boolean,
): HiddenConsumerRisk[] {
  const limitsOf = (c: Change, side: "before" | "after") => streamSide(c, side)!.consumer_limits;
  const risky = (c: Change) =>
    clustered
      ? stricter(limitsOf(c, "before"), limitsOf(c, "after"))
      : refusedForHidden(version, limitsOf(c, "before"), limitsOf(c, "after"));
  const candidates = changes.filter((c) => c.kind !== "consumer" && c.action === "update" && risky(c));
  if (candidates.length === 0) return [];
  const dependentsOf = new Map<string, string[]>();
  for (const s of live) {
    for (const o of localOrigins(s)) {
      const known = dependentsOf.get(o.name);
      if (known) known.push(s.name);
      else dependentsOf.set(o.name, [s.name]);
    }
  }
  const out: HiddenConsumerRisk[] = [];
  for (const c of candidates) {
    const stream = streamSide(c, "after")!.name;
    const dependents = dependentsOf.get(stream);
    if (dependents)
      out.push({ stream, address: c.address, dependents: [...dependents].sort(), certain: !clustered });
  }
  return out;
}
