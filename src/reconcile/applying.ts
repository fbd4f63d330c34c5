// The apply session, shared by `jsplan apply` and the API: the safety gates before the first call, then the
// writer and the execution of the steps, with a result for every step.

import { DEFAULT_APPLY_CONCURRENCY } from "../apply/defaults.js";
import { executePlan } from "../apply/execute.js";
import type { ApplyResult, StepResult } from "../apply/result.js";
import { JetStreamWriter } from "../apply/writer.js";
import type { Session } from "../connection/session.js";
import type { AccountLimits } from "../model/observed.js";
import type { Plan, Step } from "../model/plan.js";
import { parseVersion } from "../model/version.js";
import { ApplyRefused } from "./errors.js";
import { gateProblems } from "./gates.js";

export interface ApplyOptions {
  /** Permit deletes and replaces. Without it, a plan with any is refused before the first call. */
  readonly allowDestroy?: boolean;
  readonly concurrency?: number;
  /** Aborting stops new steps from starting (Ctrl-C); steps in flight finish. */
  readonly signal?: AbortSignal;
  readonly onStart?: (step: Step) => void;
  readonly onStep?: (result: StepResult) => void;
  /** A step without an answer, read back after the run: its status says what it found. */
  readonly onReadBack?: (result: StepResult) => void;
}

/** Throws ApplyRefused when the plan may not run as asked; touches nothing. */
export function checkGates(plan: Plan, options: Pick<ApplyOptions, "allowDestroy">): void {
  const problems = gateProblems(plan, { allowDestroy: options.allowDestroy ?? false });
  if (problems.length > 0) throw new ApplyRefused(problems);
}

/**
 * Carries out a plan on the session's server: the gates first (ApplyRefused before any call), then every
 * step, independent steps together. Never throws for a failed step: see the result.
 */
export async function applySession(
  plan: Plan,
  session: Session,
  limits: AccountLimits,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  checkGates(plan, options);
  const version = parseVersion(session.info.version);
  const signal = options.signal;
  return executePlan(plan, new JetStreamWriter(session.api, version, signal ? { signal } : {}), {
    version,
    limits,
    concurrency: options.concurrency ?? DEFAULT_APPLY_CONCURRENCY,
    ...(signal ? { signal } : {}),
    // A connection that is down reconnects (to another server of the list, when there are more); only one
    // closed for good stops the apply.
    connectionLost: () => session.connectionClosed(),
    ...(options.onStart ? { onStart: options.onStart } : {}),
    ...(options.onStep ? { onFinish: options.onStep } : {}),
    ...(options.onReadBack ? { onReadBack: options.onReadBack } : {}),
  });
}
