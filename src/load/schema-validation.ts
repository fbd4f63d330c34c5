// JSON Schema validation of each manifest document, with Ajv's errors turned into messages a person can act
// on: the key that is unknown and the one that was meant, the allowed values of an enum, the unit a bare
// number lacks. One message per value; `anyOf` noise is folded into the specific message.

import type { ErrorObject } from "ajv";
import { consumerAddress, kvAddress, objectStoreAddress, streamAddress } from "../model/address.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { formatPath } from "../model/field-path.js";
import { subjectProblem } from "../model/subjects.js";
import { parseDuration, parseSize } from "../model/units.js";
import { manifestValidator } from "./schema.js";
import { closest } from "./suggest.js";
import type { LoadedDocument } from "./yaml-document.js";

export interface SchemaResult {
  readonly diagnostics: Diagnostic[];
  /** `file#doc/streams/3`-style keys of the resources (and top-level keys) that failed. */
  readonly rejected: Set<string>;
}

export function validateDocuments(docs: readonly LoadedDocument[]): SchemaResult {
  const validate = manifestValidator();
  const diagnostics: Diagnostic[] = [];
  const rejected = new Set<string>();
  for (const doc of docs) {
    if (validate(doc.value)) continue;
    const errors = validate.errors ?? [];
    const docKey = `${doc.file}#${doc.index}`;
    for (const e of errors) rejected.add(`${docKey}${resourcePointer(e.instancePath)}`);
    for (const d of toDiagnostics(doc, errors)) diagnostics.push(d); // not push(...): may be very many
  }
  return { diagnostics, rejected };
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

const DEF = (e: ErrorObject) => /^#\/\$defs\/([A-Za-z]+)\//.exec(e.schemaPath)?.[1];

function toDiagnostics(doc: LoadedDocument, errors: readonly ErrorObject[]): Diagnostic[] {
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
  const paths = [...groups.keys()];
  const out: Diagnostic[] = [];
  for (const [key, group] of groups) {
    // An anyOf/oneOf that failed because of a deeper, specific error adds nothing.
    const specific = group.filter(
      (e) => e.keyword !== "anyOf" && e.keyword !== "oneOf" && e.keyword !== "if",
    );
    if (specific.length === 0 && paths.some((p) => p !== key && p.startsWith(`${key}/`))) continue;
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
  return out;
}

function codeOf(group: readonly ErrorObject[], specific: readonly ErrorObject[]): string {
  const def = group.map(DEF).find((d) => d !== undefined);
  if (def === "duration" || def === "size" || def === "sizeOrUnlimited")
    return def === "duration" ? "duration" : "size";
  const e = specific[0] ?? group[0]!;
  return e.keyword === "additionalProperties"
    ? "unknown-key"
    : e.keyword === "required"
      ? "required"
      : e.keyword;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing (null)";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

function label(field: string, path: ReadonlyArray<string | number>): string {
  if (field) return field;
  const last = path[path.length - 1];
  return last === undefined ? "the document" : String(last);
}

function messageFor(
  group: readonly ErrorObject[],
  specific: readonly ErrorObject[],
  value: unknown,
  field: string,
  path: ReadonlyArray<string | number>,
): string {
  const name = label(field, path);
  const def = group.map(DEF).find((d) => d !== undefined);
  if (def === "duration") {
    const r = parseDuration(value);
    return r.ok ? `${name}: not a valid duration` : `${name}: ${r.message}`;
  }
  if (def === "size" || def === "sizeOrUnlimited") {
    const r = parseSize(value, def === "sizeOrUnlimited");
    if (r.ok)
      return `${name}: ${def === "size" ? "must be 0 or more bytes" : "must be -1 (unlimited) or 0 or more bytes"}`;
    return `${name}: ${r.message}`;
  }
  const e = specific[0] ?? group[0]!;
  const parent = e.parentSchema as { properties?: Record<string, unknown>; $comment?: string } | undefined;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(parent?.properties ?? {});
      const guess = closest(key, known);
      if (guess) return `unknown key "${key}": did you mean "${guess}"?`;
      const hint = known.length > 0 && known.length <= 16 ? `; allowed keys: ${known.join(", ")}` : "";
      return `unknown key "${key}"${hint}`;
    }
    case "required": {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      if (missing === "stream")
        return `a top-level consumer must name its stream: add "stream: <STREAM NAME>"`;
      return `missing required key "${missing}"`;
    }
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const guess = typeof value === "string" ? closest(value, allowed) : undefined;
      return `${name}: ${describe(value)} is not allowed; use one of: ${allowed.join(", ")}${guess ? ` (did you mean "${guess}"?)` : ""}`;
    }
    case "const": {
      const allowed = (e.params as { allowedValue: unknown }).allowedValue;
      return `${name} must be ${JSON.stringify(allowed)}, got ${describe(value)}`;
    }
    case "type": {
      const want = (e.params as { type: string | string[] }).type;
      const wants = (Array.isArray(want) ? want : String(want).split(",")).map(typeName).join(" or ");
      let hint = "";
      if (want === "boolean" && typeof value === "string" && /^(yes|no|on|off|y|n)$/i.test(value)) {
        hint = ` (write ${/^(yes|on|y)$/i.test(value) ? "true" : "false"}: YAML 1.2 reads "${value}" as a string)`;
      }
      if (want === "string" && typeof value === "number" && /subject|name|stream|bucket/.test(name)) {
        hint = ` (quote it: "${value}")`;
      }
      return `${name}: expected ${wants}, got ${describe(value)}${hint}`;
    }
    case "pattern":
      return patternMessage(DEF(e), name, value);
    case "format":
      return `${name}: ${describe(value)} is not an RFC 3339 time such as "2024-05-01T12:00:00Z"`;
    case "minimum":
    case "exclusiveMinimum":
    case "maximum":
    case "exclusiveMaximum": {
      const p = e.params as { comparison: string; limit: number };
      const words: Record<string, string> = {
        ">=": "at least",
        ">": "more than",
        "<=": "at most",
        "<": "less than",
      };
      return `${name} must be ${words[p.comparison] ?? p.comparison} ${p.limit}, got ${String(value)}`;
    }
    case "minItems":
      return `${name} needs at least ${(e.params as { limit: number }).limit} item(s); remove it instead of leaving it empty`;
    case "maxItems":
      return `${name} can have at most ${(e.params as { limit: number }).limit} items`;
    case "minLength":
      return `${name} cannot be empty`;
    case "maxLength":
      return `${name} can be at most ${(e.params as { limit: number }).limit} characters long`;
    case "uniqueItems": {
      const p = e.params as { i: number; j: number };
      return `${name} lists the same value twice (items ${p.j} and ${p.i})`;
    }
    case "false schema":
      if (path[path.length - 1] === "stream")
        return `a consumer nested under a stream belongs to that stream; remove "stream"`;
      return `${name} is not allowed here`;
    case "propertyNames":
    case "not":
      return propertyNameMessage(group, name, e);
    default:
      return `${name}: ${e.message ?? "is not valid"}`;
  }
}

