// The apply stage: carries out a plan's steps in order, independent steps in flight together, and returns
// a result for every step. A failed step stops only the steps that depend on it. An interruption (Ctrl-C)
// or a lost connection stops new steps from starting; those in flight finish; the rest are not executed.

import { JsTransportError } from "../connection/js-api.js";
import type { AccountLimits } from "../model/observed.js";
import type { Change, Plan, Step } from "../model/plan.js";
import type { Version } from "../model/version.js";
import { EntryChanged } from "./entry-steps.js";
import { guardStep } from "./guards.js";
import { describeFailure } from "./hints.js";
import { readBackUnknown, untilAnswering } from "./read-back.js";
import { type ApplyResult, type StepResult, summarise } from "./result.js";
import { Scheduler } from "./scheduler.js";
import { ReplaceHalfDone, releasedOrigins, runStep } from "./steps.js";
import type { JetStreamWriter } from "./writer.js";

export interface ExecuteOptions {
  readonly version: Version;
  readonly limits: AccountLimits;
  /** Steps in flight at once. */
  readonly concurrency: number;
  /** Aborting stops new steps from starting (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** True once the connection is gone for good: the remaining steps are not executed. */
  readonly connectionLost?: () => boolean;
  readonly onStart?: (step: Step) => void;
  readonly onFinish?: (result: StepResult) => void;
  /** A step without an answer that was read back afterwards (its status now succeeded or failed). */
  readonly onReadBack?: (result: StepResult) => void;
}

const CONNECTION_LOST = "the connection to the server was lost";

export async function executePlan(
  plan: Plan,
  writer: JetStreamWriter,
  options: ExecuteOptions,
): Promise<ApplyResult> {
  const started = performance.now();
  const changes = new Map(plan.changes.map((c) => [c.address, c]));
  const released = releasedOrigins(plan.changes);
  let stopped: string | undefined;
  // A step the server did not answer at all (a stopped server, a lost network) may or may not have been
  // carried out; starting more steps would only wait out more timeouts. Stop, report, let the next plan tell.
  // Which of the two it was goes into the report: a connection that closed under a step (the server was
  // killed, the network cut) is not "the server stopped answering".
  let unanswered: string | undefined;
  const stopReason = () => {
    if (stopped) return stopped;
    if (options.signal?.aborted) stopped = "interrupted";
    else if (unanswered) stopped = unanswered;
    else if (options.connectionLost?.()) stopped = CONNECTION_LOST;
    return stopped;
  };
  const scheduler = new Scheduler(plan.steps, {
    concurrency: options.concurrency,
    stopReason,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStart ? { onStart: options.onStart } : {}),
    ...(options.onFinish ? { onFinish: options.onFinish } : {}),
  });
  const outcome = await scheduler.run(async (step): Promise<StepResult> => {
    const t0 = performance.now();
    const change = changes.get(step.address)!;
    const guarded = await guard(step, change, t0, writer, options.version, noAnswer);
    if (guarded) return guarded;
    try {
      const adjusted = await runStep(change, writer, options, released);
      return { ...resultOf(step, "succeeded", t0), ...(adjusted.length > 0 ? { adjusted } : {}) };
    } catch (err) {
      if (err instanceof EntryChanged)
        return { ...resultOf(step, "changed", t0), changed: ["another client wrote or deleted the key"] };
      const cause = err instanceof ReplaceHalfDone ? err.cause : err;
      // No answer: the write may or may not have been carried out.
      const status = noAnswer(cause) ? "unknown" : "failed";
      const error = await describeFailure(err, change, writer.api, options.limits);
      return { ...resultOf(step, status, t0), error };
    }
  });
  const results = await readBack(outcome.results, changes, writer, options);
  return {
    ...outcome,
    results,
    summary: summarise(results),
    duration_ms: Math.round(performance.now() - started),
  };

  /** True (and the run stops) when the server did not answer at all. */
  function noAnswer(err: unknown): boolean {
    if (!(err instanceof JsTransportError)) return false;
    if (err.kind === "connection") unanswered = CONNECTION_LOST;
    else if (err.kind === "timeout") unanswered ??= "the server stopped answering";
    return err.kind === "connection" || err.kind === "timeout";
  }
}

/** The step's result when its guard keeps it from running (or finds it done already); else undefined. */
async function guard(
  step: Step,
  change: Change,
  t0: number,
  writer: JetStreamWriter,
  version: ExecuteOptions["version"],
  noAnswer: (err: unknown) => boolean,
): Promise<StepResult | undefined> {
  let verdict: Awaited<ReturnType<typeof guardStep>>;
  try {
    verdict = await guardStep(change, writer.api, version);
  } catch (err) {
    noAnswer(err);
    // Nothing was sent: the step did not run.
    const why = err instanceof Error ? err.message : String(err);
    return { ...resultOf(step, "not_executed", t0), reason: `it could not be read before the step: ${why}` };
  }
  if (verdict.kind === "changed") return { ...resultOf(step, "changed", t0), changed: verdict.what };
  // A delete of something already gone has the effect the plan wanted.
  if (verdict.kind === "gone" && change.action === "delete") return resultOf(step, "succeeded", t0);
  if (verdict.kind === "gone") return { ...resultOf(step, "changed", t0), changed: ["it no longer exists"] };
  return undefined;
}

/** Reads back what got no answer, once the server answers again (within two request timeouts). */
async function readBack(
  results: readonly StepResult[],
  changes: ReadonlyMap<string, Change>,
  writer: JetStreamWriter,
  options: ExecuteOptions,
): Promise<StepResult[]> {
  if (!results.some((r) => r.status === "unknown") || options.signal?.aborted) return [...results];
  const read = (await untilAnswering(writer.api, 2 * writer.api.options.timeout))
    ? await readBackUnknown(results, changes, writer.api, options.version)
    : [...results];
  for (const r of read) if (r.read_back) options.onReadBack?.(r);
  return read;
}

function resultOf(step: Step, status: StepResult["status"], t0: number): StepResult {
  return {
    address: step.address,
    action: step.action,
    status,
    duration_ms: Math.round(performance.now() - t0),
  };
}
