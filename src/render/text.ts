// The plan as text, Terraform-style: a block per resource that changes, field lines in human units,
// unchanged fields hidden, and a last line that scripts may read. A pure function of the plan JSON.

import type { Change, Plan, Reason } from "../model/plan.js";
import { formatBytesApprox } from "../model/units.js";
import type { Style } from "./style.js";
import { displayPath, formatValue, isShownOnCreate } from "./values.js";

const SYMBOL: Record<Change["action"], string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  "no-op": " ",
};

const HEADLINE: Record<Change["action"], string> = {
  create: "will be created",
  update: "will be updated in place",
  replace: "must be replaced",
  delete: "will be deleted",
  "no-op": "is unchanged",
};

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  if (s.create + s.update + s.replace + s.delete === 0) return "No changes. The server matches the manifest.";
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete.`;
}

function colourFor(action: Change["action"], style: Style): (s: string) => string {
  switch (action) {
    case "create":
      return style.green;
    case "update":
      return style.yellow;
    case "replace":
    case "delete":
      return style.red;
    default:
      return (s) => s;
  }
}

export function renderChange(c: Change, style: Style): string {
  const colour = colourFor(c.action, style);
  const lines: string[] = [];
  const blocked = c.blocked ? ` ${style.bold(style.red("(blocked: protect)"))}` : "";
  lines.push(`  ${colour(SYMBOL[c.action])} ${style.bold(c.address)} ${HEADLINE[c.action]}${blocked}`);
  const pad = "      ";
  if (c.action === "create") {
    const entries = Object.entries(c.after).filter(([k, v]) => isShownOnCreate(c.kind, k, v));
    const width = Math.max(0, ...entries.map(([k]) => displayPath(c.kind, k).length));
    for (const [k, v] of entries)
      lines.push(`${pad}${`${displayPath(c.kind, k)}:`.padEnd(width + 2)}${formatValue(c.kind, k, v)}`);
  } else if (c.action === "update" || c.action === "replace") {
    const width = Math.max(0, ...c.diff.map((d) => displayPath(c.kind, d.path).length));
    for (const d of c.diff) {
      let line = `${pad}${`${displayPath(c.kind, d.path)}:`.padEnd(width + 2)}${formatValue(c.kind, d.path, d.before)} → ${formatValue(c.kind, d.path, d.after)}`;
      if (d.forces_replace) line += style.red(`   # forces replacement${d.reason ? `: ${d.reason}` : ""}`);
      else if (d.reason) line += style.dim(`   # ${d.reason}`);
      lines.push(line);
    }
    const hidden = Object.keys(c.after).length - new Set(c.diff.map((d) => d.path.split(/[.[]/)[0])).size;
    if (hidden > 0)
      lines.push(style.dim(`${pad}(${hidden} unchanged field${hidden === 1 ? "" : "s"} hidden)`));
  }
  // A field that forces the replace already says why on its own line.
  const shown = (r: Reason) =>
    !(r.code === "field-forces-replace" && c.diff.some((d) => d.forces_replace && d.path === r.path));
  for (const r of c.reason_details) if (shown(r)) lines.push(style.dim(`${pad}# ${r.message}`));
  const loss = lossLine(c);
  if (loss) lines.push(style.red(`${pad}# ${loss}`));

  return lines.join("\n");
}

/**
 * Where a plan was made, in words: `nats://nats-1:4222 (context "prod"), domain hub, account APP`; empty
 * when the plan does not say (and no domain). The plan's header and apply's prompt both use it.
 */
export function targetWords(plan: Plan): string {
  const t = plan.target;
  const parts: string[] = [];
  if (t?.url) parts.push(`${t.url}${t.context ? ` (context "${t.context}")` : ""}`);
  else if (t?.context) parts.push(`context "${t.context}"`);
  if (plan.server.domain) parts.push(`domain ${plan.server.domain}`);
  if (t?.account) parts.push(`account ${t.account}`);
  return parts.join(", ");
}

export function renderPlanText(plan: Plan, style: Style, options: { showUnmanaged?: boolean } = {}): string {
  const out: string[] = [];
  const acting = plan.changes.filter((c) => c.action !== "no-op");
  const t = plan.target;
  const at = t?.url
    ? ` at ${t.url}${t.context ? ` (context "${t.context}")` : ""}`
    : t?.context
      ? ` (context "${t.context}")`
      : "";
  const where = plan.server.domain ? `, domain ${plan.server.domain}` : "";
  const account = t?.account ? `, account ${t.account}` : "";
  out.push(
    style.dim(
      `nats-server ${plan.server.version}${at}${plan.server.cluster ? `, cluster ${plan.server.cluster}` : ""}${where}${account}; owner ${plan.owner ?? "(none)"}`,
    ),
  );
  if (plan.targets) {
    out.push(
      style.yellow(`Targeting is in effect: only ${plan.targets.join(", ")} and what they need are planned.`),
    );
  }
  if (acting.length > 0) {
    out.push("");
    out.push("jsplan will perform these actions:");
    out.push("");
    // Each stream with its consumers right after it, the way people read a manifest.
    const group = (c: Change) => (c.kind === "consumer" ? `${c.stream}\u0000${c.name}` : `${c.name}\u0000`);
    for (const c of [...acting].sort((a, b) => (group(a) < group(b) ? -1 : group(a) > group(b) ? 1 : 0))) {
      out.push(renderChange(c, style));
      out.push("");
    }
  } else {
    out.push("");
  }
  const blocked = acting.filter((c) => c.blocked);
  if (blocked.length > 0) {
    out.push(
      style.red(
        `${blocked.length} step${blocked.length === 1 ? " is" : "s are"} blocked by protect: true (${blocked.map((c) => c.address).join(", ")}); apply will refuse this plan.`,
      ),
    );
  }
  for (const w of plan.warnings) {
    const at = w.file ? `${w.file}:${w.line}:${w.column}  ` : "";
    out.push(style.yellow(`warning: ${at}${w.address ? `${w.address}  ` : ""}${w.message}`));
  }
  if (plan.unmanaged.length > 0 && options.showUnmanaged !== false) {
    const shown = plan.unmanaged.slice(0, 10).join(", ");
    const more = plan.unmanaged.length > 10 ? ` and ${plan.unmanaged.length - 10} more` : "";
    out.push(style.dim(`Not managed by this manifest (left alone): ${shown}${more}`));
  }
  if (blocked.length > 0 || plan.warnings.length > 0 || plan.unmanaged.length > 0) out.push("");
  out.push(style.bold(summaryLine(plan)));
  return `${out.join("\n")}\n`;
}

/** What a destructive step loses, in words: `loses 1,500 messages (78.0 KiB)`, `removes at least 1 message`. */
export function lossLine(c: Change): string | undefined {
  const t = c.loses?.trims;
  if (c.action === "update" && t) {
    if (t.messages === null) return `may remove messages (${t.fields.join(", ")})`;
    const what = `${t.exact ? "" : "at least "}${t.messages.toLocaleString("en")} message${t.messages === 1 ? "" : "s"}`;
    return `removes ${what} (${t.fields.join(", ")})`;
  }
  if (!c.loses || (c.action !== "delete" && c.action !== "replace") || c.kind === "consumer")
    return undefined;
  const { messages, bytes } = c.loses;
  if (messages === undefined) return undefined;
  const size = bytes !== undefined && bytes > 0 ? ` (${formatBytesApprox(bytes)})` : "";
  return `loses ${messages.toLocaleString("en")} message${messages === 1 ? "" : "s"}${size}`;
}
