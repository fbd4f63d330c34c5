// Ajv's errors → messages a person can act on: the key that is unknown and the one that was meant, the
// allowed values of an enum, the unit a bare number lacks. One message per value, from the most specific
// error about it, worded by the table of Ajv keywords below.

import type { ErrorObject } from "ajv";
import { subjectProblem } from "../model/subjects.js";
import { beyondExactMessage, INT32_MAX, MAX_EXACT, parseDuration, parseSize } from "../model/units.js";
import { closest } from "./suggest.js";

/** The `$defs` entry an error comes from (`duration`, `subject`, …), for the unit and pattern messages. */
export const definitionOf = (e: ErrorObject): string | undefined =>
  /^#\/\$defs\/([A-Za-z0-9]+)\//.exec(e.schemaPath)?.[1];

/** What a message is about: the field's name, its value and path, and every error about the value. */
interface Subject {
  readonly name: string;
  readonly value: unknown;
  readonly path: ReadonlyArray<string | number>;
  readonly group: readonly ErrorObject[];
}

/** The message for the most specific error about a value, by its Ajv keyword. */
const KEYWORD_MESSAGES = new Map<string, (e: ErrorObject, s: Subject) => string>([
  ["additionalProperties", unknownKeyMessage],
  [
    "required",
    (e) => {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      if (missing === "stream")
        return `a top-level consumer must name its stream: add "stream: <STREAM NAME>"`;
      return `missing required key "${missing}"`;
    },
  ],
  [
    "enum",
    (e, { name, value }) => {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const guess = typeof value === "string" ? closest(value, allowed) : undefined;
      return `${name}: ${describe(value)} is not allowed; use one of: ${allowed.join(", ")}${guess ? ` (did you mean "${guess}"?)` : ""}`;
    },
  ],
  [
    "const",
    (e, { name, value }) =>
      `${name} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, got ${describe(value)}`,
  ],
  ["type", typeMessage],
  ["pattern", (e, { name, value }) => patternMessage(definitionOf(e), name, value)],
  [
    "format",
    (_e, { name, value }) =>
      `${name}: ${describe(value)} is not an RFC 3339 time such as "2024-05-01T12:00:00Z"`,
  ],
  ["minimum", boundMessage],
  ["exclusiveMinimum", boundMessage],
  ["maximum", boundMessage],
  ["exclusiveMaximum", boundMessage],
  [
    "minItems",
    (e, { name }) => `${name} needs at least ${limitOf(e)} item(s); remove it instead of leaving it empty`,
  ],
  ["maxItems", (e, { name }) => `${name} can have at most ${limitOf(e)} items`],
  ["minLength", (_e, { name }) => `${name} cannot be empty`],
  ["maxLength", (e, { name }) => `${name} can be at most ${limitOf(e)} characters long`],
  [
    "uniqueItems",
    (e, { name }) => {
      const p = e.params as { i: number; j: number };
      return `${name} lists the same value twice (items ${p.j} and ${p.i})`;
    },
  ],
  [
    "false schema",
    (_e, { name, path }) =>
      path[path.length - 1] === "stream"
        ? `a consumer nested under a stream belongs to that stream; remove "stream"`
        : `${name} is not allowed here`,
  ],
  ["propertyNames", propertyNameMessage],
  ["not", propertyNameMessage],
]);

export function messageFor(
  group: readonly ErrorObject[],
  specific: readonly ErrorObject[],
  value: unknown,
  field: string,
  path: ReadonlyArray<string | number>,
): string {
  const name = label(field, path);
  const def = group.map(definitionOf).find((d) => d !== undefined);
  if (def === "duration" || def === "size" || def === "sizeOrUnlimited" || def === "size32OrUnlimited")
    return unitMessage(def, name, value);
  const e = specific[0] ?? group[0]!;
  const message = KEYWORD_MESSAGES.get(e.keyword);
  return message ? message(e, { name, value, path, group }) : `${name}: ${e.message ?? "is not valid"}`;
}

/** A value under a unit's definition: the unit parser says what is wrong with it better than Ajv. */
function unitMessage(
  def: "duration" | "size" | "sizeOrUnlimited" | "size32OrUnlimited",
  name: string,
  value: unknown,
): string {
  if (def === "duration") {
    const r = parseDuration(value);
    return r.ok ? `${name}: not a valid duration` : `${name}: ${r.message}`;
  }
  const r = parseSize(value, def !== "size");
  if (r.ok && def === "size32OrUnlimited" && r.value > INT32_MAX)
    return `${name} must be at most ${INT32_MAX} (the server holds it as a 32-bit integer: 2GiB − 1 byte), got ${String(value)}`;
  if (r.ok)
    return `${name}: ${def === "size" ? "must be 0 or more bytes" : "must be -1 (unlimited) or 0 or more bytes"}`;
  return `${name}: ${r.message}`;
}

