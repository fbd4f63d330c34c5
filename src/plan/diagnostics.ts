// The plan's errors and warnings: pointed at the resource (or the field) of the manifest they are about,
// sorted by place, and as the plan JSON carries them.

import type { Origin } from "../model/desired.js";
import type { Diagnostic, Severity } from "../model/diagnostic.js";
import type { PlanDiagnostic } from "../model/plan.js";
import { message } from "./messages.js";

export interface Located {
  readonly address: string;
  readonly origin: Origin;
}

/** A diagnostic at a resource of the manifest, or at one of its fields when `path` is given. */
export function at(r: Located, path: string, severity: Severity, code: string, message: string): Diagnostic {
  return {
    severity,
    pos: path ? r.origin.fieldPos(path) : r.origin.pos,
    address: r.address,
    ...(path ? { path } : {}),
    code,
    message,
  };
}

/** By file, line and column; diagnostics without a place go last. */
export function sortByPlace(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => {
    const fa = a.pos?.file ?? "\uffff";
    const fb = b.pos?.file ?? "\uffff";
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.pos?.line ?? 0) - (b.pos?.line ?? 0) || (a.pos?.col ?? 0) - (b.pos?.col ?? 0);
  });
}

export function toPlanDiagnostic(d: Diagnostic): PlanDiagnostic {
  return {
    severity: d.severity,
    address: d.address ?? null,
    file: d.pos?.file ?? null,
    line: d.pos?.line ?? null,
    column: d.pos?.col ?? null,
    message: d.message,
    code: d.code,
    path: d.path ?? null,
  };
}

/** A resource of the manifest that another owner manages. */
export function ownerConflict(r: Located, theirs: string, ours: string | undefined): Diagnostic {
  return at(r, "", "error", "plan.owner-conflict", message.ownerConflict(r.address, theirs, ours));
}
