// What apply prints when it is done: the result as JSON, or the last line and the server's silent
// adjustments as text.

import { type ApplyResult, summarise } from "../../apply/result.js";
import type { Plan } from "../../model/plan.js";
import type { Style } from "../../render/style.js";
import type { CliIO } from "../io.js";
import { problemsReport } from "./apply-problems.js";

export function applyResultJson(plan: Plan, result: ApplyResult): string {
  const body = { format_version: plan.format_version, plan_summary: plan.summary, ...result };
  return `${JSON.stringify(body, null, 2)}\n`;
}

export function reportApply(
  plan: Plan,
  result: ApplyResult,
  format: "text" | "json",
  io: CliIO,
  style: Style,
  verbose = false,
): void {
  if (format === "json") {
    io.stdout.write(applyResultJson(plan, result));
    return;
  }
  io.stderr.write(problemsReport(result, verbose, style));
  io.stdout.write(`\n${finalLine(result, style)}\n`);
  for (const r of result.results) {
    for (const a of r.adjusted ?? []) {
      io.stderr.write(
        style.yellow(
          `warning: ${r.address}: the server stored ${a.path} as ${JSON.stringify(a.stored)}, not ${JSON.stringify(a.sent)}; change the manifest to match, or the next plan shows a difference\n`,
        ),
      );
    }
  }
}

function finalLine(result: ApplyResult, style: Style): string {
  const s = result.summary;
  const time = `in ${(result.duration_ms / 1000).toFixed(1)}s`;
  if (s.succeeded === result.results.length)
    return style.green(
      `Apply complete: ${s.succeeded} step${s.succeeded === 1 ? "" : "s"} succeeded ${time}.`,
    );
  const why = result.stopped ? ` (${result.stopped})` : "";
  const more = [
    ...(s.changed > 0 ? [`${s.changed} changed since the plan`] : []),
    ...(s.unknown > 0 ? [`${s.unknown} unknown`] : []),
  ];
  return style.red(
    `Apply incomplete${why}: ${s.succeeded} succeeded, ${s.failed} failed, ${s.not_executed} not executed${more.map((m) => `, ${m}`).join("")} ${time}. Run jsplan plan to see what remains; a new apply picks up from the server's state.`,
  );
}

/** The result of an apply with nothing to do. */
export function emptyResult(): ApplyResult {
  return { results: [], summary: summarise([]), duration_ms: 0 };
}
