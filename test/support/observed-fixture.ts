// Observed state in a JSON fixture: what the observe stage would have read from a server, written out.

import type { ConsumerConfig, StreamConfig } from "../../src/model/jetstream.js";
import type {
  AccountLimits,
  ObservedConsumer,
  ObservedState,
  ObservedStream,
  UnavailableStream,
} from "../../src/model/observed.js";

export interface ObservedFixture {
  server: {
    version: string;
    cluster?: string | null;
    domain?: string | null;
    clustered?: boolean;
    apiLevel?: number;
    clusterSize?: number;
  };
  limits?: AccountLimits;
  streams?: Array<{
    config: StreamConfig;
    created?: string;
    state?: { messages: number; bytes: number; consumer_count: number };
  }>;
  consumers?: Array<{ stream: string; config: ConsumerConfig; created?: string }>;
  unavailable?: UnavailableStream[];
}

const CREATED = "2026-01-01T00:00:00Z";

export function observedFrom(f: ObservedFixture): ObservedState {
  const streams = new Map<string, ObservedStream>();
  for (const s of f.streams ?? []) {
    streams.set(s.config.name, {
      name: s.config.name,
      config: s.config,
      created: s.created ?? CREATED,
      ...(s.state ? { state: s.state } : {}),
    });
  }
  const consumers = new Map<string, ObservedConsumer>();
  for (const c of f.consumers ?? []) {
    const name = c.config.durable_name ?? c.config.name!;
    consumers.set(`consumer.${c.stream}.${name}`, {
      stream: c.stream,
      name,
      config: c.config,
      created: c.created ?? CREATED,
    });
  }
  return {
    server: {
      version: f.server.version,
      cluster: f.server.cluster ?? null,
      domain: f.server.domain ?? null,
      clustered: f.server.clustered ?? Boolean(f.server.cluster),
      ...(f.server.apiLevel !== undefined ? { apiLevel: f.server.apiLevel } : {}),
      ...(f.server.clusterSize !== undefined ? { clusterSize: f.server.clusterSize } : {}),
    },
    limits: f.limits ?? {},
    streams,
    consumers,
    unavailable: f.unavailable ?? [],
    ephemeral: new Map(),
  };
}