function propertyNameMessage(group: readonly ErrorObject[], name: string, e: ErrorObject): string {
  const pn = group.find((x) => x.keyword === "propertyNames");
  if (pn) {
    const key = (pn.params as { propertyName: string }).propertyName;
    if (key === "jsplan.owner")
      return `${name}: the key "jsplan.owner" is reserved: jsplan sets it itself from the manifest's owner`;
    if (key === "jsplan.protect")
      return `${name}: the key "jsplan.protect" is reserved: jsplan sets it itself from protect: true`;
    if (key.startsWith("_nats."))
      return `${name}: the key "${key}" is reserved for the server (_nats.* keys)`;
    return `${name}: the key "${key}" is not allowed`;
  }
  return `${name}: ${e.message ?? "is not valid"}`;
}

function typeName(t: string): string {
  switch (t) {
    case "object":
      return "a mapping";
    case "array":
      return "a list";
    case "integer":
      return "a whole number";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    case "string":
      return "a string";
    default:
      return t;
  }
}

function patternMessage(def: string | undefined, name: string, value: unknown): string {
  const v = typeof value === "string" ? value : String(value);
  switch (def) {
    case "subject":
      return `${name}: "${v}" is not a valid subject: ${subjectProblem(v) ?? "use tokens separated by '.', with * or a final >"}`;
    case "literalSubject":
      return `${name}: "${v}" must be a subject without wildcards (* or >)`;
    case "transformDestination":
      return `${name}: "${v}" is not a valid transform destination`;
    case "streamName":
    case "consumerName":
      return `${name}: "${v}" is not a valid ${def === "streamName" ? "stream" : "consumer"} name: names cannot contain white space, '.', '*', '>', '/' or '\\'`;
    case "bucketName":
      return `${name}: "${v}" is not a valid bucket name: use letters, digits, '-' and '_' only`;
    default:
      return `${name}: "${v}" does not have the expected form`;
  }
}
