// `jsplan apply` over files that name natscli contexts: every target's gates before any call, one
// approval, then target by target, each reported on its own. When a target does not complete, the ones
// after it are not started, and the last lines say which targets were done, which failed and which were
// not started.

import type { ApplyResult } from "../../apply/result.js";
import { checkGates } from "../../reconcile/applying.js";
import { ApplyRefused } from "../../reconcile/errors.js";
import type { Style } from "../../render/style.js";
import { overallSummary, renderTargetsText, targetHeader } from "../../render/targets.js";
import type { CliIO } from "../io.js";
import { exitFor } from "../planning.js";
import type { ApplyArgs, ToApply } from "./apply.js";
import { emptyResult, reportApply } from "./apply-report.js";

type Status = "done" | "failed" | "not_started";

interface TargetOutcome {
  readonly target: ToApply;
  readonly status: Status;
  readonly result?: ApplyResult;
}

export interface TargetSteps {
  readonly confirm: (where: string) => Promise<void>;
  readonly run: (target: ToApply) => Promise<ApplyResult>;
}

export async function applyTargets(
  targets: readonly ToApply[],
  args: ApplyArgs,
  io: CliIO,
  style: Style,
  steps: TargetSteps,
): Promise<number> {
  const plans = targets.map((t) => t.plan);
  const text = args.format === "text";
  if (text && !args.quiet) io.stdout.write(renderTargetsText(plans, style));
  if (plans.every((p) => p.steps.length === 0)) {
    if (!text) io.stdout.write(targetsResultJson(targets.map((t) => ({ target: t, status: "done" }))));
    return 0;
  }
  gatesOfEvery(targets, args, io, style);
  if (!args.autoApprove) {
    const acting = plans.filter((p) => p.steps.length > 0);
    await steps.confirm(
      `${acting.length} target${acting.length === 1 ? "" : "s"}: ${acting.map(targetHeader).join("; ")}`,
    );
  }
  const outcomes: TargetOutcome[] = [];
  for (const target of targets) {
    // A target with nothing to do is done, whatever happened before it.
    if (target.plan.steps.length === 0) {
      outcomes.push({ target, status: "done", result: emptyResult() });
      continue;
    }
    if (outcomes.some((o) => o.status === "failed")) {
      outcomes.push({ target, status: "not_started" });
      continue;
    }
    if (text) io.stdout.write(style.bold(`\nApplying to ${targetHeader(target.plan)}\n`));
    const result = await steps.run(target);
    if (text) reportApply(target.plan, result, "text", io, style, args.verbose ?? false);
    const done = result.summary.succeeded === result.results.length;
    outcomes.push({ target, status: done ? "done" : "failed", result });
  }
  if (text) io.stdout.write(`\n${outcomeLines(outcomes, style)}\n`);
  else io.stdout.write(targetsResultJson(outcomes));
  return outcomes.every((o) => o.status === "done") ? 0 : 1;
}

/** Every target's gates before the first call: a refusal names its target, and nothing is changed. */
function gatesOfEvery(targets: readonly ToApply[], args: ApplyArgs, io: CliIO, style: Style): void {
  const problems: string[] = [];
  for (const t of targets) {
    try {
      checkGates(t.plan, args);
    } catch (err) {
      if (!(err instanceof ApplyRefused)) throw err;
      for (const p of err.problems) problems.push(`${targetHeader(t.plan)}: ${p}`);
    }
  }
  if (problems.length > 0) exitFor(new ApplyRefused(problems), io, style);
}

const WORDS: Record<Status, string> = { done: "done", failed: "failed", not_started: "not started" };

/** Which targets were done, which failed, which were not started. */
function outcomeLines(outcomes: readonly TargetOutcome[], style: Style): string {
  const of = (s: Status) => outcomes.filter((o) => o.status === s).map((o) => targetHeader(o.target.plan));
  const parts = (Object.keys(WORDS) as Status[])
    .filter((s) => of(s).length > 0)
    .map((s) => `${WORDS[s]}: ${of(s).join("; ")}`);
  const line = `Targets ${parts.join(" | ")}`;
  return outcomes.every((o) => o.status === "done") ? style.green(line) : style.red(line);
}

/** apply --format json over several targets: see docs/plan-format.md. */
function targetsResultJson(outcomes: readonly TargetOutcome[]): string {
  const plans = outcomes.map((o) => o.target.plan);
  const body = {
    format_version: plans[0]?.format_version ?? "",
    plan_summary: overallSummary(plans),
    targets: outcomes.map((o) => ({
      target: o.target.plan.target ?? null,
      status: o.status,
      plan_summary: o.target.plan.summary,
      ...(o.result ?? {}),
    })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
