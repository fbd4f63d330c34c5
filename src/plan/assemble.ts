// The plan as plain data, from what the phases found.

import { PLAN_FORMAT_VERSION, type Plan } from "../model/plan.js";
import { summarise } from "./changes.js";
import type { PlanContext } from "./context.js";
import { sortByPlace, toPlanDiagnostic } from "./diagnostics.js";
import type { Ordered } from "./ordering.js";

export function assemblePlan(ctx: PlanContext, ordered: Ordered, unmanaged: string[]): Plan {
  const server = ctx.observed.server;
  return {
    format_version: PLAN_FORMAT_VERSION,
    jsplan_version: ctx.input.jsplanVersion,
    server: {
      version: server.version,
      api_level: server.apiLevel ?? null,
      cluster: server.cluster,
      domain: server.domain,
      name: server.serverName ?? null,
      id: server.serverId ?? null,
    },
    owner: ctx.owner ?? null,
    changes: ordered.changes,
    steps: ordered.steps,
    unmanaged: unmanaged.sort(),
    summary: summarise(ordered.changes),
    targets: ordered.targets,
    warnings: sortByPlace(ctx.warnings).map(toPlanDiagnostic),
  };
}
