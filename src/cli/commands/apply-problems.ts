// The end of a long apply, for a person who was not watching: what did not succeed, repeated where it is
// read (the failures 1,900 lines up are of no use), with each distinct hint once; and the steps that did
// not run, counted by cause instead of one line each (each address with --verbose, and in JSON).

import type { ApplyResult, StepResult } from "../../apply/result.js";
import { plural } from "../../render/diagnostics.js";
import type { Style } from "../../render/style.js";
import { stepLine } from "../progress.js";

/** At most this many lines of one kind; the rest are counted (all of them are in --format json). */
const MAX_LINES = 50;

export function problemsReport(result: ApplyResult, verbose: boolean, style: Style): string {
  const by = (status: StepResult["status"]) => result.results.filter((r) => r.status === status);
  const sections = [
    section("Failed", by("failed"), style, true),
    section("Changed since the plan, so left alone", by("changed"), style, false),
    section("Unknown (no answer came; run jsplan plan to see)", by("unknown"), style, false),
    notExecuted(by("not_executed"), new Map(result.results.map((r) => [r.address, r])), verbose, style),
  ].filter((s) => s !== "");
  return sections.length > 0 ? `\n${sections.join("\n")}` : "";
}

function section(title: string, results: readonly StepResult[], style: Style, hints: boolean): string {
  if (results.length === 0) return "";
  const lines = results
    .slice(0, MAX_LINES)
    .map((r) => `  ${stepLine({ ...r, ...(r.error ? { error: { ...r.error, hint: "" } } : {}) }, style)}`);
  if (results.length > MAX_LINES) {
    lines.push(style.dim(`  … and ${results.length - MAX_LINES} more (all of them: --format json)`));
  }
  if (hints) {
    // Each distinct hint once, with how many failures it is for.
    const counts = new Map<string, number>();
    for (const r of results) if (r.error?.hint) counts.set(r.error.hint, (counts.get(r.error.hint) ?? 0) + 1);
    for (const [hint, n] of counts) {
      lines.push(style.dim(`  hint${results.length > 1 ? ` (${n} of ${results.length})` : ""}: ${hint}`));
    }
  }
  return `${style.bold(`${title} (${results.length}):`)}\n${lines.join("\n")}\n`;
}

/**
 * Why a step did not run, as a cause that many steps share: a step left out because a step it depends on
 * was not executed either has that step's cause (the consumers of a stream that Ctrl-C left out were
 * left out by Ctrl-C too).
 */
function causeOf(r: StepResult, byAddress: ReadonlyMap<string, StepResult>, depth = 0): string {
  const reason = r.reason ?? "not reached";
  const dep = /^depends on (\S+), (.*)$/.exec(reason);
  if (!dep) return reason;
  const on = byAddress.get(dep[1]!.replace(/,$/, ""));
  if (on?.status === "not_executed" && depth < 50) return causeOf(on, byAddress, depth + 1);
  return `a step it depends on ${on ? STATUS_WORDS[on.status] : "did not succeed"}`;
}

const STATUS_WORDS: Readonly<Record<StepResult["status"], string>> = {
  succeeded: "succeeded",
  failed: "failed",
  not_executed: "was not executed",
  changed: "changed since the plan",
  unknown: "got no answer",
};

function notExecuted(
  results: readonly StepResult[],
  byAddress: ReadonlyMap<string, StepResult>,
  verbose: boolean,
  style: Style,
): string {
  if (results.length === 0) return "";
  const causes = new Map<string, StepResult[]>();
  for (const r of results) {
    const c = causeOf(r, byAddress);
    const list = causes.get(c);
    if (list) list.push(r);
    else causes.set(c, [r]);
  }
  const lines: string[] = [];
  for (const [cause, list] of [...causes].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`  ${plural(list.length, "step")}: ${cause}`);
    if (verbose)
      for (const r of list) lines.push(style.dim(`    - ${r.address} ${r.action}: ${r.reason ?? ""}`));
  }
  if (!verbose) lines.push(style.dim("  (each address: --verbose, or --format json)"));
  return `${style.bold(`Not executed (${results.length}):`)}\n${lines.join("\n")}\n`;
}
