// The drift picture of a plan, for `jsplan watch`: the resources whose live state differs from the manifest,
// each with its action and fields, and what changed between two pictures (drift that appears, changes,
// or goes away), so that watch reports each change of the picture once. Pure.

import type { Action, Plan } from "./plan.js";

export interface DriftField {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface DriftEntry {
  readonly address: string;
  readonly kind: string;
  readonly action: Exclude<Action, "no-op">;
  readonly destructive: boolean;
  readonly fields: readonly DriftField[];
}

/** By address, in the plan's order. */
export type DriftPicture = ReadonlyMap<string, DriftEntry>;

export type DriftReport =
  | { readonly type: "drift"; readonly entry: DriftEntry }
  | { readonly type: "changed"; readonly entry: DriftEntry; readonly was: DriftEntry }
  | { readonly type: "resolved"; readonly entry: DriftEntry };

export function driftPicture(plan: Plan): DriftPicture {
  const out = new Map<string, DriftEntry>();
  for (const c of plan.changes) {
    if (c.action === "no-op") continue;
    out.set(c.address, {
      address: c.address,
      kind: c.kind,
      action: c.action,
      destructive: c.destructive,
      fields: c.diff.map((d) => ({ path: d.path, before: d.before, after: d.after })),
    });
  }
  return out;
}

/** What changed from `prev` to `next`: new drift first, then changed, then resolved, each in address order. */
export function driftChanges(prev: DriftPicture, next: DriftPicture): DriftReport[] {
  const out: DriftReport[] = [];
  for (const [address, entry] of next) {
    const was = prev.get(address);
    if (!was) out.push({ type: "drift", entry });
    else if (!sameEntry(was, entry)) out.push({ type: "changed", entry, was });
  }
  for (const [address, entry] of prev) if (!next.has(address)) out.push({ type: "resolved", entry });
  const rank = { drift: 0, changed: 1, resolved: 2 } as const;
  return out.sort((a, b) => rank[a.type] - rank[b.type] || (a.entry.address < b.entry.address ? -1 : 1));
}

function sameEntry(a: DriftEntry, b: DriftEntry): boolean {
  return (
    a.action === b.action &&
    a.destructive === b.destructive &&
    JSON.stringify(a.fields) === JSON.stringify(b.fields)
  );
}
