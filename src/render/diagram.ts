// A topology drawn as Mermaid (which GitHub and GitLab render in comments) or Graphviz DOT. Nodes are
// marked by action: a symbol in the label and a class (colour) per action.

import type { Plan } from "../model/plan.js";
import { boundTopology, type NodeMark, planTopology, type Topology, type TopoNode } from "./topology.js";

const SYMBOL: Record<NodeMark, string> = {
  create: "➕ ",
  update: "🔄 ",
  replace: "♻️ ",
  delete: "🗑️ ",
  blocked: "⛔ ",
  "no-op": "",
  context: "",
};

const mermaidText = (s: string) =>
  s.replace(/"/g, "#quot;").replace(/[<>]/g, (c) => (c === "<" ? "#lt;" : "#gt;"));

function mermaidShape(n: TopoNode, id: string): string {
  const label = `"${mermaidText(SYMBOL[n.mark] + n.label)}"`;
  switch (n.kind) {
    case "kv":
    case "objectstore":
      return `${id}[(${label})]`;
    case "consumer":
    case "consumers":
      return `${id}([${label}])`;
    case "more":
      return `${id}>${label}]`;
    default:
      return `${id}[${label}]`;
  }
}

const CLASSES = [
  "classDef create fill:#dafbe1,stroke:#1a7f37,color:#1f2328",
  "classDef update fill:#fff8c5,stroke:#9a6700,color:#1f2328",
  "classDef replace fill:#ffebe9,stroke:#cf222e,color:#1f2328,stroke-dasharray:5 3",
  "classDef delete fill:#ffebe9,stroke:#cf222e,color:#1f2328,stroke-width:3px",
  "classDef blocked fill:#cf222e,stroke:#82071e,color:#ffffff,stroke-width:3px",
  "classDef context fill:#f6f8fa,stroke:#8c959f,color:#57606a",
];

/** Mermaid flowchart text (without the ``` fence). */
export function toMermaid(t: Topology): string {
  const ids = new Map(t.nodes.map((n, i) => [n.id, `n${i}`]));
  const out = ["flowchart LR"];
  for (const n of t.nodes)
    out.push(`  ${mermaidShape(n, ids.get(n.id)!)}:::${n.mark === "no-op" ? "context" : n.mark}`);
  for (const e of t.edges) {
    const from = ids.get(e.from);
    const to = ids.get(e.to);
    if (!from || !to) continue;
    out.push(
      e.kind === "consumer"
        ? `  ${from} -.- ${to}`
        : `  ${from} -->|"${mermaidText(e.label ?? e.kind)}"| ${to}`,
    );
  }
  const used = new Set<string>(t.nodes.map((n) => (n.mark === "no-op" ? "context" : n.mark)));
  out.push(...CLASSES.filter((c) => used.has(c.split(" ")[1]!)).map((c) => `  ${c}`));
  return `${out.join("\n")}\n`;
}

const FILL: Record<NodeMark, string> = {
  create: "#dafbe1",
  update: "#fff8c5",
  replace: "#ffebe9",
  delete: "#ffebe9",
  blocked: "#ff8182",
  "no-op": "#f6f8fa",
  context: "#f6f8fa",
};

const dotText = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** Graphviz DOT text. */
export function toDot(t: Topology): string {
  const out = [
    "digraph jsplan {",
    "  rankdir=LR;",
    '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
  ];
  for (const n of t.nodes) {
    const shape =
      n.kind === "kv" || n.kind === "objectstore"
        ? ", shape=cylinder"
        : n.kind === "consumer" || n.kind === "consumers"
          ? ", shape=oval"
          : "";
    out.push(
      `  ${dotText(n.id)} [label=${dotText(SYMBOL[n.mark] + n.label)}, fillcolor=${dotText(FILL[n.mark])}${shape}];`,
    );
  }
  for (const e of t.edges) {
    const style =
      e.kind === "consumer" ? " [style=dashed, arrowhead=none]" : ` [label=${dotText(e.label ?? e.kind)}]`;
    out.push(`  ${dotText(e.from)} -> ${dotText(e.to)}${style};`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

/** The nodes a diagram in a comment draws at most (GitHub renders a few hundred; people read fewer). */
export const PLAN_DIAGRAM_NODES = 80;

/**
 * The markdown section with the diagram of what the plan touches, within `maxChars`; undefined when the
 * plan changes nothing or even the smallest diagram is too long.
 */
export function planDiagramMarkdown(plan: Plan, maxChars: number): string | undefined {
  const touched = planTopology(plan);
  if (touched.nodes.every((n) => n.mark === "context")) return undefined;
  for (let nodes = PLAN_DIAGRAM_NODES; nodes >= 5; nodes = Math.floor(nodes / 2)) {
    const bounded = boundTopology(touched, nodes);
    const text = `#### 🗺️ What this plan touches\n\n\`\`\`mermaid\n${toMermaid(bounded)}\`\`\``;
    if (text.length <= maxChars) return text;
  }
  return undefined;
}
