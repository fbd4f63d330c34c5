// The result of an apply, step by step (kysely's result-set idea): it never throws for a failed step,
// and every step of the plan ends in exactly one state.

import type { Action } from "../model/plan.js";

/**
 * - `changed`: the guard found the resource changed since the plan: the step was not carried out.
 * - `unknown`: the step was sent, and no answer came: it may or may not have been carried out.
 */
export type StepStatus = "succeeded" | "failed" | "not_executed" | "changed" | "unknown";

export interface StepError {
  /** The server's error code (10065), when the server answered with one. */
  readonly code: number | null;
  readonly description: string;
  /** What to do about it, when we know. */
  readonly hint?: string;
}

/**
 * What reading a step back showed, after its answer never came: `done` (now `succeeded`), `not_done`
 * (now `failed`), or `half_done` for a replace whose delete was done and whose create was not (`failed`).
 */
export type ReadBack = "done" | "not_done" | "half_done";

export interface StepResult {
  readonly address: string;
  readonly action: Exclude<Action, "no-op">;
  readonly status: StepStatus;
  readonly duration_ms: number;
  readonly error?: StepError;
  /** Why a step did not run: the failed step it depends on, or the interruption. */
  readonly reason?: string;
  /** For `changed`: how the resource differs from what the plan saw. */
  readonly changed?: readonly string[];
  /** For a step whose answer never came: what reading it back afterwards showed. */
  readonly read_back?: ReadBack;
  /** Fields the server stored differently from what was sent (it adjusted them silently). */
  readonly adjusted?: ReadonlyArray<{
    readonly path: string;
    readonly sent: unknown;
    readonly stored: unknown;
  }>;
}

export interface ApplyResult {
  readonly results: readonly StepResult[];
  readonly summary: {
    readonly succeeded: number;
    readonly failed: number;
    readonly not_executed: number;
    readonly changed: number;
    readonly unknown: number;
  };
  /** Set when the apply stopped early (interrupted, connection lost). */
  readonly stopped?: string;
  readonly duration_ms: number;
}

export function summarise(results: readonly StepResult[]): ApplyResult["summary"] {
  const s = { succeeded: 0, failed: 0, not_executed: 0, changed: 0, unknown: 0 };
  for (const r of results) s[r.status]++;
  return s;
}
