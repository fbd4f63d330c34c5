// The plan as markdown for a pull-request comment: a summary table, the details folded, and a marker
// comment that stays the same from run to run, so a CI job can find and update its one comment instead
// of adding a new one each time.

import type { Change, Plan } from "../model/plan.js";
import { lossLine, summaryLine } from "./text.js";
import { displayPath, formatValue, isShownOnCreate } from "./values.js";

export function markdownMarker(plan: Plan): string {
  return `<!-- jsplan-plan owner=${plan.owner ?? "none"} -->`;
}

const ICON: Record<Change["action"], string> = {
  create: "➕",
  update: "🔄",
  replace: "♻️",
  delete: "🗑️",
  "no-op": "",
};

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function details(c: Change): string {
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
  return lines.length > 0 ? `\n\n\`\`\`diff\n${lines.join("\n").replace(/```/g, "'''")}\n\`\`\`\n` : "\n";
}

export function renderPlanMarkdown(plan: Plan): string {
  const out: string[] = [markdownMarker(plan)];
  const acting = plan.changes.filter((c) => c.action !== "no-op");
  const s = plan.summary;
  out.push(
    `### jsplan: ${acting.length === 0 ? "no changes" : `${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete`}`,
  );
  out.push("");
  out.push(
    `nats-server ${plan.server.version}${plan.server.cluster ? ` (cluster ${plan.server.cluster})` : ""} · owner \`${plan.owner ?? "none"}\``,
  );
  out.push("");
  const blocked = acting.filter((c) => c.blocked);
  const destructive = acting.filter((c) => c.destructive);
  if (blocked.length > 0)
    out.push(
      `> [!CAUTION]\n> ${blocked.length} step(s) blocked by \`protect: true\`: ${blocked.map((c) => `\`${c.address}\``).join(", ")}. Apply will refuse this plan.\n`,
    );
  else if (destructive.length > 0)
    out.push(`> [!WARNING]\n> ${destructive.length} destructive step(s): apply needs \`--allow-destroy\`.\n`);
  if (acting.length > 0) {
    out.push("| | Resource | Action | Fields |");
    out.push("|---|---|---|---|");
    for (const c of acting) {
      const fields =
        c.action === "update" || c.action === "replace"
          ? c.diff
              .map((d) =>
                d.forces_replace ? `**${displayPath(c.kind, d.path)}**` : displayPath(c.kind, d.path),
              )
              .join(", ")
          : "";
      out.push(
        `| ${ICON[c.action]} | \`${cell(c.address)}\` | ${c.action}${c.blocked ? " (blocked)" : ""} | ${cell(fields)} |`,
      );
    }
    out.push("");
    for (const c of acting) {
      out.push(`<details><summary><code>${c.address}</code> ${c.action}</summary>${details(c)}</details>`);
    }
    out.push("");
  }
  if (plan.warnings.length > 0) {
    out.push("<details><summary>Warnings</summary>\n");
    for (const w of plan.warnings) out.push(`- ${w.address ? `\`${w.address}\` ` : ""}${cell(w.message)}`);
    out.push("\n</details>\n");
  }
  if (plan.unmanaged.length > 0)
    out.push(`<sub>Not managed by this manifest: ${plan.unmanaged.length} resource(s).</sub>\n`);
  out.push(`\`${summaryLine(plan)}\``);
  return `${out.join("\n")}\n`;
}
