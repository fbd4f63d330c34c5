// Phase: the streams, KV buckets and object stores of the manifest, each against its live stream.

import { alignStream } from "../jetstream/align.js";
import { classifyStreamChange } from "../jetstream/classify-stream.js";
import { isProtected, ownership } from "../jetstream/ownership.js";
import { consumerAddress } from "../model/address.js";
import type { StreamConfig } from "../model/jetstream.js";
import type { ObservedStream } from "../model/observed.js";
import { type Change, type Reason, streamSide } from "../model/plan.js";
import { compare, createChange, destructive, lossOf, protection } from "./changes.js";
import type { PlanContext } from "./context.js";
import { cascadeMirrors } from "./dependents.js";
import { at, ownerConflict } from "./diagnostics.js";
import { withLiveValues, withoutIgnored } from "./ignore-changes.js";
import { message, reason } from "./messages.js";
import type { StreamResource } from "./resources.js";
import { trimmingOf } from "./trims.js";

export function planStreams(ctx: PlanContext): void {
  for (const r of ctx.wanted) {
    if (!ctx.inScope(r.address)) continue;
    const change = planStream(ctx, r);
    if (!change) continue;
    ctx.changes.push(change);
    ctx.streamChange.set(r.streamName, change);
  }
  cascadeMirrors(ctx, (r, obs, change) => {
    // A mirror replaced with its origin is created again too, and cannot be created sealed.
    if (change.after?.sealed) refuseSealedReplace(ctx, r, change);
    return replaced(ctx, r, obs, change);
  });
}

/** The change for one stream of the manifest, or undefined (with an error) when it cannot be planned. */
function planStream(ctx: PlanContext, r: StreamResource): Change | undefined {
  const down = ctx.unavailable.get(r.streamName);
  if (down) {
    ctx.errors.push(
      at(r, "", "error", "plan.unavailable", message.streamUnavailable(r.streamName, down.reason)),
    );
    return undefined;
  }
  const after = ctx.desiredCanon.get(r.streamName)!;
  const obs = ctx.observed.streams.get(r.streamName);
  if (!obs) {
    if (after.sealed) {
      ctx.errors.push(at(r, "sealed", "error", "plan.sealed-create", message.sealedCreate));
      return undefined;
    }
    return createChange(r, after);
  }
  const own = ownership(obs.config.metadata, ctx.owner);
  if (own.kind === "other") {
    ctx.errors.push(ownerConflict(r, own.owner, ctx.owner));
    return undefined;
  }
  const before = ctx.observedCanon(obs);
  const change = compareStream(ctx, r, obs, before, alignStream(after, before), own.kind === "unmarked");
  if (change.diff.some((d) => d.path === "compression")) {
    ctx.warnings.push(
      at(r, r.kind === "stream" ? "compression" : "", "warning", "plan.compression", message.compression),
    );
  }
  if (change.action === "update") return trimmed(ctx, change, before, obs);
  if (change.action !== "replace") return change;
  if (change.after?.sealed) {
    refuseSealedReplace(ctx, r, change);
    return undefined;
  }
  return replaced(ctx, r, obs, change);
}

function compareStream(
  ctx: PlanContext,
  r: StreamResource,
  obs: ObservedStream,
  before: StreamConfig,
  after: StreamConfig,
  unmarked: boolean,
): Change {
  // The consumers that are still there when the stream update runs: the orphans phase deletes the others
  // (owned, undeclared, unprotected, in scope), and order.ts runs those deletes first.
  const live = (ctx.consumersOf.get(r.streamName) ?? []).filter((c) => {
    const address = consumerAddress(r.streamName, c.name);
    if (ctx.desiredConsumers.has(address) || !ctx.inScope(address)) return true;
    return ownership(c.config.metadata, ctx.owner).kind !== "ours" || isProtected(c.config.metadata);
  });
  const holds = (f: "max_ack_pending" | "inactive_threshold") =>
    live.some((c) => Boolean(c.config[f]) && c.config[f] !== -1);
  const cls = {
    version: ctx.version,
    before,
    after,
    ...(obs.state?.first_seq !== undefined ? { firstSeq: obs.state.first_seq } : {}),
    consumersHold: {
      max_ack_pending: holds("max_ack_pending"),
      inactive_threshold: holds("inactive_threshold"),
    },
  };
  const subject = { ...r, created: obs.created, liveConfig: obs.config };
  const run = (wanted: StreamConfig) =>
    compare(
      subject,
      before,
      wanted,
      (ch) => classifyStreamChange(ch, { ...cls, after: wanted }),
      unmarked ? ctx.owner : undefined,
    );
  const { change, ignored } = withoutIgnored(run(after), r.source.ignoreChanges, (entries) =>
    run(withLiveValues(after, before, entries)),
  );
  if (ignored.length > 0)
    ctx.warnings.push(
      at(r, "ignore_changes", "warning", "plan.ignored-changes", message.ignoredChanges(ignored)),
    );
  return change;
}

/** A replace creates the stream again, and the server refuses to create a sealed stream. */
function refuseSealedReplace(ctx: PlanContext, r: StreamResource, change: Change): void {
  ctx.errors.push(at(r, "sealed", "error", "plan.sealed-create", message.sealedReplace(change.reasons)));
}

/** An update that lowers a limit below what the stream holds is destructive: it says what it removes. */
function trimmed(ctx: PlanContext, change: Change, before: StreamConfig, obs: ObservedStream): Change {
  const t = trimmingOf(before, streamSide(change, "after")!, obs, ctx.version);
  return t ? destructive(change, undefined, { trims: t.trims }, [t.reason]) : change;
}

/** A replace deletes the stream with its consumers: say which come back and which are lost for good. */
function replaced(ctx: PlanContext, r: StreamResource, obs: ObservedStream, change: Change): Change {
  const live = ctx.consumersOf.get(r.streamName) ?? [];
  const lost = live
    .filter((c) => !ctx.desiredConsumers.has(consumerAddress(r.streamName, c.name)))
    .map((c) => c.name);
  const extra: Reason[] = [];
  if (live.length > 0) extra.push(reason.replaceDeletesConsumers(live.length));
  if (lost.length > 0) extra.push(reason.consumersLost(lost));
  return destructive(
    change,
    protection(r.protect, obs.config.metadata),
    { ...lossOf(obs), consumers: live.map((c) => c.name) },
    extra,
  );
}
