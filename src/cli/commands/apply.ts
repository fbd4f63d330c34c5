// `jsplan apply [PATH...]` and `jsplan apply --plan FILE`: carry out a plan, after the safety gates, and
// report every step. The session work is in src/reconcile; this is the terminal around it.

import type { ApplyResult } from "../../apply/result.js";
import type { Session } from "../../connection/session.js";
import { describeHolder } from "../../jetstream/lease.js";
import type { ObservedState } from "../../model/observed.js";
import type { Plan } from "../../model/plan.js";
import { applySession, checkGates } from "../../reconcile/applying.js";
import type { Lease, LockRequest } from "../../reconcile/locking.js";
import { closeAll, withoutPredictedLock } from "../../reconcile/planning.js";
import { readSavedPlan, rederiveSavedPlan } from "../../reconcile/saved-plan.js";
import type { Style } from "../../render/style.js";
import { renderPlanText, targetWords } from "../../render/text.js";
import { ExitError } from "../exit-error.js";
import type { CliIO } from "../io.js";
import { exitFor, observeOrExit, type PlanningArgs, planTargetsOrExit } from "../planning.js";
import { progressFor, readBackLine } from "../progress.js";
import { applyResultJson, emptyResult, reportApply } from "./apply-report.js";
import { applyTargets } from "./apply-targets.js";

export interface ApplyArgs extends PlanningArgs {
  readonly planFile?: string;
  readonly autoApprove: boolean;
  readonly allowDestroy: boolean;
  readonly concurrency: number;
  readonly format: "text" | "json";
  readonly quiet: boolean;
  /** Take the account's apply lock (false: --no-lock). */
  readonly takeLock: boolean;
  readonly lockTimeoutMs: number;
  /** The lease's TTL (JSPLAN_LOCK_TTL); the default when absent. */
  readonly lockTtlMs?: number;
}

export interface ToApply {
  readonly plan: Plan;
  readonly session: Session;
  readonly observed: ObservedState;
  readonly lease?: Lease | undefined;
}

export async function applyCommand(args: ApplyArgs, io: CliIO, style: Style): Promise<number> {
  if (!args.takeLock) {
    io.stderr.write(
      `${style.yellow("Warning")}: --no-lock: this apply does not take the account's apply lock, so another apply can run at the same time and interleave its steps with these (each step is still guarded).\n`,
    );
  }
  // Ctrl-C (or SIGTERM) while the plan is made ends the run cleanly once it is made: the lock is released,
  // not left to expire. A second one leaves at once.
  let cancelled = false;
  const removeEarly = io.onInterrupt(() => {
    cancelled = true;
  });
  let toApply: { grouped: boolean; targets: readonly ToApply[] };
  try {
    toApply = await planToApply(args, io, style);
  } finally {
    removeEarly();
  }
  const { grouped, targets } = toApply;
  try {
    if (cancelled) throw new ExitError(1, "Apply cancelled; nothing was changed on the server.");
    if (grouped) {
      return await applyTargets(targets, args, io, style, {
        confirm: (where) => confirm(io, where),
        run: (t) => run(t, args, io, style),
      });
    }
    const only = targets[0]!;
    const { plan } = only;
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
    if (!args.planFile && !args.autoApprove) await confirm(io, targetWords(plan));
    const result = await run(only, args, io, style);
    reportApply(plan, result, args.format, io, style, args.verbose ?? false);
    return result.summary.succeeded === result.results.length ? 0 : 1;
  } finally {
    await Promise.all(targets.map((t) => closeAll(t)));
  }
}

/** The lock as the arguments ask for it, with a line when it has to wait. */
function lockOf(args: ApplyArgs, io: CliIO, style: Style): LockRequest | undefined {
  if (!args.takeLock) return undefined;
  return {
    waitMs: args.lockTimeoutMs,
    ...(args.lockTtlMs !== undefined ? { ttlMs: args.lockTtlMs } : {}),
    onWait: (holder) =>
      io.stderr.write(
        style.dim(
          `Waiting up to ${Math.round(args.lockTimeoutMs / 1000)}s for the apply lock, held by another jsplan apply${holder ? ` (${describeHolder(holder)})` : ""}…\n`,
        ),
      ),
  };
}

/** The saved plan, checked against the server's state now; or a plan made now (of every target). */
async function planToApply(
  args: ApplyArgs,
  io: CliIO,
  style: Style,
): Promise<{ grouped: boolean; targets: readonly ToApply[] }> {
  const lock = lockOf(args, io, style);
  if (!args.planFile) {
    return planTargetsOrExit({ ...args, ...(lock ? { lock } : { withoutLock: true }) }, io, style);
  }
  let saved: Awaited<ReturnType<typeof readSavedPlan>>;
  try {
    saved = await readSavedPlan(args.planFile);
  } catch (err) {
    return exitFor(err, io, style);
  }
  const seen = await observeOrExit(args.connection, io, style, lock);
  const { session, lease } = seen;
  const observed = lock ? seen.observed : withoutPredictedLock(seen.observed);
  try {
    // Never the file's steps as they are: the plan made again from the manifest it records, if equal.
    const plan = await rederiveSavedPlan(saved, observed, args.planFile, io.env, session);
    return { grouped: false, targets: [{ plan, session, observed, lease }] };
  } catch (err) {
    await closeAll({ session, lease });
    return exitFor(err, io, style);
  }
}

/** Asks on the terminal; anything but "yes" cancels. Refuses where nobody can answer. */
async function confirm(io: CliIO, where: string): Promise<void> {
  if (!io.stdinIsTTY || !io.stderr.isTTY) {
    throw new ExitError(
      1,
      "Apply refused: not running on a terminal, so nobody can approve the plan; nothing was changed. Review it with jsplan plan, then run apply with --auto-approve (or save it with plan --out and run apply --plan FILE).",
    );
  }
  io.stderr.write(
    `\nDo you want to perform these actions?\n  jsplan will carry out the plan above${where ? ` on ${where}` : ""}. Only 'yes' will be accepted to approve.\n\n`,
  );
  const answer = await io.prompt("  Enter a value: ");
  if (answer?.trim() !== "yes") throw new ExitError(1, "Apply cancelled; nothing was changed on the server.");
}

/** The steps, with progress, and Ctrl-C stopping new steps from starting. */
async function run(
  { plan, session, observed, lease }: ToApply,
  args: ApplyArgs,
  io: CliIO,
  style: Style,
): Promise<ApplyResult> {
  const controller = new AbortController();
  // Without the lock, another apply may start: stop starting steps, as for Ctrl-C.
  lease?.lost.addEventListener("abort", () => {
    if (controller.signal.aborted) return;
    io.stderr.write(
      `\n${style.red("The apply lock was lost")} (${(lease.lost.reason as Error)?.message ?? "expired"}): no new steps are started; waiting for those in flight…\n`,
    );
    controller.abort();
  });
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
    { verbose: args.verbose ?? false },
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
