// `ignore_changes` of a manifest resource: field paths whose live value wins, checked against the fields the
// resource has, and turned into wire paths of its backing config (a bucket's `history` is its stream's
// `max_msgs_per_subject`). The schema has checked the shape (`all`, or a list of strings).

import { CONSUMER_FIELDS, KV_VIEW, OBJECT_STORE_VIEW, STREAM_FIELDS } from "../jetstream/fields/index.js";
import type { IgnoreChanges } from "../model/desired.js";
import { closest } from "./suggest.js";

export type IgnoringKind = "stream" | "consumer" | "kv" | "objectstore";

export interface IgnoreProblem {
  /** Where in the resource, e.g. `ignore_changes[1]`. */
  readonly path: string;
  readonly message: string;
}

const WORD: Readonly<Record<IgnoringKind, string>> = {
  stream: "a stream",
  consumer: "a consumer",
  kv: "a KV bucket",
  objectstore: "an object store",
};

/** Manifest name of a resource's field → its wire name. */
function fieldsOf(kind: IgnoringKind): ReadonlyMap<string, string> {
  if (kind === "stream" || kind === "consumer") {
    const table = kind === "stream" ? STREAM_FIELDS : CONSUMER_FIELDS;
    return new Map(table.where(() => true).map((r) => [r.name, r.name]));
  }
  const view = kind === "kv" ? KV_VIEW : OBJECT_STORE_VIEW;
  return new Map([
    ...view.settings.map((s) => [s.name, s.stream ?? s.name] as const),
    ["metadata", "metadata"],
  ]);
}

export function readIgnoreChanges(
  raw: unknown,
  kind: IgnoringKind,
): { value?: IgnoreChanges; problems: IgnoreProblem[] } {
  if (raw === undefined || raw === null) return { problems: [] };
  if (raw === "all") return { value: "all", problems: [] };
  if (!Array.isArray(raw)) return { problems: [] };
  const fields = fieldsOf(kind);
  const problems: IgnoreProblem[] = [];
  const out: string[] = [];
  raw.forEach((entry, i) => {
    if (typeof entry !== "string") return;
    // The first segment names the field; what follows is inside it (consumer_limits.max_ack_pending).
    const [head = "", ...rest] = entry.split(".");
    const wire = fields.get(head);
    if (!wire) {
      const near = closest(head, [...fields.keys()]);
      problems.push({
        path: `ignore_changes[${i}]`,
        message: `ignore_changes: "${entry}" is not a field of ${WORD[kind]}${near ? `; did you mean ${near}?` : ""}`,
      });
      return;
    }
    out.push([wire, ...rest].join("."));
  });
  return problems.length > 0 ? { problems } : { value: out, problems };
}
