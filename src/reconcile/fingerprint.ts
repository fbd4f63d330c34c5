// Fingerprints of live resources, so that `apply --plan` can tell whether anything changed since the plan
// was made. They hash the raw config as the server holds it (without the server's own metadata keys),
// independent of any manifest.

import { createHash } from "node:crypto";
import { streamNameOf } from "../jetstream/buckets.js";
import { stableJson } from "../jetstream/fingerprint.js";
import type { ObservedState } from "../model/observed.js";

export const ABSENT = "absent";

export function fingerprintConfig(config: { metadata?: Record<string, string> } | undefined): string {
  if (!config) return ABSENT;
  return `sha256:${createHash("sha256").update(stableJson(config)).digest("hex")}`;
}

/** The live config at `address` (a consumer, or the stream behind a stream or bucket), if any. */
export function liveConfigAt(observed: ObservedState, address: string): object | undefined {
  if (address.startsWith("consumer.")) return observed.consumers.get(address)?.config;
  const stream = streamNameOf(address);
  return stream === undefined ? undefined : observed.streams.get(stream)?.config;
}

/** The fingerprint of whatever lives at `address` now (`absent` when nothing does). */
export function fingerprintAt(observed: ObservedState, address: string): string {
  return fingerprintConfig(
    liveConfigAt(observed, address) as { metadata?: Record<string, string> } | undefined,
  );
}

export function manifestDigest(files: ReadonlyArray<{ path: string; text: string }>): string {
  const h = createHash("sha256");
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    h.update(f.path).update("\u0000").update(f.text).update("\u0000");
  }
  return `sha256:${h.digest("hex")}`;
}
