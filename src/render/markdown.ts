// The plan as markdown for a pull-request comment, always within a size limit (a GitHub comment holds
// 65,536 characters): the destructive and blocked steps first and in full, then the other changes grouped
// by action with their details folded, and, when it had to shorten, how much it left out and where the
// full plan is. The marker comment on the first line stays the same from run to run, so a CI job can find
// and update its one comment instead of adding a new one each time.

import type { Action, Change, Plan } from "../model/plan.js";
import { planDiagramMarkdown } from "./diagram.js";
import {
  count,
  destructiveRow,
  detailLines,
  detailsBlock,
  headline,
  ICON,
  listLine,
  plural,
  tailLines,
  warningBoxes,
  whereLine,
} from "./markdown-parts.js";
import { summaryLine } from "./text.js";

export const DEFAULT_MAX_CHARS = 65_536;

export interface MarkdownOptions {
  /** The most characters the markdown may have (default 65,536, a GitHub comment's limit). */
  readonly maxChars?: number;
  /** Where the full plan is, said when changes had to be left out: a link, or words ("the job log"). */
  readonly fullPlan?: string;
  /** A Mermaid diagram of what the plan touches, after the destructive steps, when it fits (default true). */
  readonly diagram?: boolean;
}

export function markdownMarker(plan: Plan): string {
  return `<!-- jsplan-plan owner=${plan.owner ?? "none"} -->`;
}

const GROUPS: readonly { action: Exclude<Action, "no-op">; title: string }[] = [
  { action: "create", title: "to create" },
  { action: "update", title: "to update in place" },
  { action: "replace", title: "to replace" },
  { action: "delete", title: "to delete" },
];

const FIRST_ORDER: Record<Action, number> = { delete: 0, replace: 1, update: 2, create: 3, "no-op": 4 };

/** How much of each part is shown: the first n of each list. */
interface Selection {
  firstRows: number;
  firstDetails: number;
  diagram: boolean;
  rows: number;
  details: number;
}

interface Parts {
  readonly plan: Plan;
  readonly first: readonly Change[];
  /** The other changes, in group order. */
  readonly rest: readonly Change[];
  readonly options: MarkdownOptions;
  readonly diagram: string | undefined;
}

export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const max = options.maxChars ?? DEFAULT_MAX_CHARS;
  const acting = plan.changes.filter((c) => c.action !== "no-op");
  const isFirst = (c: Change) => c.destructive || c.blocked;
  const first = acting
    .filter(isFirst)
    .sort(
      (a, b) =>
        Number(b.blocked) - Number(a.blocked) ||
        FIRST_ORDER[a.action] - FIRST_ORDER[b.action] ||
        Number(a.kind === "consumer") - Number(b.kind === "consumer"),
    );
  const rest = GROUPS.flatMap((g) => acting.filter((c) => !isFirst(c) && c.action === g.action));
  // The diagram takes at most a third of the room, and 20,000 characters (Mermaid's own limit is 50,000).
  const diagram =
    options.diagram === false ? undefined : planDiagramMarkdown(plan, Math.min(20_000, max / 3));
  const parts: Parts = { plan, first, rest, options, diagram };
  const all: Selection = {
    firstRows: first.length,
    firstDetails: first.length,
    diagram: diagram !== undefined,
    rows: rest.length,
    details: rest.length,
  };
  const full = compose(parts, all, max);
  if (full.length <= max) return full;
  return compose(parts, fit(parts, max), max);
}

/**
 * The most that fits, in order of importance: every destructive step's row, their details, the diagram,
 * the other changes' rows, their details. Sizes are added up piece by piece, then checked on the result.
 */
function fit(parts: Parts, max: number): Selection {
  const none: Selection = { firstRows: 0, firstDetails: 0, diagram: false, rows: 0, details: 0 };
  const sel = { ...none, firstRows: parts.first.length };
  let used = compose(parts, sel, max).length;
  while (used > max && sel.firstRows > 0) {
    sel.firstRows = Math.max(0, Math.floor(sel.firstRows * 0.9));
    used = compose(parts, sel, max).length;
  }
  if (sel.firstRows === parts.first.length) {
    const spare = max - used;
    const taken = takeWhile(
      parts.first.map((c) => detailsBlock(c).length + 1),
      spare,
    );
    sel.firstDetails = taken.n;
    used += taken.size;
    const diagram = parts.diagram;
    if (diagram !== undefined && taken.n === parts.first.length && used + diagram.length + 2 <= max) {
      sel.diagram = true;
      used += diagram.length + 2;
    }
    // Kept for the groups' headings and folds; the result is checked below anyway.
    used += 500;
    const rows = takeWhile(
      parts.rest.map((c) => listLine(c).length + 1),
      max - used,
    );
    sel.rows = rows.n;
    used += rows.size;
    sel.details = takeWhile(
      parts.rest.slice(0, sel.rows).map((c) => c.address.length + 8 + detailLines(c).join("\n").length + 1),
      max - used,
    ).n;
  }
  return shrink(parts, sel, max);
}

