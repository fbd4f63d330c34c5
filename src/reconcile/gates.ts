// Safety gates, checked before the first call so that a refused apply touches nothing.

import type { Plan } from "../model/plan.js";

export interface GateOptions {
  readonly allowDestroy: boolean;
}

/** Why this plan may not run, or an empty list. */
export function gateProblems(plan: Plan, options: GateOptions): string[] {
  const stepAddresses = new Set(plan.steps.map((s) => s.address));
  const acting = plan.changes.filter((c) => stepAddresses.has(c.address));
  const problems: string[] = [];
  const blocked = acting.filter((c) => c.blocked);
  if (blocked.length > 0) {
    problems.push(
      `${blocked.length} step${blocked.length === 1 ? " is" : "s are"} blocked by protect: true: ${blocked
        .map((c) => `${c.address} (${c.action})`)
        .join(
          ", ",
        )}. Protected resources are never deleted or replaced; remove protect: true first if this is really meant.`,
    );
  }
  const destructive = acting.filter((c) => c.destructive && !c.blocked);
  if (destructive.length > 0 && !options.allowDestroy) {
    problems.push(
      `the plan ${destructive.some((c) => c.action === "update") ? "deletes, replaces or removes messages from" : "deletes or replaces"} ${destructive.length} resource${destructive.length === 1 ? "" : "s"} (${destructive
        .map((c) => `${c.address} ${c.action}`)
        .join(
          ", ",
        )}), which loses ${destructive.some((c) => c.kind !== "consumer") ? "messages" : "delivery state"}; run again with --allow-destroy to allow it`,
    );
  }
  return problems;
}
