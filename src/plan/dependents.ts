// Mirrors and sources of a stream that the plan replaces or deletes. Measured on nats-server 2.10.27 and
// 2.15.1: a mirror of a deleted-and-created-again origin stalls for good (the new origin starts again at
// sequence 1, and the mirror waits for the sequence after its last); a source does the same on 2.10, while
// 2.15 sees the new origin (by its creation time) and reads it from its start. So a mirror in the manifest
// is replaced after its origin (its copy of the old origin goes with it), and every other dependent is named
// with its fate.

import { streamAddress } from "../model/address.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { localOrigins } from "../model/jetstream.js";
import type { ObservedStream } from "../model/observed.js";
import { type Change, type Reason, streamSide } from "../model/plan.js";
import { atLeast } from "../model/version.js";
import { withReasons } from "./changes.js";
import type { PlanContext } from "./context.js";
import { at } from "./diagnostics.js";
import type { StreamResource } from "./resources.js";

const originReplaced = (origin: string): Reason => ({
  code: "origin-replaced",
  path: "mirror",
  message: `its origin ${origin} is replaced, and a mirror of a stream created again stalls for good (the new ${origin} starts at sequence 1), so the mirror is replaced after it: it then copies the new ${origin} from its start`,
});

const stalled = (origin: string, mine: number, theirs: number): Reason => ({
  code: "mirror-stalled",
  path: "mirror",
  message: `it is stalled for good: it holds ${origin} up to sequence ${mine}, and ${origin} now ends at ${theirs} (it was created again), so the mirror is replaced: it then copies ${origin} from its start`,
});

/**
 * A live mirror that holds messages up to a sequence its origin has not reached: the origin was deleted and
 * created again (a purge keeps the sequence numbers), and the mirror waits for a sequence that will not come.
 */
export function stalledMirror(ctx: PlanContext, name: string): { mine: number; theirs: number } | undefined {
  const obs = ctx.observed.streams.get(name);
  const origin = obs?.config.mirror;
  if (!obs || !origin || origin.external) return undefined;
  // An empty mirror proves nothing: one with opt_start_seq counts from there before it holds anything.
  if (!obs.state || obs.state.messages === 0) return undefined;
  const mine = obs.state.last_seq;
  const theirs = ctx.observed.streams.get(origin.name)?.state?.last_seq;
  return mine !== undefined && theirs !== undefined && mine > theirs ? { mine, theirs } : undefined;
}

/**
 * A mirror in the manifest whose origin is replaced, or that is stalled on an origin created again, is
 * replaced (run once the streams are planned).
 */
export function cascadeMirrors(
  ctx: PlanContext,
  replace: (r: StreamResource, obs: ObservedStream, change: Change) => Change,
): void {
  for (const [name, c] of ctx.streamChange) {
    if (c.action !== "update" && c.action !== "no-op") continue;
    const origin = streamSide(c, "after")!.mirror;
    if (!origin || origin.external) continue;
    const parent = ctx.streamChange.get(origin.name);
    const obs = ctx.observed.streams.get(name);
    const r = ctx.wantedByStream.get(name);
    const stall = parent?.action === "replace" ? undefined : stalledMirror(ctx, name);
    if (!obs || !r || ((parent?.action !== "replace" || parent.blocked) && !stall)) continue;
    const why = stall ? stalled(origin.name, stall.mine, stall.theirs) : originReplaced(origin.name);
    const replaced = replace(r, obs, withReasons(c, [why], "replace"));
    ctx.streamChange.set(name, replaced);
    const i = ctx.changes.indexOf(c);
    if (i >= 0) ctx.changes[i] = replaced;
  }
}

/** The live mirrors and sources of a replaced or deleted stream that stay as they are, and what happens to them. */
export function dependentWarnings(ctx: PlanContext, changes: readonly Change[]): Diagnostic[] {
  const gone = new Map<string, Change>();
  for (const c of changes)
    if (c.kind !== "consumer" && !c.blocked && (c.action === "replace" || c.action === "delete"))
      gone.set(String(c.before?.name ?? c.name), c);
  if (gone.size === 0) return stalledUnmanaged(ctx);
  const fates = new Map<string, string[]>();
  for (const o of ctx.observed.streams.values()) {
    if (gone.has(o.name)) continue;
    for (const src of localOrigins(o.config)) {
      const c = gone.get(src.name);
      if (!c) continue;
      const list = fates.get(src.name) ?? [];
      list.push(fateOf(ctx, o.name, Boolean(o.config.mirror), c.action));
      fates.set(src.name, list);
    }
  }
  const out: Diagnostic[] = stalledUnmanaged(ctx);
  for (const [origin, list] of fates) {
    const r = ctx.wantedByStream.get(origin);
    const c = gone.get(origin)!;
    const message = `${c.action === "replace" ? "replacing" : "deleting"} ${origin} leaves its dependents behind: ${list.join("; ")}`;
    out.push(
      r
        ? at(r, "", "warning", "plan.dependents-left-behind", message)
        : { severity: "warning", address: c.address, code: "plan.dependents-left-behind", message },
    );
  }
  return out;
}

/** Live mirrors this manifest does not manage that are stalled on an origin created again: said, not fixed. */
function stalledUnmanaged(ctx: PlanContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const o of ctx.observed.streams.values()) {
    if (ctx.wantedByStream.has(o.name)) continue;
    const stall = stalledMirror(ctx, o.name);
    if (!stall) continue;
    const origin = o.config.mirror!.name;
    out.push({
      severity: "warning",
      address: streamAddress(o.name),
      code: "plan.mirror-stalled",
      message: `stream ${o.name} (not managed by this manifest) mirrors ${origin} and is stalled for good: it holds ${origin} up to sequence ${stall.mine}, and ${origin} now ends at ${stall.theirs} (it was created again). Delete ${o.name} and create it again to mirror the new ${origin}`,
    });
  }
  return out;
}

function fateOf(ctx: PlanContext, name: string, mirror: boolean, action: Change["action"]): string {
  if (action === "delete") return `${name} ${mirror ? "mirrors" : "sources"} it and receives nothing more`;
  if (mirror)
    return `${name} mirrors it and stalls for good on the new stream (sequence 1 again); replace ${name} after this apply (delete it and create it again) to mirror the new stream`;
  if (atLeast(ctx.version, "2.11.0")) return `${name} sources it and reads the new stream from its start`;
  return `${name} sources it and stays stuck on the new stream (nats-server 2.10 does not notice that it was created again)`;
}
