// The plan stage: desired state + observed state → Plan. Pure and synchronous: no I/O, no clock, no
// client library. Every decision it makes is written into the plan (reasons, blocked steps, unmanaged
// resources), so that renderers and apply need nothing else.

import type { ResourceKind } from "../model/address.js";
import type { DesiredConsumer, DesiredState, DesiredStream } from "../model/desired.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { ConsumerConfig, StreamConfig } from "../model/jetstream.js";
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
import { parseVersion, type Version } from "../model/version.js";
import { alignConsumer, alignStream } from "./align.js";
import { type ConsumerContext, canonicalConsumer } from "./canonical-consumer.js";
import { canonicalStream } from "./canonical-stream.js";
import { classifyChange } from "./classify.js";
import { diffConfigs } from "./field-diff.js";
import { orderSteps, targetClosure } from "./order.js";
import { isProtected, ownership, withMarkers } from "./ownership.js";
import { checkConsumerSupport, checkStreamSupport } from "./support.js";

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

/** Streams behind KV buckets and object stores: jsplan manages them only as buckets. */
export function isBucketStream(name: string): boolean {
  return name.startsWith("KV_") || name.startsWith("OBJ_");
}

const isSet = (v: unknown) => v !== undefined;

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

  for (const s of desired.streams) errors.push(...checkStreamSupport(s, version, clustered));
  for (const k of desired.consumers) errors.push(...checkConsumerSupport(k, version, clustered));

  const desiredStreams = new Map(desired.streams.map((s) => [s.name, s]));
  const desiredConsumers = new Map(desired.consumers.map((k) => [k.address, k]));

  const originAllowDirect = (cfg: StreamConfig, side: "desired" | "observed"): boolean | undefined => {
    if (!cfg.mirror || cfg.mirror.external) return undefined;
    const origin = cfg.mirror.name;
    const d = side === "desired" ? desiredStreams.get(origin) : undefined;
    if (d) return Boolean(d.config.allow_direct);
    const o = observed.streams.get(origin);
    return o ? Boolean(o.config.allow_direct) : undefined;
  };
  const desiredStreamCanon = new Map<string, StreamConfig>();
  for (const s of desired.streams) {
    const cfg = { ...s.config, metadata: withMarkers(s.config.metadata, owner, s.protect) } as StreamConfig;
    desiredStreamCanon.set(
      s.name,
      canonicalStream(cfg, { version, originAllowDirect: originAllowDirect(s.config, "desired") }),
    );
  }
  const observedStreamCanon = (o: ObservedStream) =>
    canonicalStream(o.config, { version, originAllowDirect: originAllowDirect(o.config, "observed") });

  const consumersOf = new Map<string, ObservedConsumer[]>();
  for (const c of observed.consumers.values()) {
    const list = consumersOf.get(c.stream);
    if (list) list.push(c);
    else consumersOf.set(c.stream, [c]);
  }

  // --- desired streams -------------------------------------------------------------------------------
  const streamAction = new Map<string, Change["action"]>();
  for (const s of desired.streams) {
    const down = unavailable.get(s.name);
    if (down) {
      errors.push(
        resourceError(
          s,
          "plan.unavailable",
          `stream ${s.name} is unavailable (${down.reason}); jsplan will not plan a create or delete for it. Try again when its servers are back, or leave it out with --target`,
        ),
      );
      continue;
    }
    const after = desiredStreamCanon.get(s.name)!;
    const obs = observed.streams.get(s.name);
    if (!obs) {
      if (after.sealed) {
        errors.push(
          fieldError(
            s,
            "sealed",
            "plan.sealed-create",
            "a stream cannot be created sealed: create it first, then add sealed: true and apply again",
          ),
        );
        continue;
      }
      changes.push(createChange("stream", s.address, s.name, undefined, after));
      streamAction.set(s.name, "create");
      continue;
    }
    const own = ownership(obs.config.metadata, owner);
    if (own.kind === "other") {
      errors.push(ownerConflict(s, own.owner, owner));
      continue;
    }
    const before = observedStreamCanon(obs);
    const change = compare(
      "stream",
      s.address,
      s.name,
      undefined,
      before,
      alignStream(after, before),
      version,
      own.kind === "unmarked" ? owner : undefined,
    );
    if (change.diff.some((d) => d.path === "compression")) {
      warnings.push(
        fieldWarning(
          s,
          "compression",
          "plan.compression",
          "a new compression setting applies to data written after the server's next restart; stored data keeps its compression",
        ),
      );
    }
    if (change.action === "replace") {
      const live = consumersOf.get(s.name) ?? [];
      const lost = live
        .filter((c) => !desiredConsumers.has(`consumer.${s.name}.${c.name}`))
        .map((c) => c.name);
      const extra: string[] = [];
      if (live.length > 0)
        extra.push(
          `replacing the stream deletes its ${plural(live.length, "consumer")}; those in the manifest are created again`,
        );
      if (lost.length > 0) extra.push(`not in the manifest, so lost for good: ${lost.join(", ")}`);
      changes.push(
        destructive(
          change,
          s.protect || isProtected(obs.config.metadata),
          { ...lossOf(obs), consumers: live.map((c) => c.name) },
          extra,
        ),
      );
    } else {
      changes.push(change);
    }
    streamAction.set(s.name, change.action);
  }

  // --- desired consumers -----------------------------------------------------------------------------
  for (const k of desired.consumers) {
    const down = unavailable.get(k.stream);
    if (down) {
      errors.push(
        resourceError(
          k,
          "plan.unavailable",
          `stream ${k.stream} is unavailable (${down.reason}); its consumers cannot be planned now`,
        ),
      );
      continue;
    }
    const ds = desiredStreams.get(k.stream);
    const os = observed.streams.get(k.stream);
    if (!ds && !os) {
      errors.push(
        resourceError(
          k,
          "plan.no-stream",
          `stream ${k.stream} does not exist on the server and is not in the manifest; add the stream to the manifest or fix the name`,
        ),
      );
      continue;
    }
    if (ds && !desiredStreamCanon.has(k.stream)) continue;
    const limits = ds ? desiredStreamCanon.get(k.stream)!.consumer_limits : os!.config.consumer_limits;
    const ctx: ConsumerContext = {
      version,
      ...(limits ? { streamLimits: limits } : {}),
      ...(observed.limits.max_ack_pending ? { accountMaxAckPending: observed.limits.max_ack_pending } : {}),
    };
    const after = canonicalConsumer(
      { ...k.config, metadata: withMarkers(k.config.metadata, owner, k.protect) } as ConsumerConfig,
      ctx,
    );
    const obs = observed.consumers.get(k.address);
    const parent = streamAction.get(k.stream);
    if (!obs || parent === "create") {
      changes.push(createChange("consumer", k.address, k.name, k.stream, after));
      continue;
    }
    const own = ownership(obs.config.metadata, owner);
    if (own.kind === "other") {
      errors.push(ownerConflict(k, own.owner, owner));
      continue;
    }
    const before = canonicalConsumer(obs.config, ctx);
    const aligned = alignConsumer(after, before);
    // pause_until is honoured only when a consumer is created; an existing one is paused through its own API.
    if (aligned.pause_until !== before.pause_until) {
      if (aligned.pause_until !== undefined) {
        warnings.push(
          fieldWarning(
            k,
            "pause_until",
            "plan.pause-until",
            "pause_until only applies when the consumer is created; this existing consumer is left as it is (pause it with `nats consumer pause`)",
          ),
        );
      }
      delete (aligned as Record<string, unknown>).pause_until;
      delete (before as Record<string, unknown>).pause_until;
    }
    let change = compare(
      "consumer",
      k.address,
      k.name,
      k.stream,
      before,
      aligned,
      version,
      own.kind === "unmarked" ? owner : undefined,
    );
    if (parent === "replace") {
      change = {
        ...change,
        action: "replace",
        reasons: [...change.reasons, `stream ${k.stream} is replaced, which deletes its consumers`],
      } as Change;
    }
    if (change.action === "replace")
      change = destructive(change, k.protect || isProtected(obs.config.metadata), {});
    changes.push(change);
  }

  // --- live resources the manifest does not declare -----------------------------------------------
  const deletedStreams = new Set<string>();
  for (const obs of observed.streams.values()) {
    if (desiredStreams.has(obs.name)) continue;
    const address = `stream.${obs.name}`;
    if (isBucketStream(obs.name) || ownership(obs.config.metadata, owner).kind !== "ours") {
      unmanaged.push(address);
      continue;
    }
    const live = consumersOf.get(obs.name) ?? [];
    const others = live.filter((c) => ownership(c.config.metadata, owner).kind !== "ours").map((c) => c.name);
    changes.push(
      destructive(
        deleteChange(
          "stream",
          address,
          obs.name,
          undefined,
          observedStreamCanon(obs),
          `stream ${obs.name} carries this manifest's owner marker (${owner}) and is no longer in the manifest`,
        ),
        isProtected(obs.config.metadata),
        { ...lossOf(obs), consumers: live.map((c) => c.name) },
        others.length > 0
          ? [
              `deleting the stream also deletes ${plural(others.length, "consumer")} that this manifest does not manage: ${others.join(", ")}`,
            ]
          : [],
      ),
    );
    deletedStreams.add(obs.name);
  }
  for (const u of observed.unavailable) {
    if (!desiredStreams.has(u.name)) {
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
    if (desiredConsumers.has(address)) continue;
    const own = ownership(c.config.metadata, owner);
    if (own.kind !== "ours") {
      unmanaged.push(address);
      continue;
    }
    const s = observed.streams.get(c.stream);
    const limits = s?.config.consumer_limits;
    const before = canonicalConsumer(c.config, { version, ...(limits ? { streamLimits: limits } : {}) });
    const why = deletedStreams.has(c.stream)
      ? `its stream ${c.stream} is deleted`
      : `consumer ${c.stream}.${c.name} carries this manifest's owner marker (${owner}) and is no longer in the manifest`;
    changes.push(
      destructive(
        deleteChange("consumer", address, c.name, c.stream, before, why),
        isProtected(c.config.metadata),
        {},
      ),
    );
  }

  if (errors.length > 0) return { diagnostics: [...errors, ...warnings] };

  changes.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const workQueues = new Set(
    desired.streams.filter((s) => s.config.retention === "workqueue").map((s) => s.name),
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
            message: `--target ${t}: no such resource in the manifest or on the server (addresses look like stream.NAME, consumer.STREAM.NAME)`,
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
    warnings: warnings.map(toPlanDiagnostic),
  };
  return { plan, diagnostics: warnings };
}

