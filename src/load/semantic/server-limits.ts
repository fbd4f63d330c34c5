// Sizes the server caps for resources of every kind, with the same numbers for each.

import type { DesiredConsumer, DesiredStream } from "../../model/desired.js";
import type { AnyDesired, Findings } from "./report.js";

/** The server's JSMaxNameLen: names become file names in its store, and 255 bytes is a common limit. */
const MAX_NAME_BYTES = 255;
/** The server's JSMaxMetadataLen, for the keys and values of a metadata map together. */
const MAX_METADATA_BYTES = 128 * 1024;

export function nameWithinLimit(r: DesiredStream | DesiredConsumer, f: Findings): void {
  if (Buffer.byteLength(r.name) > MAX_NAME_BYTES)
    f.error(r, "name", "name-too-long", `a ${r.kind} name can be at most 255 bytes`);
}

/** Streams, consumers and buckets alike: the server refuses a create or update over the limit. */
export function metadataWithinLimit(
  r: AnyDesired,
  metadata: Record<string, string> | undefined,
  f: Findings,
): void {
  if (metadata && metadataBytes(metadata) > MAX_METADATA_BYTES) {
    f.error(r, "metadata", "metadata-too-large", "metadata keys and values together can be at most 128 KiB");
  }
}

function metadataBytes(m: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(m)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}
