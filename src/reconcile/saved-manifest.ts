// A saved plan is never trusted: it records the manifest it was made from (the files as read, the values
// of the variables they reference, the targets), and `apply --plan` plans again from that record and the
// server's state now. Only when the plan made now is the saved one, step for step, does apply carry it
// out, and every safety property (destructive, blocked, ownership, losses) is the re-derived plan's.

import { sortedJson } from "../jetstream/fingerprint.js";
import { loadSourcesInterleaved } from "../load/load.js";
import { namesContexts } from "../load/targets.js";
import type { SourceFile } from "../load/yaml-document.js";
import { formatPos, hasErrors } from "../model/diagnostic.js";
import type { ObservedState } from "../model/observed.js";
import type { Change, Plan, SavedManifest } from "../model/plan.js";
import { planFrom } from "./planning.js";

type Env = Readonly<Record<string, string | undefined>>;

/** The names of the variables a manifest text references, `$${` escapes left out. */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (m[1] !== "$") names.add(m[2]!);
  }
  return [...names].sort();
}

/** What a saved plan records so that `apply --plan` can plan again from the same input. */
export function recordManifest(
  files: readonly SourceFile[],
  env: Env,
  targets: readonly string[],
): SavedManifest {
  const variables: Record<string, string | null> = {};
  for (const f of files) {
    for (const name of referencedVariables(f.text)) variables[name] = env[name] ?? null;
  }
  return {
    sources: files.map((f) => ({ path: f.path, text: f.text })),
    variables,
    targets: [...targets],
  };
}

export type Rederived =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Plans again from what the saved plan records; the problems say how the result differs from the file. */
export async function rederive(
  saved: Plan,
  record: SavedManifest,
  observed: ObservedState,
): Promise<Rederived> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.variables)) if (value !== null) env[name] = value;
  const loaded = await loadSourcesInterleaved(record.sources, env);
  if (hasErrors(loaded.diagnostics) || !loaded.desired) {
    const first = loaded.diagnostics.find((d) => d.severity === "error");
    return {
      ok: false,
      problems: [
        `the manifest it records no longer loads${first ? `: ${formatPos(first.pos)} ${first.message}` : ""}`,
      ],
    };
  }
  if (namesContexts(loaded.targets ?? [])) {
    return {
      ok: false,
      problems: [
        "the manifest it records names natscli contexts (context:), which a saved plan does not support",
      ],
    };
  }
  const outcome = planFrom({ desired: loaded.desired, observed, targets: record.targets });
  if (!outcome.plan) {
    const first = outcome.diagnostics.find((d) => d.severity === "error");
    return {
      ok: false,
      problems: [`a plan made now from its manifest is refused${first ? `: ${first.message}` : ""}`],
    };
  }
  const problems = planDifferences(saved, outcome.plan);
  return problems.length === 0 ? { ok: true, plan: outcome.plan } : { ok: false, problems };
}

const ACTION_WORDS: Readonly<Record<string, string>> = {
  create: "creates",
  update: "updates",
  replace: "replaces",
  delete: "deletes",
  noop: "leaves alone",
};

/** How the saved plan differs from the one made now: per address, then the order of the steps. */
export function planDifferences(saved: Plan, now: Plan): string[] {
  const problems: string[] = [];
  const before = byAddress(saved.changes);
  const after = byAddress(now.changes);
  for (const address of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const s = before.get(address);
    const n = after.get(address);
    if (!s || !n) {
      const which = s ?? n!;
      problems.push(
        s
          ? `${address}: the file ${ACTION_WORDS[which.action] ?? which.action} it, and a plan made now from its manifest has no such change`
          : `${address}: a plan made now ${ACTION_WORDS[which.action] ?? which.action} it, and the file does not`,
      );
    } else if (s.action !== n.action) {
      problems.push(
        `${address}: the file ${ACTION_WORDS[s.action] ?? s.action} it, and a plan made now ${ACTION_WORDS[n.action] ?? n.action} it`,
      );
    } else {
      const keys = differingKeys(s, n);
      if (keys.length > 0) problems.push(`${address}: ${keys.join(", ")} differ from a plan made now`);
    }
  }
  if (problems.length === 0 && sortedJson(saved.steps) !== sortedJson(now.steps)) {
    problems.push("its steps differ from those of a plan made now (order, addresses or calls)");
  }
  return problems;
}

function byAddress(changes: unknown): Map<string, Change> {
  const out = new Map<string, Change>();
  for (const c of Array.isArray(changes) ? (changes as Change[]) : []) {
    if (c && typeof c.address === "string") out.set(c.address, c);
  }
  return out;
}

/**
 * What a change does and what it costs: everything but its explanations (the diff follows from before and
 * after; reasons are words, which may quote live figures such as a mirror's lag that move on their own).
 */
const EXPLANATIONS = new Set(["diff", "reasons", "reason_details"]);

function differingKeys(a: Change, b: Change): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !EXPLANATIONS.has(k)));
  const rec = (x: Change) => x as unknown as Record<string, unknown>;
  return [...keys].filter((k) => sortedJson(rec(a)[k]) !== sortedJson(rec(b)[k])).sort();
}
