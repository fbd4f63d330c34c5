// The plan stage: desired state + observed state → Plan. Pure and synchronous: no I/O, no clock, no
// client library. Every decision it makes is written into the plan (reasons, blocked steps, unmanaged
// resources), so that renderers and apply need nothing else. It runs in phases over one PlanContext:
//
//   support   fields and replicas the connected server cannot hold
//   streams   the manifest's streams and buckets against the live ones
//   consumers the manifest's consumers, after their streams
//   orphans   live resources the manifest does not declare: deleted when owned, else unmanaged
//   checks    rules across the changes (work-queue origins, hidden source consumers)
//   order     the steps in execution order (order.ts), then --target
//   preflight the steps in that order against the account's limits (preflight/)
//   entries   the keys of buckets that declare entries, after their bucket's step; then the plan's assembly

import type { Diagnostic } from "../model/diagnostic.js";
import type { Plan } from "../model/plan.js";
import { assemblePlan } from "./assemble.js";
import { byAddress } from "./changes.js";
import { PlanContext, type PlanInput } from "./context.js";
import { sortByPlace } from "./diagnostics.js";
import { orderPlan } from "./ordering.js";
import { checkAcross } from "./phase-checks.js";
import { planConsumers } from "./phase-consumers.js";
import { planEntries } from "./phase-entries.js";
import { noteRunningApply } from "./phase-lease.js";
import { planOrphans } from "./phase-orphans.js";
import { planStreams } from "./phase-streams.js";
import { checkSupport } from "./phase-support.js";
import { preflight } from "./preflight/index.js";

export type { PlanInput } from "./context.js";

export interface PlanOutcome {
  /** Absent when there are errors: a plan is never half right. */
  readonly plan?: Plan;
  readonly diagnostics: readonly Diagnostic[];
}

export function buildPlan(input: PlanInput): PlanOutcome {
  const ctx = new PlanContext(input);
  checkSupport(ctx);
  planStreams(ctx);
  planConsumers(ctx);
  const { unmanaged } = planOrphans(ctx);
  checkAcross(ctx);
  noteRunningApply(ctx);
  if (ctx.errors.length > 0) return { diagnostics: sortByPlace([...ctx.errors, ...ctx.warnings]) };
  ctx.changes.sort(byAddress);
  const planned = orderPlan(ctx, unmanaged);
  if ("diagnostics" in planned) return { diagnostics: [...ctx.warnings, ...planned.diagnostics] };
  const ordered = planEntries(ctx, preflight(ctx, planned));
  if (ctx.errors.length > 0) return { diagnostics: sortByPlace([...ctx.errors, ...ctx.warnings]) };
  return { plan: assemblePlan(ctx, ordered, unmanaged), diagnostics: sortByPlace(ctx.warnings) };
}
