// Wire values in human units, for text and markdown. Units, defaults and bucket names come from the field
// tables (src/jetstream/fields/).

import { ENTRY_SENSITIVE } from "../jetstream/entries.js";
import { bucketView, fieldsOf, unitOf } from "../jetstream/fields/index.js";
import { formatDuration, formatSize } from "../model/units.js";

/** A wire value of field `path` of a resource of `kind`, in human units. */
export function formatValue(kind: string, path: string, value: unknown): string {
  if (value === undefined || value === null) return "(unset)";
  // A key's value is data, quoted as written; a sensitive one is never there to quote.
  if (kind === "kv_entry" && path === "value" && typeof value === "string")
    return value === ENTRY_SENSITIVE ? value : JSON.stringify(value);
  const unit = unitOf(kind, path);
  if (typeof value === "number") {
    if (unit === "duration") return formatDuration(value);
    if (unit === "size") return formatSize(value);
    if (unit === "limit" && value === -1) return "unlimited";
    return String(value);
  }
  if (unit === "durations" && Array.isArray(value))
    return `[${value.map((v) => formatDuration(Number(v))).join(", ")}]`;
  if (typeof value === "string") return /^[\w.*>$/:@%+-]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Server defaults that a new resource does not need to show (the plan lists only what the manifest sets). */
export function isShownOnCreate(kind: string, key: string, value: unknown): boolean {
  if (key === "name" || key === "durable_name") return false;
  if (kind === "kv_entry" && key === "sensitive") return false;
  if (isBucketInternal(kind, key)) return false;
  const row = fieldsOf(kind).row(key);
  return !(row?.hideDefault && row.default === value);
}

/** Bucket settings are stream fields underneath; plans show them under the bucket's own names. */
export function displayPath(kind: string, path: string): string {
  const names = bucketView(kind)?.displayNames;
  if (!names) return path;
  const head = path.split(/[.[]/)[0]!;
  const shown = names.get(head);
  return shown ? `${shown}${path.slice(head.length)}` : path;
}

export function isBucketInternal(kind: string, key: string): boolean {
  return bucketView(kind)?.internals.has(key) ?? false;
}