function unknownKeyMessage(e: ErrorObject): string {
  const key = (e.params as { additionalProperty: string }).additionalProperty;
  const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  const known = Object.keys(parent?.properties ?? {});
  const guess = closest(key, known);
  if (guess) return `unknown key "${key}": did you mean "${guess}"?`;
  const hint = known.length > 0 && known.length <= 16 ? `; allowed keys: ${known.join(", ")}` : "";
  return `unknown key "${key}"${hint}`;
}

/** YAML words that are no booleans in YAML 1.2, and numbers where a name was meant, get a hint. */
function typeMessage(e: ErrorObject, { name, value }: Subject): string {
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

const COMPARISON_WORDS: Record<string, string> = {
  ">=": "at least",
  ">": "more than",
  "<=": "at most",
  "<": "less than",
};

function boundMessage(e: ErrorObject, { name, value }: Subject): string {
  const p = e.params as { comparison: string; limit: number };
  // The value may already be rounded (9007199254740993 reads as …992), so it is not repeated.
  if (p.limit === MAX_EXACT && p.comparison === "<=")
    return `${name}: the server holds it as a 64-bit integer, but ${beyondExactMessage()}`;
  return `${name} must be ${COMPARISON_WORDS[p.comparison] ?? p.comparison} ${p.limit}, got ${String(value)}`;
}

function limitOf(e: ErrorObject): number {
  return (e.params as { limit: number }).limit;
}

/** Metadata keys that jsplan and the server keep for themselves. */
const RESERVED_KEYS = new Map([
  ["jsplan.owner", `the key "jsplan.owner" is reserved: jsplan sets it itself from the manifest's owner`],
  ["jsplan.protect", `the key "jsplan.protect" is reserved: jsplan sets it itself from protect: true`],
]);

function propertyNameMessage(e: ErrorObject, { name, group }: Subject): string {
  const pn = group.find((x) => x.keyword === "propertyNames");
  if (!pn) return `${name}: ${e.message ?? "is not valid"}`;
  const key = (pn.params as { propertyName: string }).propertyName;
  const reserved = RESERVED_KEYS.get(key);
  if (reserved) return `${name}: ${reserved}`;
  if (key.startsWith("_nats.")) return `${name}: the key "${key}" is reserved for the server (_nats.* keys)`;
  return `${name}: the key "${key}" is not allowed`;
}

const TYPE_NAMES = new Map([
  ["object", "a mapping"],
  ["array", "a list"],
  ["integer", "a whole number"],
  ["number", "a number"],
  ["boolean", "true or false"],
  ["string", "a string"],
]);

function typeName(t: string): string {
  return TYPE_NAMES.get(t) ?? t;
}

/** The message for a value that does not match the pattern of a `$defs` entry. */
const PATTERN_MESSAGES = new Map<string, (name: string, v: string) => string>([
  [
    "subject",
    (name, v) =>
      `${name}: "${v}" is not a valid subject: ${subjectProblem(v) ?? "use tokens separated by '.', with * or a final >"}`,
  ],
  ["literalSubject", (name, v) => `${name}: "${v}" must be a subject without wildcards (* or >)`],
  ["transformDestination", (name, v) => `${name}: "${v}" is not a valid transform destination`],
  ["streamName", (name, v) => nameMessage(name, v, "stream")],
  ["consumerName", (name, v) => nameMessage(name, v, "consumer")],
  [
    "bucketName",
    (name, v) => `${name}: "${v}" is not a valid bucket name: use letters, digits, '-' and '_' only`,
  ],
]);

function patternMessage(def: string | undefined, name: string, value: unknown): string {
  const v = typeof value === "string" ? value : String(value);
  const message = def === undefined ? undefined : PATTERN_MESSAGES.get(def);
  return message ? message(name, v) : `${name}: "${v}" does not have the expected form`;
}

function nameMessage(name: string, v: string, kind: "stream" | "consumer"): string {
  return `${name}: "${v}" is not a valid ${kind} name: names cannot contain white space, '.', '*', '>', '/' or '\\'`;
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
