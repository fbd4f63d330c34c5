// The pieces of the markdown plan: the head (what, where, the warning boxes), the rows and details of each
// change, and the tail. markdown.ts decides how many of them fit.

import type { Change, Plan } from "../model/plan.js";
import { lossLine } from "./text.js";
import { displayPath, formatValue, isShownOnCreate } from "./values.js";

export const ICON: Record<Change["action"], string> = {
  create: "➕",
  update: "🔄",
  replace: "♻️",
  delete: "🗑️",
  "no-op": "",
};

export const count = (n: number) => n.toLocaleString("en");

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

/** The diff lines of one change: settings of a create, field changes, reasons, what it loses. */
export function detailLines(c: Change): string[] {
  const lines: string[] = [];
  if (c.action === "create") {
    for (const [k, v] of Object.entries(c.after))
      if (isShownOnCreate(c.kind, k, v))
        lines.push(`+ ${displayPath(c.kind, k)}: ${formatValue(c.kind, k, v)}`);
  } else if (c.action === "update" || c.action === "replace") {
    for (const d of c.diff) {
      const mark = d.forces_replace ? "!" : "~";
      lines.push(
        `${mark} ${displayPath(c.kind, d.path)}: ${formatValue(c.kind, d.path, d.before)} → ${formatValue(c.kind, d.path, d.after)}${d.forces_replace ? "   # forces replacement" : ""}`,
      );
    }
  }
  for (const r of c.reasons) lines.push(`# ${r}`);
  const loss = lossLine(c);
  if (loss) lines.push(`# ${loss}`);
  return lines.map((l) => l.replace(/```/g, "'''"));
}

/** One change folded: its address and action as the summary, its diff inside. */
export function detailsBlock(c: Change): string {
  const lines = detailLines(c);
  const body = lines.length > 0 ? `\n\n\`\`\`diff\n${lines.join("\n")}\n\`\`\`\n` : "\n";
  return `<details><summary><code>${c.address}</code> ${c.action}</summary>${body}</details>`;
}

/** The fields a change touches, those that force a replace in bold. */
export function fieldsOf(c: Change): string {
  if (c.action !== "update" && c.action !== "replace") return "";
  return c.diff
    .map((d) => (d.forces_replace ? `**${displayPath(c.kind, d.path)}**` : displayPath(c.kind, d.path)))
    .join(", ");
}

/** A row of the table of destructive steps. */
export function destructiveRow(c: Change): string {
  const loses = [lossLine(c)?.replace(/^loses /, "") ?? ""];
  if (c.loses?.consumers && c.loses.consumers.length > 0)
    loses.push(`consumers: ${c.loses.consumers.join(", ")}`);
  if (c.kind === "consumer") loses.push("delivery state");
  return `| ${ICON[c.action]} | ${code(c.address)} | ${c.action}${c.blocked ? " **(blocked)**" : ""} | ${cell(loses.filter(Boolean).join("; "))} | ${cell(fieldsOf(c))} |`;
}

/** A line of the list of one action's changes. */
export function listLine(c: Change): string {
  const fields = fieldsOf(c);
  return `- ${code(c.address)}${fields ? `: ${cell(fields)}` : ""}`;
}

/** Addresses in a sentence, at most `limit` of them: `a`, `b` and 3 more. */
export function nameList(changes: readonly Change[], limit: number, withAction: boolean): string {
  const shown = changes
    .slice(0, limit)
    .map((c) => `${code(c.address)}${withAction ? ` (${c.action})` : ""}`)
    .join(", ");
  return changes.length > limit ? `${shown} and ${count(changes.length - limit)} more` : shown;
}

export function headline(plan: Plan, acting: number): string {
  const s = plan.summary;
  return `### jsplan: ${acting === 0 ? "no changes" : `${count(s.create)} to create, ${count(s.update)} to update, ${count(s.replace)} to replace, ${count(s.delete)} to delete`}`;
}

/** Which server, where, which owner: `nats-server 2.15.1 (cluster c) · domain hub · owner x · …`. */
export function whereLine(plan: Plan): string {
  const parts = [
    `nats-server ${plan.server.version}${plan.server.cluster ? ` (cluster ${plan.server.cluster})` : ""}`,
  ];
  const t = plan.target;
  if (t?.url) parts.push(`${code(t.url)}${t.context ? ` (context ${code(t.context)})` : ""}`);
  else if (t?.context) parts.push(`context ${code(t.context)}`);
  if (plan.server.domain) parts.push(`domain ${code(plan.server.domain)}`);
  if (t?.account) parts.push(`account ${code(t.account)}`);
  parts.push(`owner ${code(plan.owner ?? "none")}`);
  return parts.join(" · ");
}

/** The CAUTION box for blocked steps and the WARNING box for the other destructive ones, naming them. */
export function warningBoxes(first: readonly Change[]): string[] {
  const out: string[] = [];
  const blocked = first.filter((c) => c.blocked);
  const open = first.filter((c) => !c.blocked);
  const LIMIT = 20;
  if (blocked.length > 0)
    out.push(
      `> [!CAUTION]\n> ${plural(blocked.length, "step")} blocked by \`protect: true\`: ${nameList(blocked, LIMIT, true)}. Apply will refuse this plan.\n`,
    );
  if (open.length > 0)
    out.push(
      `> [!WARNING]\n> ${plural(open.length, "destructive step")}, apply needs \`--allow-destroy\`: ${nameList(open, LIMIT, true)}.\n`,
    );
  return out;
}

/** Warnings folded (at most `limit` listed), what is not managed, and the summary line scripts read. */
export function tailLines(plan: Plan, limit: number, summary: string): string[] {
  const out: string[] = [];
  if (plan.warnings.length > 0) {
    out.push(`<details><summary>Warnings (${count(plan.warnings.length)})</summary>\n`);
    for (const w of plan.warnings.slice(0, limit))
      out.push(`- ${w.address ? `${code(w.address)} ` : ""}${cell(w.message)}`);
    if (plan.warnings.length > limit)
      out.push(`- and ${plural(plan.warnings.length - limit, "more warning")}`);
    out.push("\n</details>\n");
  }
  if (plan.unmanaged.length > 0)
    out.push(`<sub>Not managed by this manifest: ${plural(plan.unmanaged.length, "resource")}.</sub>\n`);
  out.push(`\`${summary}\``);
  return out;
}
