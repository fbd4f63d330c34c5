// JSON Schema validation of each manifest document, with Ajv's errors grouped by the value they are about,
// located (the resource's address, the field's path and position) and worded by schema-messages.ts. One
// message per value; `anyOf` noise is folded into the specific message.

import type { ErrorObject } from "ajv";
import { consumerAddress, kvAddress, objectStoreAddress, streamAddress } from "../model/address.js";
import { type Diagnostic, LISTED_DIAGNOSTICS } from "../model/diagnostic.js";
import { formatPath } from "../model/field-path.js";
import { manifestValidator } from "./schema.js";
import { definitionOf, messageFor } from "./schema-messages.js";
import type { LoadedDocument } from "./yaml-document.js";

export interface SchemaResult {
  readonly diagnostics: Diagnostic[];
  /** `file#doc/streams/3`-style keys of the resources (and top-level keys) that failed. */
  readonly rejected: Set<string>;
  /** Errors past the first LISTED_DIAGNOSTICS, counted but not worded or located. */
  readonly unlisted: number;
}

export function validateDocuments(docs: readonly LoadedDocument[]): SchemaResult {
  const validate = manifestValidator();
  const diagnostics: Diagnostic[] = [];
  const rejected = new Set<string>();
  let unlisted = 0;
  for (const doc of docs) {
    if (validate(doc.value)) continue;
    const errors = validate.errors ?? [];
    const docKey = `${doc.file}#${doc.index}`;
    for (const e of errors) rejected.add(`${docKey}${resourcePointer(e.instancePath)}`);
    const listed = toDiagnostics(doc, errors, LISTED_DIAGNOSTICS - diagnostics.length);
    for (const d of listed.diagnostics) diagnostics.push(d); // not push(...): may be very many
    unlisted += listed.unlisted;
  }
  return { diagnostics, rejected, unlisted };
}

/** The pointer of the resource an error is inside: `/streams/3`, `/streams/3/consumers/1`, or a top-level key. */
function resourcePointer(instancePath: string): string {
  const seg = instancePath.split("/").slice(1);
  if (seg[0] === "streams" && seg[2] === "consumers" && seg[3] !== undefined)
    return `/${seg.slice(0, 4).join("/")}`;
  if (seg.length >= 2 && ["streams", "consumers", "key_value", "object_stores"].includes(seg[0]!))
    return `/${seg.slice(0, 2).join("/")}`;
  return seg.length === 0 ? "" : `/${seg[0]}`;
}

function segments(instancePath: string): Array<string | number> {
  return instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let v: unknown = root;
  for (const s of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[String(s)];
  }
  return v;
}

/** The address of the resource at `path` and the field path inside it, for the message. */
function locate(root: unknown, path: ReadonlyArray<string | number>): { address?: string; field: string } {
  const name = (p: ReadonlyArray<string | number>, key = "name") => {
    const v = valueAt(root, [...p, key]);
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  // A resource without a usable name has no address; the position says which one it is.
  const [top, i, sub, j] = path;
  const field = formatPath(path.slice(2));
  if (top === "streams" && typeof i === "number") {
    const s = name(["streams", i]);
    if (sub === "consumers" && typeof j === "number") {
      const c = name(["streams", i, "consumers", j]);
      return { ...(s && c ? { address: consumerAddress(s, c) } : {}), field: formatPath(path.slice(4)) };
    }
    return { ...(s ? { address: streamAddress(s) } : {}), field };
  }
  if (top === "consumers" && typeof i === "number") {
    const s = name(["consumers", i], "stream");
    const c = name(["consumers", i]);
    return { ...(s && c ? { address: consumerAddress(s, c) } : {}), field };
  }
  if (top === "key_value" && typeof i === "number") {
    const b = name(["key_value", i], "bucket");
    return { ...(b ? { address: kvAddress(b) } : {}), field };
  }
  if (top === "object_stores" && typeof i === "number") {
    const b = name(["object_stores", i], "bucket");
    return { ...(b ? { address: objectStoreAddress(b) } : {}), field };
  }
  return { field: formatPath(path) };
}

function toDiagnostics(
  doc: LoadedDocument,
  errors: readonly ErrorObject[],
  room: number,
): { diagnostics: Diagnostic[]; unlisted: number } {
  // Group by the value they are about; an unknown key is about the key itself.
  const groups = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const key =
      e.keyword === "additionalProperties"
        ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}#key`
        : e.instancePath;
    const g = groups.get(key);
    if (g) g.push(e);
    else groups.set(key, [e]);
  }
  const above = ancestorsOf(groups.keys());
  const out: Diagnostic[] = [];
  let unlisted = 0;
  for (const [key, group] of groups) {
    // An anyOf/oneOf that failed because of a deeper, specific error adds nothing.
    const specific = group.filter(
      (e) => e.keyword !== "anyOf" && e.keyword !== "oneOf" && e.keyword !== "if",
    );
    if (specific.length === 0 && above.has(key)) continue;
    if (out.length >= room) {
      unlisted++;
      continue;
    }
    const first = group[0]!;
    // Keys that are not allowed at all (`false` schemas) are about the key, like unknown keys.
    const isKey = key.endsWith("#key") || first.keyword === "false schema";
    const path = segments(first.instancePath);
    if (first.keyword === "additionalProperties")
      path.push((first.params as { additionalProperty: string }).additionalProperty);
    const value = valueAt(doc.value, path);
    const { address, field } = locate(doc.value, path);
    const message = messageFor(group, specific, value, field, path);
    out.push({
      severity: "error",
      pos: doc.positions.positionOf(path, isKey ? "key" : "value"),
      ...(address ? { address } : {}),
      ...(field ? { path: field } : {}),
      code: `schema.${codeOf(group, specific)}`,
      message,
    });
  }
  return { diagnostics: out, unlisted };
}

/** Every proper prefix (`""`, `/streams`, `/streams/3`) of the keys: the keys that have a deeper one. */
function ancestorsOf(keys: Iterable<string>): Set<string> {
  const above = new Set<string>();
  for (const key of keys) {
    for (let i = key.lastIndexOf("/"); i >= 0; i = i === 0 ? -1 : key.lastIndexOf("/", i - 1)) {
      const prefix = key.slice(0, i);
      if (above.has(prefix)) break; // and its own prefixes are in already
      above.add(prefix);
    }
  }
  return above;
}

function codeOf(group: readonly ErrorObject[], specific: readonly ErrorObject[]): string {
  const def = group.map(definitionOf).find((d) => d !== undefined);
  if (def === "duration" || def === "size" || def === "sizeOrUnlimited" || def === "size32OrUnlimited")
    return def === "duration" ? "duration" : "size";
  const e = specific[0] ?? group[0]!;
  return e.keyword === "additionalProperties"
    ? "unknown-key"
    : e.keyword === "required"
      ? "required"
      : e.keyword;
}
