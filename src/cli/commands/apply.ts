// `jsplan apply [PATH...]` and `jsplan apply --plan FILE`: carry out a plan, after the safety gates, and
// report every step. The session work is in src/reconcile; this is the terminal around it.

import { type ApplyResult, summarise } from "../../apply/result.js";
import type { Session } from "../../connection/session.js";
import type { ObservedState } from "../../model/observed.js";
import type { Plan } from "../../model/plan.js";
import { applySession, checkGates } from "../../reconcile/applying.js";
import { checkSavedPlan, readSavedPlan } from "../../reconcile/saved-plan.js";
import type { Style } from "../../render/style.js";
import { renderPlanText, targetWords } from "../../render/text.js";
import { ExitError } from "../exit-error.js";
import type { CliIO } from "../io.js";
import { exitFor, observeOrExit, type PlanningArgs, planOrExit } from "../planning.js";
import { progressFor, readBackLine } from "../progress.js";
import { applyResultJson, reportApply } from "./apply-report.js";

export interface ApplyArgs extends PlanningArgs {
  readonly planFile?: string;
  readonly autoApprove: boolean;
  readonly allowDestroy: boolean;
  readonly concurrency: number;
  readonly format: "text" | "json";
  readonly quiet: boolean;
}

interface ToApply {
  readonly plan: Plan;
  readonly session: Session;
  readonly observed: ObservedState;
}

export async function applyCommand(args: ApplyArgs, io: CliIO, style: Style): Promise<number> {
  const { plan, session, observed } = await planToApply(args, io, style);
  try {
    if (args.format === "text" && !args.quiet) io.stdout.write(renderPlanText(plan, style));
    if (plan.steps.length === 0) {
      if (args.format === "json") io.stdout.write(applyResultJson(plan, emptyResult()));
      return 0;
    }
    try {
      checkGates(plan, args);
    } catch (err) {
      exitFor(err, io, style);
    }
    if (!args.planFile && !args.autoApprove) await confirm(io, plan);
    const result = await run(plan, session, observed, args, io, style);
    reportApply(plan, result, args.format, io, style);
    return result.summary.succeeded === result.results.length ? 0 : 1;
  } finally {
    await session.close();
  }
}

/** The saved plan, checked against the server's state now; or a plan made now. */
async function planToApply(args: ApplyArgs, io: CliIO, style: Style): Promise<ToApply> {
  if (!args.planFile) return planOrExit(args, io, style);
  let saved: Awaited<ReturnType<typeof readSavedPlan>>;
  try {
    saved = await readSavedPlan(args.planFile);
  } catch (err) {
    return exitFor(err, io, style);
  }
  const { session, observed } = await observeOrExit(args.connection, io, style);
  try {
    checkSavedPlan(saved, observed, args.planFile);
  } catch (err) {
    await session.close();
    exitFor(err, io, style);
  }
  return { plan: saved, session, observed };
}

/** Asks on the terminal; anything but "yes" cancels. Refuses where nobody can answer. */
async function confirm(io: CliIO, plan: Plan): Promise<void> {
  if (!io.stdinIsTTY || !io.stderr.isTTY) {
    throw new ExitError(
      1,
      "Apply refused: not running on a terminal, so nobody can approve the plan; nothing was changed. Review it with jsplan plan, then run apply with --auto-approve (or save it with plan --out and run apply --plan FILE).",
    );
  }
  io.stderr.write(
    `\nDo you want to perform these actions?\n  jsplan will carry out the plan above${targetWords(plan) ? ` on ${targetWords(plan)}` : ""}. Only 'yes' will be accepted to approve.\n\n`,
  );
  const answer = await io.prompt("  Enter a value: ");
  if (answer?.trim() !== "yes") throw new ExitError(1, "Apply cancelled; nothing was changed on the server.");
}

/** The steps, with progress, and Ctrl-C stopping new steps from starting. */
async function run(
  plan: Plan,
  session: Session,
  observed: ObservedState,
  args: ApplyArgs,
  io: CliIO,
  style: Style,
): Promise<ApplyResult> {
  const controller = new AbortController();
  const removeInterrupt = io.onInterrupt(() => {
    if (!controller.signal.aborted) {
      io.stderr.write(
        `\n${style.yellow("Interrupted")}: no new steps are started; waiting for those in flight…\n`,
      );
      controller.abort();
    }
  });
  const progress = progressFor(
    io.stderr,
    io.env,
    plan.steps.length,
    style,
    args.quiet || args.format === "json",
  );
  try {
    return await applySession(plan, session, observed.limits, {
      allowDestroy: args.allowDestroy,
      concurrency: args.concurrency,
      signal: controller.signal,
      onStep: (r) => progress.finished(r),
      onReadBack: (r) => io.stderr.write(`${readBackLine(r, style)}\n`),
    });
  } finally {
    progress.done();
    removeInterrupt();
  }
}

function emptyResult(): ApplyResult {
  return { results: [], summary: summarise([]), duration_ms: 0 };
}
