// The result of an apply, step by step (kysely's result-set idea): it never throws for a failed step,
// and every step of the plan ends in exactly one state.

import type { Action } from "../model/plan.js";

export type StepStatus = "succeeded" | "failed" | "not_executed";

export interface StepError {
  /** The server's error code (10065), when the server answered with one. */
  readonly code: number | null;
  readonly description: string;
  /** What to do about it, when we know. */
  readonly hint?: string;
}

export interface StepResult {
  readonly address: string;
  readonly action: Exclude<Action, "no-op">;
  readonly status: StepStatus;
  readonly duration_ms: number;
  readonly error?: StepError;
  /** Why a step did not run: the failed step it depends on, or the interruption. */
  readonly reason?: string;
  /** Fields the server stored differently from what was sent (it adjusted them silently). */
  readonly adjusted?: ReadonlyArray<{
    readonly path: string;
    readonly sent: unknown;
    readonly stored: unknown;
  }>;
}

export interface ApplyResult {
  readonly results: readonly StepResult[];
  readonly summary: { readonly succeeded: number; readonly failed: number; readonly not_executed: number };
  /** Set when the apply stopped early (interrupted, connection lost). */
  readonly stopped?: string;
  readonly duration_ms: number;
}

export function summarise(results: readonly StepResult[]): ApplyResult["summary"] {
  let succeeded = 0;
  let failed = 0;
  let notExecuted = 0;
  for (const r of results) {
    if (r.status === "succeeded") succeeded++;
    else if (r.status === "failed") failed++;
    else notExecuted++;
  }
  return { succeeded, failed, not_executed: notExecuted };
}
