// Classification of one changed field: can the server take it in place, or does it force a delete and
// re-create? What the field table says (immutable, one-way, in place) is decided here for every field
// alike; the rules of the `special` fields are in classify-stream.ts and classify-consumer.ts.

import type { FieldRow } from "./fields/row.js";

export interface Classification {
  readonly forcesReplace: boolean;
  readonly reason?: string;
}

export const UPDATE: Classification = { forcesReplace: false };

export const replace = (reason: string): Classification => ({ forcesReplace: true, reason });

export const truthy = (v: unknown) => v !== undefined && v !== false && v !== null && v !== "" && v !== 0;

/** The table's verdict for a change of `row`, or undefined when the row's rule is special. */
export function classifyByTable(
  row: FieldRow | undefined,
  before: unknown,
  after: unknown,
): Classification | undefined {
  const rule = row?.update ?? { kind: "in-place" };
  switch (rule.kind) {
    case "in-place":
      return UPDATE;
    case "immutable":
      return replace(rule.reason);
    case "one-way":
      return truthy(before) && !truthy(after) ? replace(rule.reason) : UPDATE;
    case "special":
      return undefined;
  }
}
