// `jsplan plan [PATH...]`: what apply would do, exactly, without changing anything.

import { writeFile } from "node:fs/promises";
import type { Plan, SavedPlan } from "../../model/plan.js";
import { fingerprintAt, manifestDigest } from "../../plan/fingerprint.js";
import { renderPlanMarkdown } from "../../render/markdown.js";
import type { Style } from "../../render/style.js";
import { renderPlanText } from "../../render/text.js";
import { ExitError } from "../exit-error.js";
import type { CliIO } from "../io.js";
import { computePlan, type PlanningArgs } from "../planning.js";

export type OutputFormat = "text" | "json" | "markdown";

export interface PlanArgs extends PlanningArgs {
  readonly format: OutputFormat;
  readonly out?: string;
  readonly detailedExitcode: boolean;
  readonly quiet: boolean;
}

export function renderPlan(plan: Plan, format: OutputFormat, style: Style): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(plan, null, 2)}\n`;
    case "markdown":
      return renderPlanMarkdown(plan);
    default:
      return renderPlanText(plan, style);
  }
}

export async function planCommand(args: PlanArgs, io: CliIO, style: Style): Promise<number> {
  const planned = await computePlan(args, io, style);
  try {
    const { plan } = planned;
    io.stdout.write(renderPlan(plan, args.format, style));
    if (args.out) {
      const saved: SavedPlan = {
        ...plan,
        saved: {
          created_at: new Date().toISOString(),
          manifest_sha256: manifestDigest(planned.files),
          manifest_files: planned.files.map((f) => f.path),
          // Every resource the plan covers, not only those with a step: a saved plan is for the state it
          // was made from, and a different state (or a different server) must make it stale.
          fingerprints: Object.fromEntries(
            plan.changes.map((c) => [c.address, fingerprintAt(planned.observed, c.address)]),
          ),
        },
      };
      try {
        await writeFile(args.out, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
      } catch (err) {
        throw new ExitError(
          1,
          `jsplan: cannot write the plan to ${args.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        );
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