function takeWhile(sizes: readonly number[], budget: number): { n: number; size: number } {
  let n = 0;
  let size = 0;
  while (n < sizes.length && size + sizes[n]! <= budget) size += sizes[n++]!;
  return { n, size };
}

/** Takes away the least important parts until the markdown fits. */
function shrink(parts: Parts, sel: Selection, max: number): Selection {
  for (;;) {
    const length = compose(parts, sel, max).length;
    if (length <= max) return sel;
    const over = length - max;
    const step = (n: number) => Math.max(1, Math.min(n, Math.ceil(over / 200)));
    if (sel.details > 0) sel.details -= step(sel.details);
    else if (sel.rows > 0) sel.rows -= step(sel.rows);
    else if (sel.diagram) sel.diagram = false;
    else if (sel.firstDetails > 0) sel.firstDetails -= step(sel.firstDetails);
    else if (sel.firstRows > 0) sel.firstRows -= step(sel.firstRows);
    else return sel;
  }
}

function compose(parts: Parts, sel: Selection, max: number): string {
  const { plan, first, rest } = parts;
  const out: string[] = [
    markdownMarker(plan),
    headline(plan, first.length + rest.length),
    "",
    whereLine(plan),
    "",
  ];
  if (plan.targets)
    out.push(
      `Targeting is in effect: only ${plan.targets.map((t) => `\`${t}\``).join(", ")} and what they need are planned.\n`,
    );
  out.push(...warningBoxes(first));
  if (first.length > 0) {
    out.push(`#### ⚠️ ${plural(first.length, "destructive step")}\n`);
    out.push("| | Resource | Action | Loses | Fields |", "|---|---|---|---|---|");
    out.push(...first.slice(0, sel.firstRows).map(destructiveRow), "");
    // Many steps' details go in one fold of their own, so the diagram and the rest stay in view.
    const many = sel.firstDetails > 5;
    if (many)
      out.push(`<details><summary>What each of the ${count(sel.firstDetails)} steps does</summary>\n`);
    out.push(...first.slice(0, sel.firstDetails).map(detailsBlock));
    if (many) out.push("\n</details>");
    if (sel.firstDetails > 0) out.push("");
  }
  if (sel.diagram && parts.diagram) out.push(parts.diagram, "");
  out.push(...groups(rest, sel));
  const left = first.length - sel.firstRows + rest.length - sel.rows;
  const folded = sel.firstRows - sel.firstDetails + sel.rows - sel.details;
  if (left > 0 || folded > 0 || (parts.diagram !== undefined && !sel.diagram))
    out.push(truncationNote(left, folded, first.length + rest.length, max, parts.options.fullPlan), "");
  out.push(...tailLines(plan, 50, summaryLine(plan)));
  return `${out.join("\n")}\n`;
}

/** The other changes, one section per action: a list of them, and their details in one fold. */
function groups(rest: readonly Change[], sel: Selection): string[] {
  const out: string[] = [];
  let at = 0;
  for (const g of GROUPS) {
    const all = rest.filter((c) => c.action === g.action);
    const start = at;
    at += all.length;
    const shown = all.slice(0, Math.max(0, sel.rows - start));
    if (shown.length === 0) continue;
    out.push(`#### ${ICON[g.action]} ${count(all.length)} ${g.title}\n`);
    out.push(...shown.map(listLine));
    if (shown.length < all.length) out.push(`- … and ${count(all.length - shown.length)} more`);
    out.push("");
    const detailed = shown
      .slice(0, Math.max(0, sel.details - start))
      .filter((c) => detailLines(c).length > 0);
    if (detailed.length === 0) continue;
    const body = detailed.map((c) => [`@@ ${c.address} @@`, ...detailLines(c)].join("\n")).join("\n");
    out.push(
      `<details><summary>Details of ${detailed.length === all.length ? "these" : `${count(detailed.length)} of these`}</summary>\n\n\`\`\`diff\n${body}\n\`\`\`\n</details>\n`,
    );
  }
  return out;
}

function truncationNote(left: number, folded: number, total: number, max: number, fullPlan?: string): string {
  const what: string[] = [];
  if (left > 0) what.push(`${count(left)} of ${plural(total, "change")} are not listed`);
  if (folded > 0) what.push(`the details of ${plural(folded, "listed change")} are left out`);
  if (what.length === 0) what.push("the diagram is left out");
  const where =
    fullPlan ??
    "run `jsplan plan` (or `jsplan show` on the saved plan) with the same manifest; in CI, the job log or the plan artifact has it";
  return `> [!NOTE]\n> ✂️ Shortened to fit in ${count(max)} characters: ${what.join(", and ")}. The full plan: ${where}.`;
}
