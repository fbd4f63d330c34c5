// The fast path for reading manifests. The `yaml` library gives us what a manifest's messages need (a
// position for every value, excellent syntax errors), but it parses a 1.3 MB manifest (1,000 streams with
// 10 consumers each) in about 0.6 s; js-yaml reads the same values in about 0.1 s. So a file is read with
// js-yaml when that gives the same result, and its positions are computed with `yaml` only when a message
// needs one, which for a valid manifest is never. Everything else takes the `yaml` path:
//  - text with `${` (interpolation re-types plain scalars only, and only `yaml` says which scalars are plain),
//  - any syntax error (the `yaml` path reports every error with its place),
//  - aliases that expand too far (the `yaml` path reports where).
// The js-yaml schema below resolves scalars exactly as `yaml` does with its YAML 1.2 core schema.

import * as jsyaml from "js-yaml";
import { FAILSAFE_SCHEMA, loadAll, Type } from "js-yaml";
import type { SourcePos } from "../model/diagnostic.js";
import type { Env } from "./interpolate.js";
import {
  DEFAULT_PARSE_LIMITS,
  type LoadedDocument,
  type ParseLimits,
  type Positions,
  parseYamlFile,
  type SourceFile,
} from "./yaml-document.js";

// YAML 1.2 core integers as the `yaml` library reads them: decimal with an optional sign, 0o and 0x without.
const coreInt = new Type("tag:yaml.org,2002:int", {
  kind: "scalar",
  resolve: (s: string | null) => s !== null && /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/.test(s),
  construct: (s: string) =>
    s.startsWith("0x")
      ? Number.parseInt(s.slice(2), 16)
      : s.startsWith("0o")
        ? Number.parseInt(s.slice(2), 8)
        : Number.parseInt(s, 10),
  predicate: (v: unknown) => typeof v === "number" && Number.isInteger(v),
  represent: (v: object) => String(v),
});

const coreFloat = new Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (s: string | null) =>
    s !== null &&
    (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(s) ||
      /^[-+]?\.(?:inf|Inf|INF)$/.test(s) ||
      /^\.(?:nan|NaN|NAN)$/.test(s)),
  construct: (s: string) => {
    if (/nan$/i.test(s)) return Number.NaN;
    if (/inf$/i.test(s)) return s.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return Number.parseFloat(s);
  },
  predicate: (v: unknown) => typeof v === "number",
  represent: (v: object) => String(v),
});

// js-yaml exports its built-in types, but its type declarations do not say so.
const types = (jsyaml as unknown as { types: Record<"null" | "bool" | "merge", Type> }).types;
const SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [types.null, types.bool, coreInt, coreFloat, types.merge],
});

/** Positions computed on first use, from one `yaml` parse of the whole file shared by its documents. */
class LazyPositions implements Positions {
  #resolved: Positions | undefined;

  constructor(
    private readonly index: number,
    private readonly slow: () => LoadedDocument[],
    private readonly fallback: SourcePos,
  ) {}

  private resolve(): Positions | undefined {
    this.#resolved ??= this.slow().find((d) => d.index === this.index)?.positions;
    return this.#resolved;
  }

  get documentPos(): SourcePos {
    return this.resolve()?.documentPos ?? this.fallback;
  }

  positionOf(path: ReadonlyArray<string | number>, at?: "value" | "key"): SourcePos {
    return this.resolve()?.positionOf(path, at) ?? this.fallback;
  }
}

/** Nodes that aliases add beyond the document's own, counted without expanding them. */
function aliasExpansion(root: unknown): number {
  const sizes = new Map<object, number>();
  let unique = 0;
  const size = (v: unknown, depth: number): number => {
    if (v === null || typeof v !== "object") {
      return 1;
    }
    const known = sizes.get(v);
    if (known !== undefined) return known;
    if (depth > 200) throw new RangeError("nested too deeply");
    let n = 1;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) n += size(c, depth + 1);
    unique += 1 + children.filter((c) => c === null || typeof c !== "object").length;
    sizes.set(v, n);
    return n;
  };
  const total = size(root, 0);
  return total - Math.max(unique, 1);
}

export function loadYamlFile(
  source: SourceFile,
  env: Env,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): { documents: LoadedDocument[]; diagnostics: ReturnType<typeof parseYamlFile>["diagnostics"] } {
  if (!source.text.includes("${")) {
    const fast = tryFast(source, env, limits);
    if (fast) return { documents: fast, diagnostics: [] };
  }
  return parseYamlFile(source, env, limits);
}

function tryFast(source: SourceFile, env: Env, limits: ParseLimits): LoadedDocument[] | undefined {
  let values: unknown[];
  try {
    values = loadAll(source.text, undefined, {
      schema: SCHEMA,
      json: false,
      maxDepth: limits.maxDepth,
    } as never) as unknown[];
  } catch {
    return undefined;
  }
  let slow: LoadedDocument[] | undefined;
  const slowDocs = () => {
    slow ??= parseYamlFile(source, env, limits).documents;
    return slow;
  };
  const fallback: SourcePos = { file: source.path, line: 1, col: 1 };
  const documents: LoadedDocument[] = [];
  for (const [index, value] of values.entries()) {
    if (value === null || value === undefined) continue;
    try {
      if (aliasExpansion(value) > limits.maxAliasNodes) return undefined;
    } catch {
      return undefined;
    }
    if (!plainData(value)) return undefined;
    documents.push({
      file: source.path,
      index,
      value,
      positions: new LazyPositions(index, slowDocs, fallback),
    });
  }
  return documents;
}

/**
 * True when the value is plain JSON-like data. js-yaml shares an aliased object between its uses, which the
 * rest of the loader must not see: shared objects are copied here so that every use is its own value, as
 * the `yaml` path makes them.
 */
function plainData(root: unknown): boolean {
  const seen = new Set<object>();
  let ok = true;
  const visit = (
    v: unknown,
    parent: Record<string, unknown> | unknown[] | undefined,
    key: string | number | undefined,
  ) => {
    if (!ok || v === null || typeof v !== "object") return;
    if (v instanceof Date || ArrayBuffer.isView(v)) {
      ok = false;
      return;
    }
    if (seen.has(v) && parent !== undefined && key !== undefined) {
      const copy = structuredClone(v);
      (parent as Record<string | number, unknown>)[key] = copy;
      visit(copy, parent, undefined);
      return;
    }
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) visit(v[i], v, i);
    } else for (const [k, c] of Object.entries(v)) visit(c, v as Record<string, unknown>, k);
  };
  visit(root, undefined, undefined);
  return ok;
}
