// `${VAR}` on the js-yaml fast path (fast-yaml.ts): the yaml path (yaml-nodes.ts) fills variables into
// scalar values and re-types plain scalars only, so the plain scalars that hold a variable are marked while
// js-yaml reads them, and filled in afterwards.

import { randomUUID } from "node:crypto";
import { Type } from "js-yaml";
import { type Env, interpolate, retypePlainScalar } from "./interpolate.js";
import { setOwn } from "./own-keys.js";

/** A problem the fast path leaves to the `yaml` path, which reports it with its place. */
export class VariableProblem extends Error {}

// A plain scalar with `${`: js-yaml tries implicit types on plain scalars only, so this one marks exactly the
// scalars that are re-typed once filled in (quoted and block scalars stay strings). The mark is as unique
// as MERGE's.
const PLAIN = `\u0000jsplan-plain-${randomUUID()}`;
export const plainWithVariable = new Type("tag:jsplan,2024:plain-variable", {
  kind: "scalar",
  resolve: (s: string | null) => s?.includes("${") === true,
  construct: (s: string) => PLAIN + s,
});

/** A line with `${` and a flow collection: the two libraries may not split it alike. */
export function variableInFlow(text: string): boolean {
  if (!text.includes("${")) return false;
  for (const m of text.matchAll(/^.*\$\{.*$/gm)) if (/[[{]/.test(m[0].replaceAll("${", ""))) return true;
  return false;
}

/**
 * `${VAR}` filled in as the `yaml` path fills it: in values only (keys stay as written), plain scalars
 * re-typed. A problem (an unset variable) leaves the file to the `yaml` path, which says where it is.
 */
export function fill(v: unknown, env: Env): unknown {
  if (typeof v === "string") {
    const plain = v.startsWith(PLAIN);
    const text = plain ? v.slice(PLAIN.length) : v;
    if (!text.includes("${")) return text;
    const r = interpolate(text, env);
    if (!r.ok) throw new VariableProblem();
    return plain ? retypePlainScalar(r.value) : r.value;
  }
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((c) => fill(c, env));
  const out: Record<string, unknown> = {};
  for (const [k, c] of Object.entries(v)) {
    setOwn(out, k.startsWith(PLAIN) ? k.slice(PLAIN.length) : k, fill(c, env));
  }
  return out;
}
