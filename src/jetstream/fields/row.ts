// What jsplan knows about one field of a JetStream config, as one row of a table (stream.ts, consumer.ts).
// Everything that treats fields alike reads these rows: unit conversion in load, canonical forms, support
// checks, the common part of classification, export order, and the renderers' units and hidden defaults.
// A field with a rule of its own says `special` in the column concerned; the rule lives next to the table.

/** How a value is written in a manifest and shown in a plan. Wire values are nanoseconds and bytes. */
export type FieldUnit = "duration" | "durations" | "size" | "limit";

/**
 * How the server fills the field when a request leaves it unset, as the canonical form spells it:
 * - `default`: unset (false, 0, "") becomes `default`;
 * - `unlimited`: unset, 0 or anything below -1 becomes -1;
 * - `omit`: left out when false, 0, "", an empty list, or equal to `default`;
 * - `special`: a rule of its own in the canonical form.
 */
export type Fill = "default" | "unlimited" | "omit" | "special";

/** Whether a change of the field can be made in place, by the server's rules. */
export type UpdateRule =
  | { readonly kind: "in-place" }
  | { readonly kind: "immutable"; readonly reason: string }
  /** Can be turned on in place, but not off again: turning it off replaces the resource. */
  | { readonly kind: "one-way"; readonly reason: string }
  | { readonly kind: "special" };

export interface FieldRow {
  /** The wire name, as the JetStream API and the manifest spell it. */
  readonly name: string;
  readonly unit?: FieldUnit;
  readonly fill: Fill;
  /** The server's default in wire units, where it has one (-1 for `unlimited` fields). */
  readonly default?: string | number | boolean;
  /** The server version that introduced the field; undefined for fields of every supported version. */
  readonly since?: string;
  readonly update: UpdateRule;
  /** The renderers leave the default value out of a create: the plan lists what the manifest sets. */
  readonly hideDefault?: boolean;
  /** False for a field that export leaves out (state rather than configuration). */
  readonly exported?: boolean;
  /**
   * The server's integer type when it is narrower than int64 (Go's encoding/json refuses larger values with
   * 10025 "cannot unmarshal … into … int32"). Every other integer field is int64 or uint64, and jsplan carries
   * whole numbers only up to 2^53 − 1 (see MAX_EXACT), which both hold.
   */
  readonly int32?: boolean;
  /** The fields of a nested mapping that have units of their own (`consumer_limits.inactive_threshold`). */
  readonly nested?: readonly FieldRow[];
}

export const IN_PLACE: UpdateRule = { kind: "in-place" };
export const SPECIAL: UpdateRule = { kind: "special" };

export function immutable(reason: string): UpdateRule {
  return { kind: "immutable", reason };
}

export function oneWay(reason: string): UpdateRule {
  return { kind: "one-way", reason };
}

/** One kind's table, with the lookups every reader needs, computed once. */
export class FieldTable {
  readonly #byName: ReadonlyMap<string, FieldRow>;
  /** The rows in key order, for canonical forms that build their output in key order. */
  readonly sorted: readonly FieldRow[];
  readonly names: ReadonlySet<string>;

  constructor(readonly rows: readonly FieldRow[]) {
    this.#byName = new Map(rows.map((r) => [r.name, r]));
    this.sorted = [...rows].sort((a, b) => (a.name < b.name ? -1 : 1));
    this.names = new Set(rows.map((r) => r.name));
  }

  row(name: string): FieldRow | undefined {
    return this.#byName.get(name);
  }

  /** The rows with a value in `column` (e.g. every field with a unit, or a version). */
  where(pick: (row: FieldRow) => boolean): FieldRow[] {
    return this.rows.filter(pick);
  }

  /** The unit of a field path without list indexes (`backoff`, `consumer_limits.inactive_threshold`). */
  unitOf(path: string): FieldUnit | undefined {
    const [head, ...rest] = path.replace(/\[\d+\]/g, "").split(".");
    const row = this.#byName.get(head!);
    if (!row) return undefined;
    if (rest.length === 0) return row.unit;
    return row.nested?.find((n) => n.name === rest.join("."))?.unit;
  }

  /** The export order: the table's own. */
  get exportOrder(): string[] {
    return this.rows.filter((r) => r.exported !== false).map((r) => r.name);
  }
}

/** True when a value counts as set for a field: not false, 0, "", undefined or the field's default. */
export function isSet(row: FieldRow | undefined, v: unknown): boolean {
  return v !== undefined && v !== false && v !== 0 && v !== "" && v !== row?.default;
}
