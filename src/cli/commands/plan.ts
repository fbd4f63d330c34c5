// `jsplan plan [PATH...]`: what apply would do, exactly, without changing anything.

import type { Plan } from "../../model/plan.js";
import { recordManifest } from "../../reconcile/saved-manifest.js";
import { toSavedPlan, writeSavedPlan } from "../../reconcile/saved-plan.js";
import { type MarkdownOptions, renderPlanMarkdown } from "../../render/markdown.js";
import type { Style } from "../../render/style.js";
import { renderPlanText } from "../../render/text.js";
import type { CliIO } from "../io.js";
import { exitFor, type PlanningArgs, planOrExit } from "../planning.js";

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
  const planned = await planOrExit(args, io, style);
  try {
    const { plan } = planned;
    io.stdout.write(renderPlan(plan, args.format, style, args.markdown));
    if (args.out) {
      try {
        const record = recordManifest(planned.files, io.env, args.targets, planned.desired);
        await writeSavedPlan(
          args.out,
          toSavedPlan(plan, planned.observed, planned.files, new Date(), record),
        );
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
    await planned.session.close();
  }
}
