// Phase: preflight. The steps in execution order against what the account will hold when each runs, by the
// account's limits as the server enforces them: a plan that passes is an apply the server takes. Arithmetic
// on state that observe has read already; errors for steps the server would refuse, a warning where what
// decides a refusal cannot be read.

import type { ConsumerConfig } from "../../model/jetstream.js";
import type { ObservedState } from "../../model/observed.js";
import type { Change, Step } from "../../model/plan.js";
import { parseVersion } from "../../model/version.js";
import type { PlanContext } from "../context.js";
import { dependentWarnings } from "../dependents.js";
import { at } from "../diagnostics.js";
import type { Ordered } from "../ordering.js";
import { consumerStep } from "./consumer-steps.js";
import { Findings, locate } from "./findings.js";
import { Ledger } from "./ledger.js";
import { checkLiveOverlaps } from "./overlaps.js";
import { checkReplicas } from "./replicas.js";
import { checkSilentRewrites } from "./rewrites.js";
import { streamStep } from "./stream-steps.js";

/**
 * Adds its errors and warnings to `ctx`; returns the steps with the deletions that a step counts on added to
 * its `depends_on`, so that apply, which runs independent steps together, never starts it before them.
 */
export function preflight(ctx: PlanContext, ordered: Ordered): Ordered {
  ctx.errors.push(...checkLiveOverlaps(ctx, ordered), ...checkReplicas(ctx, ordered));
  ctx.warnings.push(...checkSilentRewrites(ctx), ...dependentWarnings(ctx, ordered.changes));
  const { findings, needs } = checkSteps(
    ctx.observed,
    ordered,
    (address) => ctx.desiredConsumers.get(address)?.config,
  );
  ctx.errors.push(...findings.diagnostics(ctx));
  capacityWarning(ctx, ordered.changes);
  if (needs.size === 0) return ordered;
  const steps = ordered.steps.map((s) => {
    const more = needs.get(s.address);
    if (!more) return s;
    const all = new Set([...s.depends_on, ...more]);
    return all.size === s.depends_on.length ? s : { ...s, depends_on: [...all].sort() };
  });
  return { ...ordered, steps };
}

/**
 * The steps against the account's limits, in their order. `asked`: a consumer's config as the manifest sets
 * it (unknown for a saved plan, whose max_ack_pending is then not checked).
 */
export function checkSteps(
  observed: ObservedState,
  plan: { readonly changes: readonly Change[]; readonly steps: readonly Step[] },
  asked: (address: string) => ConsumerConfig | undefined = () => undefined,
): { findings: Findings; needs: ReadonlyMap<string, ReadonlySet<string>> } {
  const findings = new Findings();
  if (plan.steps.length === 0) return { findings, needs: new Map() };
  const byAddress = new Map(plan.changes.map((c) => [c.address, c]));
  const version = parseVersion(observed.server.version);
  const ledger = new Ledger(observed, version, observed.server.clustered);
  for (const step of plan.steps) {
    const c = byAddress.get(step.address);
    if (!c || c.blocked || c.action === "no-op") continue;
    const found = c.kind === "consumer" ? consumerStep(ledger, c, asked(c.address)) : streamStep(ledger, c);
    for (const f of found) findings.add(f);
  }
  return { findings, needs: ledger.needs };
}

/**
 * A replace deletes before it creates. Where the account sets no limit on the new stream's storage, what
 * decides whether the create is taken is the server's own capacity (jetstream max_memory_store and
 * max_file_store), which only the system account can read: said once, for the replaces that reserve room.
 */
function capacityWarning(ctx: PlanContext, changes: readonly Change[]): void {
  const risky = changes.filter((c) => {
    if (c.kind === "consumer" || c.action !== "replace" || c.blocked) return false;
    const after = c.after as { storage?: string; max_bytes?: number; num_replicas?: number };
    const tiers = ctx.observed.tiers;
    const limits = tiers ? tiers[`R${Math.max(1, after.num_replicas ?? 1)}`] : ctx.observed.limits;
    // No tier for it: the preflight refuses the create already.
    if (!limits) return false;
    const memory = after.storage === "memory";
    const limit = memory ? limits.max_memory : limits.max_storage;
    return (limit === undefined || limit < 0) && (memory || (after.max_bytes ?? -1) > 0);
  });
  const first = risky[0];
  if (!first) return;
  const r = locate(ctx, first.address);
  const what = risky.map((c) => c.address).join(", ");
  const message = `jsplan cannot read how much memory or file storage the server itself has left (only the system account can), and the account sets no limit of its own: if the server cannot hold what the replace of ${what} creates, that create is refused (10028 or 10047) after the delete has run, and the messages are gone. Check the server's jetstream max_memory_store and max_file_store first`;
  ctx.warnings.push(
    r
      ? at(r, "", "warning", "plan.server-capacity-unknown", message)
      : { severity: "warning", code: "plan.server-capacity-unknown", address: first.address, message },
  );
}
