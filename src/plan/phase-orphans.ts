// Phase: live resources the manifest does not declare. jsplan deletes those that carry this manifest's
// owner marker, lists every other one as unmanaged, and never touches those.

import { bucketAddressOf } from "../jetstream/buckets.js";
import { canonicalConsumer } from "../jetstream/canonical-consumer.js";
import { isProtected, ownership } from "../jetstream/ownership.js";
import { consumerAddress, streamAddress } from "../model/address.js";
import type { ObservedConsumer, ObservedStream } from "../model/observed.js";
import { deleteChange, destructive, lossOf, protection } from "./changes.js";
import type { PlanContext } from "./context.js";
import { message, reason } from "./messages.js";

/** What the orphans phase leaves for later phases: the unmanaged addresses. */
export interface Orphans {
  readonly unmanaged: string[];
}

export function planOrphans(ctx: PlanContext): Orphans {
  const unmanaged: string[] = [];
  // Streams that go away in this plan (replaced or deleted), and those whose deletion is blocked: their
  // consumers' deletions are blocked with them.
  const gone = new Set<string>();
  const blocked = new Set<string>();
  for (const s of ctx.wanted)
    if (ctx.streamChange.get(s.streamName)?.action === "replace") gone.add(s.streamName);
  for (const obs of ctx.observed.streams.values()) {
    if (ctx.wantedByStream.has(obs.name)) continue;
    const address = bucketAddressOf(obs.name)?.address ?? streamAddress(obs.name);
    if (!ctx.inScope(address)) continue;
    if (ownership(obs.config.metadata, ctx.owner).kind !== "ours") {
      unmanaged.push(address);
      continue;
    }
    deleteStream(ctx, obs);
    gone.add(obs.name);
    if (isProtected(obs.config.metadata)) blocked.add(obs.name);
  }
  for (const u of ctx.observed.unavailable) {
    if (!ctx.wantedByStream.has(u.name)) {
      ctx.warnings.push({
        severity: "warning",
        address: streamAddress(u.name),
        code: "plan.unavailable",
        message: message.unavailableLeftAlone(u.name, u.reason),
      });
    }
  }
  for (const c of ctx.observed.consumers.values()) {
    const address = consumerAddress(c.stream, c.name);
    if (ctx.desiredConsumers.has(address) || !ctx.inScope(address)) continue;
    if (ownership(c.config.metadata, ctx.owner).kind !== "ours") {
      // Consumers that go with their stream are named in that stream's change, not "left alone".
      if (!gone.has(c.stream)) unmanaged.push(address);
      continue;
    }
    deleteConsumer(ctx, c, gone, blocked);
  }
  return { unmanaged };
}

function deleteStream(ctx: PlanContext, obs: ObservedStream): void {
  const bucket = bucketAddressOf(obs.name);
  const live = ctx.consumersOf.get(obs.name) ?? [];
  const others = live
    .filter((c) => ownership(c.config.metadata, ctx.owner).kind !== "ours")
    .map((c) => c.name);
  const what = bucket
    ? bucket.kind === "kv"
      ? `KV bucket ${bucket.bucket}`
      : `object store ${bucket.bucket}`
    : `stream ${obs.name}`;
  const subject = {
    kind: bucket?.kind ?? ("stream" as const),
    address: bucket?.address ?? streamAddress(obs.name),
    name: bucket?.bucket ?? obs.name,
    created: obs.created,
    liveConfig: obs.config,
  };
  ctx.changes.push(
    destructive(
      deleteChange(subject, ctx.observedCanon(obs), reason.ownedNotDeclared(what, ctx.owner)),
      protection(false, obs.config.metadata),
      { ...lossOf(obs), consumers: live.map((c) => c.name) },
      others.length > 0 ? [reason.deletesUnmanagedConsumers(others)] : [],
    ),
  );
}

function deleteConsumer(
  ctx: PlanContext,
  c: ObservedConsumer,
  gone: ReadonlySet<string>,
  blocked: ReadonlySet<string>,
): void {
  const limits = ctx.observed.streams.get(c.stream)?.config.consumer_limits;
  const before = canonicalConsumer(c.config, {
    version: ctx.version,
    ...(limits ? { streamLimits: limits } : {}),
  });
  const why =
    gone.has(c.stream) && !ctx.wantedByStream.has(c.stream)
      ? reason.streamDeleted(c.stream)
      : reason.ownedNotDeclared(`consumer ${c.stream}.${c.name}`, ctx.owner);
  const subject = {
    kind: "consumer" as const,
    address: consumerAddress(c.stream, c.name),
    name: c.name,
    stream: c.stream,
    created: c.created,
    liveConfig: c.config,
  };
  ctx.changes.push(
    destructive(
      deleteChange(subject, before, why),
      blocked.has(c.stream) ? "parent" : protection(false, c.config.metadata),
      {},
    ),
  );
}
