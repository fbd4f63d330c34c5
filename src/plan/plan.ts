// The plan stage: desired state + observed state → Plan. Pure and synchronous: no I/O, no clock, no
// client library. Every decision it makes is written into the plan (reasons, blocked steps, unmanaged
// resources), so that renderers and apply need nothing else.

import { alignConsumer, alignStream } from "../jetstream/align.js";
import {
  adoptKvClientChoices,
  bucketAddressOf,
  kvStreamConfig,
  objectStoreStreamConfig,
} from "../jetstream/buckets.js";
import { type ConsumerContext, canonicalConsumer } from "../jetstream/canonical-consumer.js";
import { canonicalStream } from "../jetstream/canonical-stream.js";
import type { Classification } from "../jetstream/classify-common.js";
import { classifyConsumerChange } from "../jetstream/classify-consumer.js";
import { classifyStreamChange } from "../jetstream/classify-stream.js";
import { diffConfigs, jsonEqual, type RawFieldChange } from "../jetstream/field-diff.js";
import { isProtected, ownership, PROTECT_KEY, withMarkers } from "../jetstream/ownership.js";
import { sortKeys } from "../jetstream/sort-keys.js";
import { checkBucketSupport, checkConsumerSupport, checkStreamSupport } from "../jetstream/support.js";
import type { ResourceKind } from "../model/address.js";
import type {
  DesiredConsumer,
  DesiredKv,
  DesiredObjectStore,
  DesiredState,
  DesiredStream,
  Origin,
} from "../model/desired.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { type ConsumerConfig, localOrigins, type StreamConfig } from "../model/jetstream.js";
import type { ObservedConsumer, ObservedState, ObservedStream } from "../model/observed.js";
import {
  type Change,
  type FieldChange,
  PLAN_FORMAT_VERSION,
  type Plan,
  type PlanDiagnostic,
  type PlanSummary,
  type WireConfig,
} from "../model/plan.js";
import { parseVersion } from "../model/version.js";
import { orderSteps, targetClosure } from "./order.js";
import { hiddenConsumerRisks } from "./origin-limits.js";
import { checkWorkQueueOrigins } from "./workqueue-origins.js";

export interface PlanInput {
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  readonly jsplanVersion: string;
  /** Limit the plan to these addresses and what they need (`--target`). */
  readonly targets?: readonly string[];
  /** Warnings from loading the manifest, carried into the plan. */
  readonly warnings?: readonly Diagnostic[];
}

export interface PlanOutcome {
  /** Absent when there are errors: a plan is never half right. */
  readonly plan?: Plan;
  readonly diagnostics: readonly Diagnostic[];
}

/** A stream, KV bucket or object store of the manifest: all three are a stream on the server. */
interface StreamResource {
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

/** The warning for a stream whose stricter consumer_limits meet the hidden consumers of `dependents`. */
function hiddenConsumerWarning(dependents: readonly string[]): string {
  const one = dependents.length === 1;
  return (
    `${dependents.join(", ")} ${one ? "mirrors or sources" : "mirror or source"} this stream and ` +
    `${one ? "holds a consumer" : "hold consumers"} on it that the server checks against the stricter ` +
    `consumer_limits, but that jsplan cannot read (the server does not list ${one ? "it" : "them"}): ` +
    'the server may refuse this update (10069 "change to limits violates consumers"). If it does, keep the old limits, or remove the mirror or source first'
  );
}

const STATE_LOSS_CONSUMER =
  "replacing a consumer loses its delivery state (position, pending acknowledgements, redelivery counts)";

function resources(desired: DesiredState): StreamResource[] {
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
    ...desired.keyValues.map((b) => {
      const config = kvStreamConfig(b.spec);
      return {
        kind: "kv" as const,
        address: b.address,
        name: b.name,
        streamName: config.name,
        protect: b.protect,
        config,
        origin: b.origin,
        source: b,
      };
    }),
    ...desired.objectStores.map((b) => {
      const config = objectStoreStreamConfig(b.spec);
      return {
        kind: "objectstore" as const,
        address: b.address,
        name: b.name,
        streamName: config.name,
        protect: b.protect,
        config,
        origin: b.origin,
        source: b,
      };
    }),
  ];
}

function byAddress(a: { address: string }, b: { address: string }): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