function summarise(changes: readonly Change[]): PlanSummary {
  const s = { create: 0, update: 0, replace: 0, delete: 0, no_op: 0 };
  for (const c of changes) {
    if (c.action === "no-op") s.no_op++;
    else s[c.action]++;
  }
  return s;
}

function compare(
  kind: ResourceKind,
  address: string,
  name: string,
  stream: string | undefined,
  before: StreamConfig | ConsumerConfig,
  after: StreamConfig | ConsumerConfig,
  version: Version,
  adoptingFor: string | undefined,
): Change {
  const raw = diffConfigs(before, after).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const reasons: string[] = [];
  const diff: FieldChange[] = raw.map((r) => {
    const cls = classifyChange(kind, r, version);
    const adoption = adoptingFor !== undefined && r.path === 'metadata["jsplan.owner"]';
    const reason = adoption ? `adopted: jsplan marks it as owned by ${adoptingFor}` : cls.reason;
    if (cls.forcesReplace && cls.reason) reasons.push(`${r.path}: ${cls.reason}`);
    return {
      path: r.path,
      ...(isSet(r.before) ? { before: r.before } : {}),
      ...(isSet(r.after) ? { after: r.after } : {}),
      forces_replace: cls.forcesReplace,
      ...(reason ? { reason } : {}),
    };
  });
  if (adoptingFor !== undefined)
    reasons.push(
      `adopting an existing ${kind === "consumer" ? "consumer" : "stream"}: its first apply stamps metadata jsplan.owner=${adoptingFor}`,
    );
  const base = {
    address,
    kind,
    name,
    ...(stream ? { stream } : {}),
    destructive: false,
    blocked: false,
    diff,
    before: before as WireConfig,
    after: after as WireConfig,
  };
  if (raw.length === 0) return { ...base, action: "no-op", reasons: [] };
  if (diff.some((d) => d.forces_replace)) return { ...base, action: "replace", destructive: true, reasons };
  return { ...base, action: "update", reasons };
}

