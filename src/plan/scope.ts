// --target: only the targeted resources and what they need are planned. Before the changes are ordered, the
// scope is the targets, the streams of targeted consumers and the origins of targeted streams, transitively
// (so that an unavailable stream elsewhere does not stop the plan); after ordering, the steps the targets
// depend on (targetClosure in order.ts).

import { bucketAddressOf } from "../jetstream/buckets.js";
import { streamAddress } from "../model/address.js";
import type { DesiredConsumer } from "../model/desired.js";
import { localOrigins } from "../model/jetstream.js";
import type { ObservedState } from "../model/observed.js";
import { bucketOfEntry } from "./phase-entries.js";
import type { StreamResource } from "./resources.js";

export function scopeOf(
  targets: readonly string[] | undefined,
  wanted: readonly StreamResource[],
  consumers: readonly DesiredConsumer[],
  observed: ObservedState,
): (address: string) => boolean {
  if (!targets || targets.length === 0) return () => true;
  const byStream = new Map(wanted.map((r) => [r.streamName, r]));
  const byAddress = new Map(wanted.map((r) => [r.address, r]));
  const consumerByAddress = new Map(consumers.map((k) => [k.address, k]));
  const scope = new Set<string>();
  const addStream = (name: string) => {
    const r = byStream.get(name);
    const address = r?.address ?? bucketAddressOf(name)?.address ?? streamAddress(name);
    if (scope.has(address)) return;
    scope.add(address);
    const cfg = r?.config ?? observed.streams.get(name)?.config;
    for (const o of localOrigins(cfg)) addStream(o.name);
  };
  for (const t of targets) {
    scope.add(t);
    const k = consumerByAddress.get(t);
    const stream = k?.stream ?? (t.startsWith("consumer.") ? t.split(".")[1] : undefined);
    if (stream) addStream(stream);
    const r = byAddress.get(t) ?? byAddress.get(bucketOfEntry(t) ?? "");
    if (r) addStream(r.streamName);
  }
  return (address) => scope.has(address);
}
