// A plan over several targets (files naming natscli contexts): each target's plan under a header of its
// own, with its summary, then one overall summary. Pure functions of the plans.

import { PLAN_FORMAT_VERSION, type Plan, type PlanSummary } from "../model/plan.js";
import { type MarkdownOptions, renderPlanMarkdown } from "./markdown.js";
import type { Style } from "./style.js";
import { renderPlanText } from "./text.js";

/** The multi-target JSON document (`plan --format json` when files name contexts): see docs/plan-format.md. */
export interface TargetsDocument {
  readonly format_version: string;
  readonly jsplan_version: string;
  /** One plan per target, each with its `target`, in the order the plan shows them. */
  readonly plans: readonly Plan[];
  /** The sum of the plans' summaries. */
  readonly summary: PlanSummary;
}

/** `context tenant-a (nats://…, account A)`, or `default connection (nats://…)`. */
export function targetHeader(plan: Plan): string {
  const t = plan.target;
  const details = [
    ...(t?.url ? [t.url] : []),
    ...(plan.server.domain ? [`domain ${plan.server.domain}`] : []),
    ...(t?.account ? [`account ${t.account}`] : []),
  ];
  const name = t?.context ? `context ${t.context}` : "default connection";
  return details.length > 0 ? `${name} (${details.join(", ")})` : name;
}

export function overallSummary(plans: readonly Plan[]): PlanSummary {
  const sum = { create: 0, update: 0, replace: 0, delete: 0, no_op: 0 };
  for (const p of plans) {
    for (const k of Object.keys(sum) as (keyof PlanSummary)[]) sum[k] += p.summary[k];
  }
  return sum;
}

/** The last line over every target; scripts read it as they read a single plan's. */
export function overallLine(plans: readonly Plan[]): string {
  const s = overallSummary(plans);
  const targets = `${plans.length} target${plans.length === 1 ? "" : "s"}`;
  if (s.create + s.update + s.replace + s.delete === 0)
    return `Overall (${targets}): no changes. Every server matches the manifest.`;
  return `Overall (${targets}): ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete.`;
}

export function renderTargetsText(plans: readonly Plan[], style: Style): string {
  const out: string[] = [];
  for (const plan of plans) {
    out.push(style.bold(`Target: ${targetHeader(plan)}`));
    out.push(renderPlanText(plan, style));
  }
  out.push(style.bold(overallLine(plans)));
  return `${out.join("\n")}\n`;
}

export function targetsDocument(plans: readonly Plan[]): TargetsDocument {
  return {
    format_version: PLAN_FORMAT_VERSION,
    jsplan_version: plans[0]?.jsplan_version ?? "",
    plans,
    summary: overallSummary(plans),
  };
}

export function renderTargetsMarkdown(plans: readonly Plan[], options: MarkdownOptions = {}): string {
  const parts = plans.map((p) => `### Target: ${targetHeader(p)}\n\n${renderPlanMarkdown(p, options)}`);
  return `${parts.join("\n")}\n**${overallLine(plans)}**\n`;
}
