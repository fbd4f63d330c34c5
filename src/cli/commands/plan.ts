// `jsplan plan [PATH...]`: what apply would do, exactly, without changing anything.

import type { Plan } from "../../model/plan.js";
import type { PlannedTargets } from "../../reconcile/planning-targets.js";
import { recordManifest } from "../../reconcile/saved-manifest.js";
import { toSavedPlan, writeSavedPlan } from "../../reconcile/saved-plan.js";
import { type MarkdownOptions, renderPlanMarkdown } from "../../render/markdown.js";
import type { Style } from "../../render/style.js";
import { renderTargetsMarkdown, renderTargetsText, targetsDocument } from "../../render/targets.js";
import { renderPlanText } from "../../render/text.js";
import { ExitError } from "../exit-error.js";
import type { CliIO } from "../io.js";
import { exitFor, type PlanningArgs, planTargetsOrExit } from "../planning.js";

export type OutputFormat = "text" | "json" | "markdown";

export interface PlanArgs extends PlanningArgs {
  readonly format: OutputFormat;
  readonly out?: string;
  readonly detailedExitcode: boolean;
  readonly quiet: boolean;
  readonly markdown?: MarkdownOptions;
}

export function renderPlan(
  plan: Plan,
  format: OutputFormat,
  style: Style,
  markdown: MarkdownOptions = {},
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(plan, null, 2)}\n`;
    case "markdown":
      return renderPlanMarkdown(plan, markdown);
    default:
      return renderPlanText(plan, style);
  }
}

export async function planCommand(args: PlanArgs, io: CliIO, style: Style): Promise<number> {
  const planned = await planTargetsOrExit(args, io, style);
  try {
    if (planned.grouped) return groupedPlan(planned, args, io, style);
    const only = planned.targets[0]!;
    const { plan } = only;
    io.stdout.write(renderPlan(plan, args.format, style, args.markdown));
    if (args.out) {
      try {
        const record = recordManifest(only.files, io.env, args.targets, only.desired);
        await writeSavedPlan(args.out, toSavedPlan(plan, only.observed, only.files, new Date(), record));
      } catch (err) {
        exitFor(err, io, style);
      }
      if (args.format === "text" && !args.quiet) {
        io.stderr.write(
          `\nSaved the plan to ${args.out}. To carry out exactly these steps, run (with the same connection options;\nthe file does not record them):\n  jsplan apply --plan ${args.out}\n`,
        );
      }
    }
    const changed = plan.steps.length > 0;
    if (changed && !args.out && args.format === "text" && !args.quiet) {
      io.stderr.write(
        style.dim(
          "To carry out this plan: jsplan apply with the same manifest; to apply exactly this plan later, save it with --out FILE and run jsplan apply --plan FILE.\n",
        ),
      );
    }
    return args.detailedExitcode && changed ? 2 : 0;
  } finally {
    await Promise.all(planned.targets.map((t) => t.session.close()));
  }
}

/** A plan over the targets the files name: grouped by target, one summary each and one overall. */
function groupedPlan(planned: PlannedTargets, args: PlanArgs, io: CliIO, style: Style): number {
  if (args.out) {
    // A saved plan records neither the connection nor a target per step: applying it later could not
    // be checked against each account.
    throw new ExitError(
      1,
      "jsplan: plan --out does not support a manifest whose files name natscli contexts (context:); nothing was saved. Run jsplan apply with the manifest instead, or save a plan per context from the files without `context:`.",
    );
  }
  const plans = planned.targets.map((t) => t.plan);
  io.stdout.write(renderTargets(plans, args.format, style, args.markdown));
  const changed = plans.some((p) => p.steps.length > 0);
  if (changed && args.format === "text" && !args.quiet) {
    io.stderr.write(style.dim("To carry out this plan: jsplan apply with the same manifest.\n"));
  }
  return args.detailedExitcode && changed ? 2 : 0;
}

export function renderTargets(
  plans: readonly Plan[],
  format: OutputFormat,
  style: Style,
  markdown: MarkdownOptions = {},
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(targetsDocument(plans), null, 2)}\n`;
    case "markdown":
      return renderTargetsMarkdown(plans, markdown);
    default:
      return renderTargetsText(plans, style);
  }
}