function createChange(
  kind: ResourceKind,
  address: string,
  name: string,
  stream: string | undefined,
  after: object,
): Change {
  return {
    address,
    kind,
    name,
    ...(stream ? { stream } : {}),
    action: "create",
    destructive: false,
    blocked: false,
    reasons: [],
    diff: [],
    before: null,
    after: after as WireConfig,
  };
}

function deleteChange(
  kind: ResourceKind,
  address: string,
  name: string,
  stream: string | undefined,
  before: object,
  reason: string,
): Change {
  return {
    address,
    kind,
    name,
    ...(stream ? { stream } : {}),
    action: "delete",
    destructive: true,
    blocked: false,
    reasons: [reason],
    diff: [],
    before: before as WireConfig,
    after: null,
  };
}

function destructive(change: Change, protect: boolean, loses: Change["loses"], extra: string[] = []): Change {
  const reasons = [...change.reasons, ...extra];
  if (protect) reasons.push("protect: true forbids deleting or replacing it: the step is blocked");
  return {
    ...change,
    destructive: true,
    blocked: protect,
    reasons,
    ...(loses && Object.keys(loses).length > 0 ? { loses } : {}),
  } as Change;
}

function lossOf(obs: ObservedStream): { messages?: number; bytes?: number } {
  return obs.state ? { messages: obs.state.messages, bytes: obs.state.bytes } : {};
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function resourceError(r: DesiredStream | DesiredConsumer, code: string, message: string): Diagnostic {
  return { severity: "error", pos: r.origin.pos, address: r.address, code, message };
}

function fieldError(
  r: DesiredStream | DesiredConsumer,
  path: string,
  code: string,
  message: string,
): Diagnostic {
  return { severity: "error", pos: r.origin.fieldPos(path), address: r.address, path, code, message };
}

function fieldWarning(
  r: DesiredStream | DesiredConsumer,
  path: string,
  code: string,
  message: string,
): Diagnostic {
  return { severity: "warning", pos: r.origin.fieldPos(path), address: r.address, path, code, message };
}

function ownerConflict(
  r: DesiredStream | DesiredConsumer,
  theirs: string,
  ours: string | undefined,
): Diagnostic {
  const mine = ours === undefined ? "this manifest has no owner" : `this manifest's owner is "${ours}"`;
  return resourceError(
    r,
    "plan.owner-conflict",
    `${r.address} belongs to owner "${theirs}" (its metadata jsplan.owner), and ${mine}; manage it from one manifest only, or change its jsplan.owner metadata to move it`,
  );
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
