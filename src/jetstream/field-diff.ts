// Field-level differences between two canonical configs. deep-diff finds them; lists are then reported
// whole (`subjects: [a] → [a, b]`), because an element-by-element account of a list reads worse and a
// list is always sent whole anyway. Mappings (metadata) keep per-key changes.

import deepDiff from "deep-diff";
import { formatPath, type PathSegment } from "../model/field-path.js";

export interface RawFieldChange {
  readonly path: string;
  /** The top-level field, for classification. */
  readonly field: string;
  readonly segments: readonly PathSegment[];
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Structural equality for JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b as object, k) &&
      jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

function valueAt(o: unknown, path: readonly PathSegment[]): unknown {
  let v = o;
  for (const s of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[String(s)];
  }
  return v;
}

export function diffConfigs(before: object, after: object): RawFieldChange[] {
  // Most resources are in sync: a cheap equality check spares deep-diff the work.
  if (jsonEqual(before, after)) return [];
  const raw = deepDiff(before, after) ?? [];
  const seen = new Set<string>();
  const out: RawFieldChange[] = [];
  for (const d of raw) {
    const full = (d.path ?? []) as PathSegment[];
    // Stop at the first list: the list is the unit of change.
    const cut = full.findIndex(
      (_s, i) =>
        Array.isArray(valueAt(before, full.slice(0, i + 1))) ||
        Array.isArray(valueAt(after, full.slice(0, i + 1))),
    );
    const segments = cut >= 0 ? full.slice(0, cut + 1) : full;
    const path = formatPath(segments);
    if (seen.has(path)) continue;
    seen.add(path);
    const b = valueAt(before, segments);
    const a = valueAt(after, segments);
    out.push({
      path,
      field: String(segments[0]),
      segments,
      ...(b !== undefined ? { before: b } : {}),
      ...(a !== undefined ? { after: a } : {}),
    });
  }
  return out;
}
