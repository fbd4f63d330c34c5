// Phase: a plan does not take the apply lock, but says when another apply holds it.

import { describeHolder } from "../jetstream/lease.js";
import type { PlanContext } from "./context.js";
import { message } from "./messages.js";

export function noteRunningApply(ctx: PlanContext): void {
  const holder = ctx.observed.lease?.holder;
  if (!holder) return;
  ctx.warnings.push({
    severity: "warning",
    code: "plan.apply-running",
    message: message.applyRunning(describeHolder(holder)),
  });
}
