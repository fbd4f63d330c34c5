// `ignore_changes`: the fields of a resource whose live value wins. The plan compares as usual, then, for
// each ignored field that differs without forcing a replace, takes the live value into what it wants and
// compares again: no update and no drift on those fields, and a word about them instead. A field that forces
// a replace is not hidden (its live value cannot have been changed in place: the manifest changed it), and
// jsplan's own markers (metadata jsplan.*) are never ignored.

import type { IgnoreChanges } from "../model/desired.js";
import type { Change, FieldChange } from "../model/plan.js";

const MARKER = /^metadata(\["jsplan\.|\.jsplan\.)/;

function touches(path: string, entry: string): boolean {
  return path === entry || path.startsWith(`${entry}.`) || path.startsWith(`${entry}[`);
}

/** The field a diff path is in: `consumer_limits` for `consumer_limits.max_ack_pending`. */
function fieldOf(path: string): string {
  return path.split(/[.[]/, 1)[0]!;
}

/** The ignored entries that the change's diff touches without forcing a replace, with their diffs. */
export function ignoredDiffs(
  change: Change,
  ignore: IgnoreChanges | undefined,
): { entries: string[]; diffs: FieldChange[] } {
  if (!ignore || (change.action !== "update" && change.action !== "replace"))
    return { entries: [], diffs: [] };
  const candidates = ignore === "all" ? [...new Set(change.diff.map((d) => fieldOf(d.path)))] : ignore;
  const entries: string[] = [];
  const diffs: FieldChange[] = [];
  for (const e of candidates) {
    const touched = change.diff.filter((d) => touches(d.path, e) && !MARKER.test(d.path));
    if (touched.length === 0 || touched.some((d) => d.forces_replace)) continue;
    entries.push(e);
    diffs.push(...touched);
  }
  return { entries, diffs };
}

type Obj = Record<string, unknown>;

/** `after` with the live value of each entry (jsplan's markers in metadata kept as `after` has them). */
export function withLiveValues<T extends object>(after: T, before: T, entries: readonly string[]): T {
  const out = structuredClone(after) as Obj;
  const live = before as Obj;
  for (const e of entries) {
    if (e === "metadata") {
      const mine = Object.entries((out.metadata ?? {}) as Obj).filter(([k]) => k.startsWith("jsplan."));
      const theirs = Object.entries((live.metadata ?? {}) as Obj).filter(([k]) => !k.startsWith("jsplan."));
      const merged = Object.fromEntries([...theirs, ...mine]);
      if (Object.keys(merged).length > 0) out.metadata = merged;
      else delete out.metadata;
      continue;
    }
    const [head, ...rest] = e.split(".");
    setPath(out, [head!, ...rest], getPath(live, [head!, ...rest]));
  }
  return out as T;
}

function getPath(o: Obj, path: readonly string[]): unknown {
  let v: unknown = o;
  for (const k of path) v = v && typeof v === "object" ? (v as Obj)[k] : undefined;
  return v;
}

function setPath(o: Obj, path: readonly string[], value: unknown): void {
  const [k, ...rest] = path;
  if (k === undefined) return;
  if (rest.length === 0) {
    if (value === undefined) delete o[k];
    else o[k] = structuredClone(value);
    return;
  }
  const child = o[k] && typeof o[k] === "object" ? (o[k] as Obj) : {};
  setPath(child, rest, value);
  if (Object.keys(child).length > 0) o[k] = child;
  else delete o[k];
}

/**
 * The change with the ignored fields' live values taken: `recompare` compares again with them (and
 * classifies again: an update of what is left). `ignored`: the field changes left out, for a word.
 */
export function withoutIgnored(
  change: Change,
  ignore: IgnoreChanges | undefined,
  recompare: (entries: readonly string[]) => Change,
): { change: Change; ignored: readonly FieldChange[] } {
  const { entries, diffs } = ignoredDiffs(change, ignore);
  if (entries.length === 0) return { change, ignored: [] };
  return { change: recompare(entries), ignored: diffs };
}
