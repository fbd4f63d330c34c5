// A mirror or source holds a consumer on its origin stream that CONSUMER.LIST does not show, and nats-server
// checks a stream's new `consumer_limits` against every consumer of the stream, hidden ones included. Seen:
// on 2.10.27, setting `consumer_limits.max_ack_pending: 100` on a sourced stream that had no limits was
// refused with 10069 "change to limits violates consumers: hdW9r9Jb" (lowering it from 1000 to 100 was
// accepted, as both were on 2.15.1); the random-edit property test met the same refusal on 2.15.1, naming a
// JS_SRC_… consumer. jsplan cannot read those consumers' settings, so it cannot tell in advance; the plan
// warns where such a refusal is possible.

import { localOrigins, type StreamConfig } from "../model/jetstream.js";
import type { Change } from "../model/plan.js";

export interface HiddenConsumerRisk {
  /** The stream whose consumer_limits get stricter. */
  readonly stream: string;
  readonly address: string;
  /** The streams that mirror or source it, sorted. */
  readonly dependents: readonly string[];
}

type Limits = { max_ack_pending?: number; inactive_threshold?: number } | undefined;

/** True when a limit is set after that was unset before, or is lower than before. */
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
 * The stream updates that make consumer_limits stricter on a stream that a live stream on this server
 * mirrors or sources (`live`: the server's stream configs). A mirror or source that this plan creates
 * comes after its origin's update, so it holds no consumer yet.
 */
export function hiddenConsumerRisks(
  changes: readonly Change[],
  live: Iterable<StreamConfig>,
): HiddenConsumerRisk[] {
  const candidates = changes.filter(
    (c) =>
      c.kind !== "consumer" &&
      c.action === "update" &&
      stricter(
        (c.before as unknown as StreamConfig).consumer_limits,
        (c.after as unknown as StreamConfig).consumer_limits,
      ),
  );
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
    const stream = (c.after as unknown as StreamConfig).name;
    const dependents = dependentsOf.get(stream);
    if (dependents) out.push({ stream, address: c.address, dependents: [...dependents].sort() });
  }
  return out;
}
