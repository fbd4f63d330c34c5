// A stream update that sets stricter consumer_limits is refused while a consumer of the stream holds a value
// above them (10069 "change to limits violates consumers: <name>"). A consumer this plan updates, replaces or
// deletes is ordered before the stream (order.ts); one the plan leaves as it is (not managed by the
// manifest, or managed and unchanged) keeps its value, so no order helps: the plan says so.

import { consumerAddress } from "../model/address.js";
import type { ConsumerConfig } from "../model/jetstream.js";
import type { ObservedConsumer } from "../model/observed.js";
import { type Change, streamSide } from "../model/plan.js";

type Limits = { readonly max_ack_pending?: number; readonly inactive_threshold?: number } | undefined;
export type LimitField = "max_ack_pending" | "inactive_threshold";

export interface ConsumerOverLimit {
  /** The stream whose update the server refuses (a bucket's stream is KV_<bucket> or OBJ_<bucket>). */
  readonly streamName: string;
  readonly consumer: string;
  readonly field: LimitField;
  readonly value: number;
  readonly limit: number;
}

/** The fields of a live consumer above the limits a stream is getting (the server compares with `>`). */
export function fieldsOverLimits(consumer: Partial<ConsumerConfig>, limits: Limits): LimitField[] {
  return (["max_ack_pending", "inactive_threshold"] as const).filter((k) => {
    const limit = limits?.[k];
    const value = consumer[k];
    // An unlimited (-1) max_ack_pending is not above anything for the server's `>`.
    return limit !== undefined && limit > 0 && value !== undefined && value > limit;
  });
}

/** The stream updates with stricter consumer_limits that a live consumer, left as it is, stands in the way of. */
export function consumersOverLimits(
  changes: readonly Change[],
  consumersOf: ReadonlyMap<string, readonly ObservedConsumer[]>,
): ConsumerOverLimit[] {
  const acted = new Set(
    changes.filter((c) => c.kind === "consumer" && c.action !== "no-op").map((c) => c.address),
  );
  const out: ConsumerOverLimit[] = [];
  for (const s of changes) {
    if (s.kind === "consumer" || s.action !== "update") continue;
    const before = streamSide(s, "before")?.consumer_limits;
    const after = streamSide(s, "after")?.consumer_limits;
    if (JSON.stringify(before ?? {}) === JSON.stringify(after ?? {})) continue;
    const name = String(streamSide(s, "after")!.name);
    for (const c of consumersOf.get(name) ?? []) {
      if (acted.has(consumerAddress(name, c.name))) continue;
      for (const field of fieldsOverLimits(c.config, after)) {
        out.push({
          streamName: name,
          consumer: c.name,
          field,
          value: c.config[field]!,
          limit: after![field]!,
        });
      }
    }
  }
  return out;
}
