// The manifest's resources as the plan works with them: streams, KV buckets and object stores are all a
// stream on the server, with the config the manifest asks for.

import { kvStreamConfig, objectStoreStreamConfig } from "../jetstream/buckets.js";
import type { DesiredKv, DesiredObjectStore, DesiredState, DesiredStream, Origin } from "../model/desired.js";
import type { StreamConfig } from "../model/jetstream.js";
import type { ObservedConsumer } from "../model/observed.js";

/** A stream, KV bucket or object store of the manifest: all three are a stream on the server. */
export interface StreamResource {
  readonly kind: "stream" | "kv" | "objectstore";
  readonly address: string;
  /** The stream name, or the bucket name. */
  readonly name: string;
  readonly streamName: string;
  readonly protect: boolean;
  /** Wire config of the backing stream, as the manifest asks for it (no markers, no defaults). */
  readonly config: StreamConfig;
  readonly origin: Origin;
  readonly source: DesiredStream | DesiredKv | DesiredObjectStore;
}

export function streamResources(desired: DesiredState): StreamResource[] {
  const bucket = (b: DesiredKv | DesiredObjectStore, config: StreamConfig): StreamResource => ({
    kind: b.kind,
    address: b.address,
    name: b.name,
    streamName: config.name,
    protect: b.protect,
    config,
    origin: b.origin,
    source: b,
  });
  return [
    ...desired.streams.map((s) => ({
      kind: "stream" as const,
      address: s.address,
      name: s.name,
      streamName: s.name,
      protect: s.protect,
      config: s.config,
      origin: s.origin,
      source: s,
    })),
    ...desired.keyValues.map((b) => bucket(b, kvStreamConfig(b.spec))),
    ...desired.objectStores.map((b) => bucket(b, objectStoreStreamConfig(b.spec))),
  ];
}

export function groupConsumers(all: Iterable<ObservedConsumer>): Map<string, ObservedConsumer[]> {
  const out = new Map<string, ObservedConsumer[]>();
  for (const c of all) {
    const list = out.get(c.stream);
    if (list) list.push(c);
    else out.set(c.stream, [c]);
  }
  return out;
}
