// What every phase of a plan reads: the two states, and what is derived from them once (the resources by
// stream, the canonical desired configs, the --target scope). Phases add their changes and findings here.

import { adoptKvClientChoices } from "../jetstream/buckets.js";
import { canonicalStream } from "../jetstream/canonical-stream.js";
import { withMarkers } from "../jetstream/ownership.js";
import type { DesiredConsumer, DesiredState } from "../model/desired.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { StreamConfig } from "../model/jetstream.js";
import type {
  ObservedConsumer,
  ObservedState,
  ObservedStream,
  UnavailableStream,
} from "../model/observed.js";
import type { Change } from "../model/plan.js";
import { parseVersion, type Version } from "../model/version.js";
import { groupConsumers, type StreamResource, streamResources } from "./resources.js";
import { scopeOf } from "./scope.js";

export interface PlanInput {
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  readonly jsplanVersion: string;
  /** Limit the plan to these addresses and what they need (`--target`). */
  readonly targets?: readonly string[];
  /** Warnings from loading the manifest, carried into the plan. */
  readonly warnings?: readonly Diagnostic[];
}

export class PlanContext {
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  readonly version: Version;
  readonly owner: string | undefined;
  readonly clustered: boolean;
  readonly wanted: readonly StreamResource[];
  readonly wantedByStream: ReadonlyMap<string, StreamResource>;
  readonly desiredConsumers: ReadonlyMap<string, DesiredConsumer>;
  /** The live consumers of each stream. */
  readonly consumersOf: ReadonlyMap<string, ObservedConsumer[]>;
  readonly unavailable: ReadonlyMap<string, UnavailableStream>;
  readonly inScope: (address: string) => boolean;
  /** By stream name: the canonical config each stream of the manifest is to have (markers included). */
  readonly desiredCanon: ReadonlyMap<string, StreamConfig>;

  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[];
  readonly changes: Change[] = [];
  /** The change of each stream of the manifest that was planned, by stream name. */
  readonly streamChange = new Map<string, Change>();

  constructor(readonly input: PlanInput) {
    this.desired = input.desired;
    this.observed = input.observed;
    this.version = parseVersion(input.observed.server.version);
    this.owner = input.desired.owner;
    this.clustered = input.observed.server.clustered;
    this.warnings = [...(input.warnings ?? [])];
    this.wanted = streamResources(input.desired);
    this.wantedByStream = new Map(this.wanted.map((r) => [r.streamName, r]));
    this.desiredConsumers = new Map(input.desired.consumers.map((k) => [k.address, k]));
    this.consumersOf = groupConsumers(input.observed.consumers.values());
    this.unavailable = new Map(input.observed.unavailable.map((u) => [u.name, u]));
    this.inScope = scopeOf(input.targets, this.wanted, input.desired.consumers, input.observed);
    this.desiredCanon = this.#desiredCanon();
  }

  /** A live stream's config in canonical form. */
  observedCanon(o: ObservedStream): StreamConfig {
    return canonicalStream(o.config, {
      version: this.version,
      originAllowDirect: this.#originAllowDirect(o.config, "observed"),
    });
  }

  /** For a mirror: whether its origin serves direct gets (the server copies it into mirror_direct). */
  #originAllowDirect(cfg: StreamConfig, side: "desired" | "observed"): boolean | undefined {
    if (!cfg.mirror || cfg.mirror.external) return undefined;
    const origin = cfg.mirror.name;
    const d = side === "desired" ? this.wantedByStream.get(origin) : undefined;
    if (d) return Boolean(d.config.allow_direct);
    const o = this.observed.streams.get(origin);
    return o ? Boolean(o.config.allow_direct) : undefined;
  }

  #desiredCanon(): Map<string, StreamConfig> {
    const out = new Map<string, StreamConfig>();
    for (const r of this.wanted) {
      let cfg = {
        ...r.config,
        metadata: withMarkers(r.config.metadata, this.owner, r.protect),
      } as StreamConfig;
      const live = this.observed.streams.get(r.streamName);
      // A live bucket keeps the settings its client chose (see KV_CLIENT_CHOICES).
      if (r.kind === "kv" && live) cfg = adoptKvClientChoices(cfg, this.observedCanon(live));
      out.set(
        r.streamName,
        canonicalStream(cfg, {
          version: this.version,
          originAllowDirect: this.#originAllowDirect(r.config, "desired"),
        }),
      );
    }
    return out;
  }
}
