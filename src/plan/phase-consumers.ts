// Phase: the consumers of the manifest, each against its live consumer, after their streams were planned
// (a consumer of a created stream is created; a consumer of a replaced stream is replaced with it).

import { alignConsumer } from "../jetstream/align.js";
import { type ConsumerContext, canonicalConsumer } from "../jetstream/canonical-consumer.js";
import { classifyConsumerChange } from "../jetstream/classify-consumer.js";
import { jsonEqual } from "../jetstream/field-diff.js";
import { ownership, withMarkers } from "../jetstream/ownership.js";
import type { DesiredConsumer } from "../model/desired.js";
import type { ConsumerConfig } from "../model/jetstream.js";
import type { ObservedConsumer } from "../model/observed.js";
import type { Change } from "../model/plan.js";
import { atLeast } from "../model/version.js";
import { compare, createChange, destructive, noOpChange, protection, withReasons } from "./changes.js";
import type { PlanContext } from "./context.js";
import { at, ownerConflict } from "./diagnostics.js";
import { withLiveValues, withoutIgnored } from "./ignore-changes.js";
import { message, reason } from "./messages.js";

export function planConsumers(ctx: PlanContext): void {
  for (const k of ctx.desired.consumers) {
    if (!ctx.inScope(k.address)) continue;
    const change = planConsumer(ctx, k);
    if (change) ctx.changes.push(change);
  }
}

function planConsumer(ctx: PlanContext, k: DesiredConsumer): Change | undefined {
  const down = ctx.unavailable.get(k.stream);
  if (down) {
    ctx.errors.push(
      at(k, "", "error", "plan.unavailable", message.consumersUnavailable(k.stream, down.reason)),
    );
    return undefined;
  }
  const ds = ctx.wantedByStream.get(k.stream);
  const os = ctx.observed.streams.get(k.stream);
  if (!ds && !os) {
    ctx.errors.push(at(k, "", "error", "plan.no-stream", message.noStream(k.stream)));
    return undefined;
  }
  const limits = ds ? ctx.desiredCanon.get(k.stream)!.consumer_limits : os!.config.consumer_limits;
  const cctx: ConsumerContext = {
    version: ctx.version,
    ...(limits ? { streamLimits: limits } : {}),
    ...(ctx.observed.limits.max_ack_pending
      ? { accountMaxAckPending: ctx.observed.limits.max_ack_pending }
      : {}),
  };
  const after = canonicalConsumer(k.config, cctx, withMarkers(k.config.metadata, ctx.owner, k.protect));
  const obs = ctx.observed.consumers.get(k.address);
  const parent = ctx.streamChange.get(k.stream);
  if (!obs || parent?.action === "create") return createChange(k, after);
  const own = ownership(obs.config.metadata, ctx.owner);
  if (own.kind === "other") {
    ctx.errors.push(ownerConflict(k, own.owner, ctx.owner));
    return undefined;
  }
  // The common case, a consumer jsplan itself applied and nobody changed: the server holds exactly what
  // was sent (plus its own metadata keys). Nothing to normalise or compare field by field.
  if (parent?.action !== "replace" && sameAsSent(obs.config, after))
    return noOpChange({ ...k, created: obs.created }, after);
  return compareConsumer(
    ctx,
    k,
    obs,
    canonicalConsumer(obs.config, cctx),
    after,
    own.kind === "unmarked",
    parent,
  );
}

function compareConsumer(
  ctx: PlanContext,
  k: DesiredConsumer,
  obs: ObservedConsumer,
  before: ConsumerConfig,
  after: ConsumerConfig,
  unmarked: boolean,
  parent: Change | undefined,
): Change {
  const aligned = alignPause(ctx, k, alignConsumer(after, before), before);
  const run = (wanted: ConsumerConfig) =>
    compare(
      { ...k, created: obs.created, liveConfig: obs.config },
      before,
      wanted,
      classifyConsumerChange,
      unmarked ? ctx.owner : undefined,
    );
  const compared = withoutIgnored(run(aligned), k.ignoreChanges, (entries) =>
    run(withLiveValues(aligned, before, entries)),
  );
  if (compared.ignored.length > 0)
    ctx.warnings.push(
      at(k, "ignore_changes", "warning", "plan.ignored-changes", message.ignoredChanges(compared.ignored)),
    );
  let change = compared.change;
  if (parent?.action === "replace")
    change = withReasons(change, [reason.parentReplaced(k.stream)], "replace");
  if (change.action !== "replace") return change;
  const blockedParent = parent?.action === "replace" && parent.blocked;
  return destructive(change, blockedParent ? "parent" : protection(k.protect, obs.config.metadata), {}, [
    reason.consumerStateLost,
  ]);
}

/**
 * pause_until of an existing consumer: the server ignores it in an update and sets it through its pause API
 * (2.11+), which apply calls when the plan changes it. What counts is whether the consumer is paused and
 * until when, at the time the state was read: a pause_until that has passed is no pause, on either side, so
 * it is never a perpetual difference. Returns the desired config with pause_until as it should be.
 */
function alignPause(
  ctx: PlanContext,
  k: DesiredConsumer,
  aligned: ConsumerConfig,
  before: ConsumerConfig,
): ConsumerConfig {
  const out = { ...aligned };
  if (!atLeast(ctx.version, "2.11.0")) {
    // No pause API: leave whatever the server holds (the support checks refuse pause_until there).
    if (before.pause_until === undefined) delete out.pause_until;
    else out.pause_until = before.pause_until;
    return out;
  }
  const now = Date.parse(ctx.observed.streams.get(k.stream)?.observedAt ?? ctx.observed.readAt ?? "");
  const pausedUntil = (t: string | undefined) =>
    t !== undefined && (Number.isNaN(now) || Date.parse(t) > now) ? Date.parse(t) : undefined;
  const wanted = pausedUntil(aligned.pause_until);
  const live = pausedUntil(before.pause_until);
  if (wanted === live) {
    if (before.pause_until === undefined) delete out.pause_until;
    else out.pause_until = before.pause_until;
  } else if (wanted === undefined) {
    // Resumed (the manifest's pause has passed, or it has none).
    delete out.pause_until;
  }
  return out;
}

/**
 * True when a live config is exactly the config jsplan sent, apart from the server's own `_nats.*`
 * metadata keys: then it is canonical already and equal to what the plan wants.
 */
function sameAsSent(live: object, sent: object): boolean {
  const l = live as Record<string, unknown>;
  const s = sent as Record<string, unknown>;
  let keys = 0;
  for (const key in l) {
    if (key === "metadata") continue;
    keys++;
    if (!(key in s) || !jsonEqual(l[key], s[key])) return false;
  }
  if (keys !== Object.keys(s).length - ("metadata" in s ? 1 : 0)) return false;
  const lm = (l.metadata ?? {}) as Record<string, string>;
  const sm = (s.metadata ?? {}) as Record<string, string>;
  let userKeys = 0;
  for (const key in lm) {
    if (key.startsWith("_nats.")) continue;
    userKeys++;
    if (sm[key] !== lm[key]) return false;
  }
  return userKeys === Object.keys(sm).length;
}