export function buildPlan(input: PlanInput): PlanOutcome {
  const { desired, observed } = input;
  const version = parseVersion(observed.server.version);
  const owner = desired.owner;
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [...(input.warnings ?? [])];
  const changes: Change[] = [];
  const unmanaged: string[] = [];
  const unavailable = new Map(observed.unavailable.map((u) => [u.name, u]));
  const clustered = observed.server.clustered;

  const wanted = resources(desired);
  const wantedByStream = new Map(wanted.map((r) => [r.streamName, r]));
  const desiredConsumers = new Map(desired.consumers.map((k) => [k.address, k]));
  const consumersOf = groupConsumers(observed.consumers.values());

  // --target: only the targeted resources and what they need (their stream, their origins) are planned, so
  // that an unavailable stream elsewhere does not stop the plan.
  const inScope = scopeOf(input.targets, wanted, desired.consumers, observed);

  for (const r of wanted) {
    if (!inScope(r.address)) continue;
    if (r.kind === "stream")
      errors.push(...checkStreamSupport(r.source as DesiredStream, version, clustered));
    else
      errors.push(
        ...checkBucketSupport(r.source as DesiredKv | DesiredObjectStore, r.config, version, clustered),
      );
  }
  for (const k of desired.consumers)
    if (inScope(k.address)) errors.push(...checkConsumerSupport(k, version, clustered));

  const originAllowDirect = (cfg: StreamConfig, side: "desired" | "observed"): boolean | undefined => {
    if (!cfg.mirror || cfg.mirror.external) return undefined;
    const origin = cfg.mirror.name;
    const d = side === "desired" ? wantedByStream.get(origin) : undefined;
    if (d) return Boolean(d.config.allow_direct);
    const o = observed.streams.get(origin);
    return o ? Boolean(o.config.allow_direct) : undefined;
  };
  const observedCanon = (o: ObservedStream) =>
    canonicalStream(o.config, { version, originAllowDirect: originAllowDirect(o.config, "observed") });
  const desiredCanon = new Map<string, StreamConfig>();
  for (const r of wanted) {
    let cfg = { ...r.config, metadata: withMarkers(r.config.metadata, owner, r.protect) } as StreamConfig;
    const live = observed.streams.get(r.streamName);
    if (r.kind === "kv" && live) {
      // A live bucket keeps the settings its client chose (see KV_CLIENT_CHOICES).
      cfg = adoptKvClientChoices(cfg, observedCanon(live));
    }
    desiredCanon.set(
      r.streamName,
      canonicalStream(cfg, { version, originAllowDirect: originAllowDirect(r.config, "desired") }),
    );
  }

  // --- streams, buckets and object stores of the manifest ----------------------------------------------
  const streamChange = new Map<string, Change>();
  for (const r of wanted) {
    if (!inScope(r.address)) continue;
    const down = unavailable.get(r.streamName);
    if (down) {
      errors.push(
        at(
          r,
          "",
          "error",
          "plan.unavailable",
          `stream ${r.streamName} is unavailable (${down.reason}); jsplan will not plan a create or delete for it. Try again when its servers are back, or plan other resources with --target`,
        ),
      );
      continue;
    }
    const after = desiredCanon.get(r.streamName)!;
    const obs = observed.streams.get(r.streamName);
    if (!obs) {
      if (after.sealed) {
        errors.push(
          at(
            r,
            "sealed",
            "error",
            "plan.sealed-create",
            "a stream cannot be created sealed: create it first, then add sealed: true and apply again",
          ),
        );
        continue;
      }
      const c = createChange(r.kind, r.address, r.name, undefined, after);
      changes.push(c);
      streamChange.set(r.streamName, c);
      continue;
    }
    const own = ownership(obs.config.metadata, owner);
    if (own.kind === "other") {
      errors.push(ownerConflict(r, own.owner, owner));
      continue;
    }
    const before = observedCanon(obs);
    const aligned = alignStream(after, before);
    const live = consumersOf.get(r.streamName) ?? [];
    const holds = (f: "max_ack_pending" | "inactive_threshold") =>
      live.some((c) => Boolean(c.config[f]) && c.config[f] !== -1);
    const ctx = {
      version,
      before,
      after: aligned,
      ...(obs.state?.first_seq !== undefined ? { firstSeq: obs.state.first_seq } : {}),
      consumersHold: {
        max_ack_pending: holds("max_ack_pending"),
        inactive_threshold: holds("inactive_threshold"),
      },
    };
    let change = compare(
      r.kind,
      r.address,
      r.name,
      undefined,
      before,
      aligned,
      (ch) => classifyStreamChange(ch, ctx),
      own.kind === "unmarked" ? owner : undefined,
    );
    if (change.diff.some((d) => d.path === "compression")) {
      warnings.push(
        at(
          r,
          r.kind === "stream" ? "compression" : "",
          "warning",
          "plan.compression",
          "a new compression setting applies to data written after the server's next restart; stored data keeps its compression",
        ),
      );
    }
    if (change.action === "replace" && aligned.sealed) {
      // A replace creates the stream again, and the server refuses to create a sealed stream.
      errors.push(
        at(
          r,
          "sealed",
          "error",
          "plan.sealed-create",
          `this change replaces the stream (${change.reasons.join("; ")}), and a stream cannot be created sealed: apply the change without sealed: true first, then add sealed: true and apply again`,
        ),
      );
      continue;
    }
    if (change.action === "replace") {
      const lost = live
        .filter((c) => !desiredConsumers.has(`consumer.${r.streamName}.${c.name}`))
        .map((c) => c.name);
      const extra: string[] = [];
      if (live.length > 0) {
        extra.push(
          `replacing the stream deletes its consumer${live.length === 1 ? "" : `s (${live.length})`}; those in the manifest are created again`,
        );
      }
      if (lost.length > 0) extra.push(`not in the manifest, so lost for good: ${lost.join(", ")}`);
      change = destructive(
        change,
        protection(r.protect, obs.config.metadata),
        { ...lossOf(obs), consumers: live.map((c) => c.name) },
        extra,
      );
    }
    changes.push(change);
    streamChange.set(r.streamName, change);
  }

  // --- consumers of the manifest ---------------------------------------------------------------------
  for (const k of desired.consumers) {
    if (!inScope(k.address)) continue;
    const down = unavailable.get(k.stream);
    if (down) {
      errors.push(
        at(
          k,
          "",
          "error",
          "plan.unavailable",
          `stream ${k.stream} is unavailable (${down.reason}); its consumers cannot be planned now`,
        ),
      );
      continue;
    }
    const ds = wantedByStream.get(k.stream);
    const os = observed.streams.get(k.stream);
    if (!ds && !os) {
      errors.push(
        at(
          k,
          "",
          "error",
          "plan.no-stream",
          `stream ${k.stream} does not exist on the server and is not in the manifest; add the stream to the manifest or fix the name`,
        ),
      );
      continue;
    }
    const limits = ds ? desiredCanon.get(k.stream)!.consumer_limits : os!.config.consumer_limits;
    const ctx: ConsumerContext = {
      version,
      ...(limits ? { streamLimits: limits } : {}),
      ...(observed.limits.max_ack_pending ? { accountMaxAckPending: observed.limits.max_ack_pending } : {}),
    };
    const after = canonicalConsumer(k.config, ctx, withMarkers(k.config.metadata, owner, k.protect));
    const obs = observed.consumers.get(k.address);
    const parent = streamChange.get(k.stream);
    if (!obs || parent?.action === "create") {
      changes.push(createChange("consumer", k.address, k.name, k.stream, after));
      continue;
    }
    const own = ownership(obs.config.metadata, owner);
    if (own.kind === "other") {
      errors.push(ownerConflict(k, own.owner, owner));
      continue;
    }
    // The common case, a consumer jsplan itself applied and nobody changed: the server holds exactly what
    // was sent (plus its own metadata keys). Nothing to normalise or compare field by field.
    if (parent?.action !== "replace" && sameAsSent(obs.config, after)) {
      changes.push(
        makeChange({
          address: k.address,
          kind: "consumer",
          name: k.name,
          stream: k.stream,
          action: "no-op",
          destructive: false,
          reasons: [],
          diff: [],
          before: after,
          after,
        }),
      );
      continue;
    }
    const before = canonicalConsumer(obs.config, ctx);
    const aligned = alignConsumer(after, before);
    // pause_until is honoured only when a consumer is created; an existing one is paused through its own API.
    if (aligned.pause_until !== before.pause_until) {
      if (aligned.pause_until !== undefined) {
        warnings.push(
          at(
            k,
            "pause_until",
            "warning",
            "plan.pause-until",
            "pause_until only applies when the consumer is created; this existing consumer is left as it is (pause it with `nats consumer pause`)",
          ),
        );
      }
      delete aligned.pause_until;
      delete before.pause_until;
    }
    let change = compare(
      "consumer",
      k.address,
      k.name,
      k.stream,
      before,
      aligned,
      classifyConsumerChange,
      own.kind === "unmarked" ? owner : undefined,
    );
    if (parent?.action === "replace") {
      change = {
        ...change,
        action: "replace",
        reasons: [...change.reasons, `its stream ${k.stream} is replaced, which deletes its consumers`],
      } as Change;
    }
    if (change.action === "replace") {
      const blockedParent = parent?.action === "replace" && parent.blocked;
      change = destructive(
        change,
        blockedParent ? "parent" : protection(k.protect, obs.config.metadata),
        {},
        [STATE_LOSS_CONSUMER],
      );
    }
    changes.push(change);
  }

  // --- live resources the manifest does not declare ------------------------------------------------
  const goneStreams = new Set<string>();
  // Streams whose deletion is blocked: their consumers' deletions are blocked with them.
  const blockedStreamDeletes = new Set<string>();
  for (const s of wanted) {
    const c = streamChange.get(s.streamName);
    if (c?.action === "replace") goneStreams.add(s.streamName);
  }
  for (const obs of observed.streams.values()) {
    if (wantedByStream.has(obs.name)) continue;
    const bucket = bucketAddressOf(obs.name);
    const address = bucket?.address ?? `stream.${obs.name}`;
    if (!inScope(address)) continue;
    if (ownership(obs.config.metadata, owner).kind !== "ours") {
      unmanaged.push(address);
      continue;
    }
    const live = consumersOf.get(obs.name) ?? [];
    const others = live.filter((c) => ownership(c.config.metadata, owner).kind !== "ours").map((c) => c.name);
    const what = bucket
      ? bucket.kind === "kv"
        ? `KV bucket ${bucket.bucket}`
        : `object store ${bucket.bucket}`
      : `stream ${obs.name}`;
    changes.push(
      destructive(
        deleteChange(
          bucket?.kind ?? "stream",
          address,
          bucket?.bucket ?? obs.name,
          undefined,
          observedCanon(obs),
          `${what} carries this manifest's owner marker (${owner}) and is no longer in the manifest`,
        ),
        protection(false, obs.config.metadata),
        { ...lossOf(obs), consumers: live.map((c) => c.name) },
        others.length > 0
          ? [`deleting it also deletes consumers that this manifest does not manage: ${others.join(", ")}`]
          : [],
      ),
    );
    goneStreams.add(obs.name);
    if (isProtected(obs.config.metadata)) blockedStreamDeletes.add(obs.name);
  }
  for (const u of observed.unavailable) {
    if (!wantedByStream.has(u.name)) {
      warnings.push({
        severity: "warning",
        address: `stream.${u.name}`,
        code: "plan.unavailable",
        message: `stream ${u.name} is unavailable (${u.reason}); it is not in the manifest, so the plan leaves it alone`,
      });
    }
  }
  for (const c of observed.consumers.values()) {
    const address = `consumer.${c.stream}.${c.name}`;
    if (desiredConsumers.has(address) || !inScope(address)) continue;
    if (ownership(c.config.metadata, owner).kind !== "ours") {
      // Consumers that go with their stream are named in that stream's change, not "left alone".
      if (!goneStreams.has(c.stream)) unmanaged.push(address);
      continue;
    }
    const limits = observed.streams.get(c.stream)?.config.consumer_limits;
    const before = canonicalConsumer(c.config, { version, ...(limits ? { streamLimits: limits } : {}) });
    const why =
      goneStreams.has(c.stream) && !wantedByStream.has(c.stream)
        ? `its stream ${c.stream} is deleted`
        : `consumer ${c.stream}.${c.name} carries this manifest's owner marker (${owner}) and is no longer in the manifest`;
    changes.push(
      destructive(
        deleteChange("consumer", address, c.name, c.stream, before, why),
        blockedStreamDeletes.has(c.stream) ? "parent" : protection(false, c.config.metadata),
        {},
      ),
    );
  }

  const streamsAfter = new Map<string, StreamConfig>();
  // The streams as they will be: live ones that stay, with the manifest's configs (a mirror or source
  // that a deleted stream or an update drops holds nothing once orderSteps has run it first).
  const deleted = new Set(
    changes
      .filter((c) => c.kind !== "consumer" && c.action === "delete" && !c.blocked)
      .map((c) => String(c.before?.name ?? c.name)),
  );
  for (const o of observed.streams.values()) if (!deleted.has(o.name)) streamsAfter.set(o.name, o.config);
  for (const [name, cfg] of desiredCanon) streamsAfter.set(name, cfg);
  errors.push(...checkWorkQueueOrigins(version, streamsAfter, changes, desiredConsumers));
  for (const risk of hiddenConsumerRisks(
    changes,
    [...observed.streams.values()].map((o) => o.config),
  )) {
    const r = wantedByStream.get(risk.stream);
    if (!r) continue;
    warnings.push(
      at(
        r,
        "consumer_limits",
        "warning",
        "plan.hidden-source-consumers",
        hiddenConsumerWarning(risk.dependents),
      ),
    );
  }

  if (errors.length > 0) return { diagnostics: sortByPlace([...errors, ...warnings]) };

  changes.sort(byAddress);
  const workQueues = new Set(
    wanted.filter((r) => r.config.retention === "workqueue").map((r) => r.streamName),
  );
  const ordered = orderSteps(changes, workQueues);
  if (ordered.cycle) {
    return {
      diagnostics: [
        ...warnings,
        {
          severity: "error",
          code: "plan.cycle",
          message: `the changes depend on each other in a cycle and cannot be ordered: ${ordered.cycle.join(", ")}`,
        },
      ],
    };
  }
  if (ordered.limitConflicts) {
    return {
      diagnostics: [
        ...warnings,
        ...ordered.limitConflicts.map(({ consumer, stream }) => {
          const k = desiredConsumers.get(consumer);
          return {
            severity: "error" as const,
            ...(k ? { pos: k.origin.pos } : {}),
            address: consumer,
            code: "plan.consumer-limits-order",
            message: `${consumer} exceeds the consumer_limits that ${stream} is getting, so it must change first, but its new settings exceed the stream's current consumer_limits, so it must change after: the server takes neither order. Apply in two steps: first give the consumer values within both the current and the new limits, then the rest`,
          };
        }),
      ],
    };
  }
  let steps = ordered.steps;
  let planned = changes;
  let targets: string[] | null = null;
  if (input.targets && input.targets.length > 0) {
    targets = [...input.targets];
    const known = new Set(changes.map((c) => c.address));
    const missing = targets.filter((t) => !known.has(t));
    if (missing.length > 0) {
      return {
        diagnostics: [
          ...warnings,
          ...missing.map((t) => ({
            severity: "error" as const,
            code: "plan.target",
            message: unmanaged.includes(t)
              ? `--target ${t}: it is on the server but not managed by this manifest (no owner marker of this manifest, and not declared in it); declare it in the manifest to manage it`
              : `--target ${t}: no such resource in the manifest or on the server (addresses look like stream.NAME, consumer.STREAM.NAME, kv.BUCKET, objectstore.BUCKET)`,
          })),
        ],
      };
    }
    const keep = targetClosure(steps, targets);
    for (const t of targets) keep.add(t);
    steps = steps.filter((s) => keep.has(s.address));
    planned = changes.filter((c) => keep.has(c.address));
  }

  const plan: Plan = {
    format_version: PLAN_FORMAT_VERSION,
    jsplan_version: input.jsplanVersion,
    server: {
      version: observed.server.version,
      api_level: observed.server.apiLevel ?? null,
      cluster: observed.server.cluster,
      domain: observed.server.domain,
      name: observed.server.serverName ?? null,
      id: observed.server.serverId ?? null,
    },
    owner: owner ?? null,
    changes: planned,
    steps,
    unmanaged: unmanaged.sort(),
    summary: summarise(planned),
    targets,
    warnings: sortByPlace(warnings).map(toPlanDiagnostic),
  };
  return { plan, diagnostics: sortByPlace(warnings) };
}

