// A saved plan is never trusted: it records the manifest it was made from (the files as read, the values
// of the variables they reference, the targets), and `apply --plan` plans again from that record and the
// server's state now. Only when the plan made now is the saved one, step for step, does apply carry it
// out, and every safety property (destructive, blocked, ownership, losses) is the re-derived plan's.

import { createHash } from "node:crypto";
import { sortedJson } from "../jetstream/fingerprint.js";
import { loadSourcesInterleaved } from "../load/load.js";
import { namesContexts } from "../load/targets.js";
import type { SourceFile } from "../load/yaml-document.js";
import { kvEntryAddress } from "../model/address.js";
import type { DesiredState } from "../model/desired.js";
import { formatPos, hasErrors } from "../model/diagnostic.js";
import type { ObservedState } from "../model/observed.js";
import type { Change, Plan, RecordedVariable, SavedManifest } from "../model/plan.js";
import { SavedPlanRefused } from "./errors.js";
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

/**
 * What a saved plan records so that `apply --plan` can plan again from the same input. A manifest with
 * sensitive KV entries is recorded without any variable's value (only a digest of it, checked against the
 * environment of the apply), and one that writes a sensitive value into its own text cannot be saved at all:
 * the file would hold the value that no output may show.
 */
export function recordManifest(
  files: readonly SourceFile[],
  env: Env,
  targets: readonly string[],
  desired?: DesiredState,
): SavedManifest {
  const secrets = sensitiveValues(desired);
  for (const [address, value] of secrets) {
    if (files.some((f) => f.text.includes(value)))
      throw new SavedPlanRefused(
        "sensitive",
        `${address} is sensitive and its value is written in the manifest's text, which a saved plan records; set it from a variable (value: "\${NAME}") to save this plan, or plan and apply without --out`,
      );
  }
  const variables: Record<string, RecordedVariable> = {};
  for (const f of files) {
    for (const name of referencedVariables(f.text)) {
      const value = env[name];
      variables[name] = value === undefined ? null : secrets.size > 0 ? { sha256: digestOf(value) } : value;
    }
  }
  return {
    sources: files.map((f) => ({ path: f.path, text: f.text })),
    variables,
    targets: [...targets],
  };
}

/** The sensitive values a manifest declares, by entry address. */
function sensitiveValues(desired: DesiredState | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of desired?.keyValues ?? []) {
    for (const e of b.entries ?? [])
      if (e.sensitive && e.value !== "") out.set(kvEntryAddress(b.name, e.key), e.value);
  }
  return out;
}

function digestOf(value: string): string {
  return `sha256:${createHash("sha256").update(value).digest("hex")}`;
}

/**
 * The variables to plan again with: recorded values as they are; one recorded only as a digest is taken from
 * the environment of the apply, which must hold the same value (a problem names the variable, never a value).
 */
function variablesFor(record: SavedManifest, env: Env): { env: Record<string, string>; problems: string[] } {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(record.variables)) {
    if (value === null) continue;
    if (typeof value === "string") {
      out[name] = value;
      continue;
    }
    const now = env[name];
    if (now === undefined) problems.push(`the variable ${name} is not set; the plan was made with it set`);
    else if (digestOf(now) !== value.sha256)
      problems.push(`the variable ${name} has another value than when the plan was made`);
    else out[name] = now;
  }
  return { env: out, problems };
}

export type Rederived =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Plans again from what the saved plan records; the problems say how the result differs from the file. */
export async function rederive(
  saved: Plan,
  record: SavedManifest,
  observed: ObservedState,
  /** The environment of the apply, for the variables the record holds only as digests. */
  env: Env,
  /** Reads the keys of the buckets whose recorded manifest declares entries (see withEntries). */
  withEntries: (desired: DesiredState, observed: ObservedState) => Promise<ObservedState> = async (_d, o) =>
    o,
): Promise<Rederived> {
  const variables = variablesFor(record, env);
  if (variables.problems.length > 0) return { ok: false, problems: variables.problems };
  const loaded = await loadSourcesInterleaved(record.sources, variables.env);
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
  const state = await withEntries(loaded.desired, observed);
  const outcome = planFrom({ desired: loaded.desired, observed: state, targets: record.targets });
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
