// The manifest JSON Schema and its compiled validator. The schema file is the single source of truth; the
// build precompiles it to standalone code (scripts/compile-schema.mjs) so that `validate` does not pay for
// Ajv's compiler on every run. Without the precompiled module (a fresh checkout before the build step),
// the schema is compiled here at first use.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ErrorObject } from "ajv";
import type { Ajv2020 } from "ajv/dist/2020.js";
import { PACKAGE_ROOT } from "../package-root.js";

export interface ManifestValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const root = PACKAGE_ROOT;

export const MANIFEST_SCHEMA_PATH = new URL("schemas/manifest.schema.json", root);
const PRECOMPILED = new URL("dist/schema/manifest-validator.cjs", root);

let schemaCache: Record<string, unknown> | undefined;

/**
 * The schema as the loader checks a manifest. The file also accepts `${VAR}` strings in every field, for
 * editors, which check the text as written; the loader checks values after filling them in, so it takes
 * those alternatives out again, and its messages stay those of the field itself.
 */
export function manifestSchema(): Record<string, unknown> {
  schemaCache ??= withoutInterpolation(JSON.parse(readFileSync(MANIFEST_SCHEMA_PATH, "utf8"))) as Record<
    string,
    unknown
  >;
  return schemaCache;
}

const INTERPOLATED_REF = "#/$defs/interpolated";

/** `{ description, anyOf: [{ $ref: interpolated }, { type, … }] }` back to `{ description, type, … }`. */
export function withoutInterpolation(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutInterpolation);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const branches = k === "anyOf" && Array.isArray(v) ? (v as Record<string, unknown>[]) : undefined;
    if (branches?.length === 2 && branches[0]?.$ref === INTERPOLATED_REF) {
      Object.assign(out, withoutInterpolation(branches[1]));
      continue;
    }
    if (k === "interpolated" && (v as Record<string, unknown>)?.pattern !== undefined) continue;
    out[k] = withoutInterpolation(v);
  }
  return out;
}

/**
 * RFC 3339 date-time, as the server parses `opt_start_time` and `pause_until` (Go's time.RFC3339Nano).
 * Ajv needs the format defined; this is all of what ajv-formats would give us for it.
 */
export const DATE_TIME_RE =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

export function newAjv(options: { code?: { source: boolean } } = {}): Ajv2020 {
  // Ajv itself is loaded only to compile: the precompiled validator needs none of it.
  const { Ajv2020 } = createRequire(import.meta.url)("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true, ...options });
  // A regular expression (not a function) so that the standalone code can embed it.
  ajv.addFormat("date-time", DATE_TIME_RE);
  return ajv;
}

let validator: ManifestValidator | undefined;

export function manifestValidator(): ManifestValidator {
  if (validator) return validator;
  if (existsSync(PRECOMPILED)) {
    const require = createRequire(import.meta.url);
    validator = require(PRECOMPILED.pathname) as ManifestValidator;
  } else {
    validator = newAjv().compile(manifestSchema()) as ManifestValidator;
  }
  return validator;
}