function groupConsumers(all: Iterable<ObservedConsumer>): Map<string, ObservedConsumer[]> {
  const out = new Map<string, ObservedConsumer[]>();
  for (const c of all) {
    const list = out.get(c.stream);
    if (list) list.push(c);
    else out.set(c.stream, [c]);
  }
  return out;
}

/**
 * Which addresses a --target plan covers before ordering: the targets, the streams of targeted consumers and
 * the origins of targeted streams, transitively. Without targets, everything.
 */
function scopeOf(
  targets: readonly string[] | undefined,
  wanted: readonly StreamResource[],
  consumers: readonly DesiredConsumer[],
  observed: ObservedState,
): (address: string) => boolean {
  if (!targets || targets.length === 0) return () => true;
  const byStream = new Map(wanted.map((r) => [r.streamName, r]));
  const consumerByAddress = new Map(consumers.map((k) => [k.address, k]));
  const scope = new Set<string>();
  const addStream = (name: string) => {
    const r = byStream.get(name);
    const address = r?.address ?? bucketAddressOf(name)?.address ?? `stream.${name}`;
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
    const r = wanted.find((x) => x.address === t);
    if (r) addStream(r.streamName);
  }
  return (address) => scope.has(address);
}

function compare(
  kind: ResourceKind,
  address: string,
  name: string,
  stream: string | undefined,
  before: StreamConfig | ConsumerConfig,
  after: StreamConfig | ConsumerConfig,
  classify: (ch: RawFieldChange) => Classification,
  adoptingFor: string | undefined,
): Change {
  const raw = diffConfigs(before, after).sort(byPath);
  const reasons: string[] = [];
  const diff: FieldChange[] = raw.map((r) => {
    const cls = classify(r);
    const stamps = r.path === 'metadata["jsplan.owner"]' || (r.path === "metadata" && r.before === undefined);
    const reason =
      adoptingFor !== undefined && stamps
        ? `adopted: jsplan marks it as owned by ${adoptingFor}`
        : cls.reason;
    if (cls.forcesReplace && cls.reason) reasons.push(`${r.path}: ${cls.reason}`);
    return {
      path: r.path,
      ...(r.before !== undefined ? { before: r.before } : {}),
      ...(r.after !== undefined ? { after: r.after } : {}),
      forces_replace: cls.forcesReplace,
      ...(reason ? { reason } : {}),
    };
  });
  if (adoptingFor !== undefined) {
    reasons.push(
      `adopting an existing ${kind === "consumer" ? "consumer" : kind === "stream" ? "stream" : "bucket"}: its first apply stamps metadata jsplan.owner=${adoptingFor}`,
    );
  }
  const action = raw.length === 0 ? "no-op" : diff.some((d) => d.forces_replace) ? "replace" : "update";
  return makeChange({
    address,
    kind,
    name,
    stream,
    action,
    destructive: action === "replace",
    reasons: action === "no-op" ? [] : reasons,
    diff,
    before,
    after,
  });
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Every change has the same keys in the same order, whatever its action, so that plan JSON reads alike. */
function makeChange(c: {
  address: string;
  kind: ResourceKind;
  name: string;
  stream: string | undefined;
  action: Change["action"];
  destructive: boolean;
  blocked?: boolean;
  reasons: string[];
  diff: FieldChange[];
  before: object | null;
  after: object | null;
  loses?: Change["loses"];
}): Change {
  return {
    address: c.address,
    kind: c.kind,
    name: c.name,
    ...(c.stream ? { stream: c.stream } : {}),
    action: c.action,
    destructive: c.destructive,
    blocked: c.blocked ?? false,
    reasons: c.reasons,
    diff: c.diff,
    before: c.before as WireConfig | null,
    after: c.after as WireConfig | null,
    ...(c.loses ? { loses: c.loses } : {}),
  } as Change;
}

function createChange(
  kind: ResourceKind,
  address: string,
  name: string,
  stream: string | undefined,
  after: object,
): Change {
  return makeChange({
    address,
    kind,
    name,
    stream,
    action: "create",
    destructive: false,
    reasons: [],
    diff: [],
    before: null,
    after: sortKeys(after as Record<string, unknown>),
  });
}

function deleteChange(
  kind: ResourceKind,
  address: string,
  name: string,
  stream: string | undefined,
  before: object,
  reason: string,
): Change {
  return makeChange({
    address,
    kind,
    name,
    stream,
    action: "delete",
    destructive: true,
    reasons: [reason],
    diff: [],
    before,
    after: null,
  });
}

/** Where a protection comes from: the manifest's protect: true, the live marker, or a blocked stream replace. */
type Protection = "manifest" | "marker" | "parent" | undefined;

function protection(manifest: boolean, metadata: Readonly<Record<string, string>> | undefined): Protection {
  if (manifest) return "manifest";
  return isProtected(metadata) ? "marker" : undefined;
}

function destructive(c: Change, protect: Protection, loses: Change["loses"], extra: string[] = []): Change {
  const reasons = [...c.reasons, ...extra];
  switch (protect) {
    case "manifest":
      reasons.push("protect: true forbids deleting or replacing it: the step is blocked");
      break;
    case "marker":
      reasons.push(
        `it was applied with protect: true (metadata ${PROTECT_KEY}), so it is never deleted or replaced: the step is blocked. To delete it, declare it again with protect: false, apply, then remove it`,
      );
      break;
    case "parent":
      reasons.push(
        `the ${c.action === "delete" ? "deletion" : "replacement"} of its stream is blocked, so this step is blocked too`,
      );
      break;
  }
  return makeChange({
    ...c,
    stream: c.stream,
    diff: [...c.diff],
    before: c.before,
    after: c.after,
    destructive: true,
    blocked: protect !== undefined,
    reasons,
    ...(loses && Object.keys(loses).length > 0 ? { loses } : {}),
  });
}

function lossOf(obs: ObservedStream): { messages?: number; bytes?: number } {
  return obs.state ? { messages: obs.state.messages, bytes: obs.state.bytes } : {};
}

function summarise(changes: readonly Change[]): PlanSummary {
  const s = { create: 0, update: 0, replace: 0, delete: 0, no_op: 0 };
  for (const c of changes) {
    if (c.action === "no-op") s.no_op++;
    else s[c.action]++;
  }
  return s;
}

function at(
  r: { address: string; origin: Origin },
  path: string,
  severity: "error" | "warning",
  code: string,
  message: string,
): Diagnostic {
  return {
    severity,
    pos: path ? r.origin.fieldPos(path) : r.origin.pos,
    address: r.address,
    ...(path ? { path } : {}),
    code,
    message,
  };
}

function ownerConflict(
  r: { address: string; origin: Origin },
  theirs: string,
  ours: string | undefined,
): Diagnostic {
  const mine = ours === undefined ? "this manifest has no owner" : `this manifest's owner is "${ours}"`;
  return at(
    r,
    "",
    "error",
    "plan.owner-conflict",
    `${r.address} belongs to owner "${theirs}" (its metadata jsplan.owner), and ${mine}; manage it from one manifest only, or change its jsplan.owner metadata to move it`,
  );
}

function sortByPlace(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => {
    const fa = a.pos?.file ?? "\uffff";
    const fb = b.pos?.file ?? "\uffff";
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.pos?.line ?? 0) - (b.pos?.line ?? 0) || (a.pos?.col ?? 0) - (b.pos?.col ?? 0);
  });
}

function toPlanDiagnostic(d: Diagnostic): PlanDiagnostic {
  return {
    severity: d.severity,
    address: d.address ?? null,
    file: d.pos?.file ?? null,
    line: d.pos?.line ?? null,
    column: d.pos?.col ?? null,
    message: d.message,
  };
}

/**
 * True when a live config is exactly the config jsplan sent, apart from the server's own `_nats.*`
 * metadata keys: then it is canonical already and equal to what the plan wants.
 */
function sameAsSent(live: object, sent: object): boolean {
  const l = live as Record<string, unknown>;
  const s = sent as Record<string, unknown>;
  let keys = 0;
  for (const k in l) {
    if (k === "metadata") continue;
    keys++;
    if (!(k in s) || !jsonEqual(l[k], s[k])) return false;
  }
  if (keys !== Object.keys(s).length - ("metadata" in s ? 1 : 0)) return false;
  const lm = (l.metadata ?? {}) as Record<string, string>;
  const sm = (s.metadata ?? {}) as Record<string, string>;
  let userKeys = 0;
  for (const k in lm) {
    if (k.startsWith("_nats.")) continue;
    userKeys++;
    if (sm[k] !== lm[k]) return false;
  }
  return userKeys === Object.keys(sm).length;
}
