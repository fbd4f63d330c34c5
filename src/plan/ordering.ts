// The steps of a plan in execution order, and --target: the targets and the steps they depend on. Either
// the steps, or the errors that stop the plan (a cycle, a consumer_limits change no order allows, a target
// that names nothing).

import type { Diagnostic } from "../model/diagnostic.js";
import type { Change, Step } from "../model/plan.js";
import type { PlanContext } from "./context.js";
import { message } from "./messages.js";
import { orderSteps, targetClosure } from "./order.js";
import { bucketOfEntry } from "./phase-entries.js";

export interface Ordered {
  readonly steps: readonly Step[];
  /** The changes the plan covers: all of them, or with --target those of the kept steps. */
  readonly changes: readonly Change[];
  readonly targets: string[] | null;
}

export function orderPlan(
  ctx: PlanContext,
  unmanaged: readonly string[],
): Ordered | { diagnostics: Diagnostic[] } {
  const workQueues = new Set(
    ctx.wanted.filter((r) => r.config.retention === "workqueue").map((r) => r.streamName),
  );
  const ordered = orderSteps(ctx.changes, workQueues);
  if (ordered.cycle) {
    return {
      diagnostics: [{ severity: "error", code: "plan.cycle", message: message.cycle(ordered.cycle) }],
    };
  }
  if (ordered.limitConflicts) {
    return {
      diagnostics: ordered.limitConflicts.map(({ consumer, stream }) => {
        const k = ctx.desiredConsumers.get(consumer);
        return {
          severity: "error" as const,
          ...(k ? { pos: k.origin.pos } : {}),
          address: consumer,
          code: "plan.consumer-limits-order",
          message: message.consumerLimitsOrder(consumer, stream),
        };
      }),
    };
  }
  const targets = ctx.input.targets;
  if (!targets || targets.length === 0) return { steps: ordered.steps, changes: ctx.changes, targets: null };
  const known = new Set(ctx.changes.map((c) => c.address));
  // An entry is planned after the order (phase-entries.ts); its bucket's step is what it needs here.
  const bucketsOfEntries = targets.map(bucketOfEntry).filter((b): b is string => b !== undefined);
  const missing = targets.filter((t) => !known.has(t) && bucketOfEntry(t) === undefined);
  if (missing.length > 0) {
    return {
      diagnostics: missing.map((t) => ({
        severity: "error" as const,
        code: "plan.target",
        message: unmanaged.includes(t) ? message.targetUnmanaged(t) : message.targetUnknown(t),
      })),
    };
  }
  const wanted = [...targets, ...bucketsOfEntries.filter((b) => known.has(b))];
  const keep = targetClosure(ordered.steps, wanted);
  for (const t of wanted) keep.add(t);
  return {
    steps: ordered.steps.filter((s) => keep.has(s.address)),
    changes: ctx.changes.filter((c) => keep.has(c.address)),
    targets: [...targets],
  };
}
