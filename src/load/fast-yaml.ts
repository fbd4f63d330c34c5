// The fast path for reading manifests. The `yaml` library gives us what a manifest's messages need (a
// position for every value, excellent syntax errors), but it parses a 1.3 MB manifest (1,000 streams with
// 10 consumers each) in about 0.6 s; js-yaml reads the same values in about 0.1 s. So a file is read with
// js-yaml when that gives the same result, and its positions are computed with `yaml` only when a message
// needs one, which for a valid manifest is never. Everything else takes the `yaml` path:
//  - text with `${` inside a flow collection (`[${A}]`), where the two libraries may split it differently;
//    elsewhere a plain scalar with `${` is marked while js-yaml reads it (only plain scalars are re-typed
//    after interpolation), and filled in afterwards,
//  - any syntax error (the `yaml` path reports every error with its place),
//  - aliases that expand too far (the `yaml` path reports where).
// The js-yaml schema below resolves scalars exactly as `yaml` does with its YAML 1.2 core schema.

import { randomUUID } from "node:crypto";
import * as jsyaml from "js-yaml";
import { FAILSAFE_SCHEMA, loadAll, Type } from "js-yaml";
import type { SourcePos } from "../model/diagnostic.js";
import { fill, plainWithVariable, VariableProblem, variableInFlow } from "./fast-yaml-variables.js";
import type { Env } from "./interpolate.js";
import { setOwn } from "./own-keys.js";
import type { Positions } from "./position-index.js";
import { PrefixPositions } from "./prefix-positions.js";
import { type LoadedDocument, normalizeLineBreaks, parseYamlFile, type SourceFile } from "./yaml-document.js";
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from "./yaml-limits.js";

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

// Exactly yaml's three core float forms: with an exponent, with a dot, or inf/nan (so `!!float 1`, which yaml
// leaves a string with a warning, is not a float here either).
const coreFloat = new Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (s: string | null) =>
    s !== null &&
    (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) ||
      /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s) ||
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

// `<<` is read as a key of its own (not merged by js-yaml), so that merges follow the `yaml` path's rules and
// the alias budget and depth limit see the document as written. The key is a string no manifest can
// contain: js-yaml turns keys into strings, and a NUL with a random part cannot come from a file by chance.
const MERGE = `\u0000jsplan-merge-${randomUUID()}`;
const mergeKey = new Type("tag:jsplan,2024:merge", {
  kind: "scalar",
  resolve: (s: string | null) => s === "<<",
  construct: () => MERGE,
});

// js-yaml exports its built-in types, but its type declarations do not say so.
const types = (jsyaml as unknown as { types: Record<"null" | "bool", Type> }).types;
const SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [plainWithVariable, types.null, types.bool, coreInt, coreFloat, mergeKey],
});

/**
 * Texts the fast path leaves to the `yaml` path, because js-yaml reads them otherwise (or lets them pass)
 * and the values cannot tell. A false alarm (say, inside a quoted string) costs only speed. In order:
 *  - directives: `yaml` honours %YAML 1.1 and warns of unknown ones;
 *  - explicit keys (`? `) and tags: manifests need neither; `yaml` knows more tags, and an empty `!` value
 *    is "" for `yaml` and null for js-yaml;
 *  - collections, aliases and anchors before a `:`: js-yaml turns collection and alias keys into strings
 *    where `yaml` refuses them, and `yaml` warns of an anchor or alias that ends in `:`;
 *  - a comment glued to a closing bracket or quote: a syntax error for `yaml` only;
 *  - `- -` at the end of a line: js-yaml puts the next lines into the inner list;
 *  - `---` or `...` glued to what follows: a document marker for js-yaml, text for `yaml`.
 */
const NEEDS_YAML_PATH = new RegExp(
  [
    /^%/,
    /(?:^|[\s,[{])(?:\?(?=[\s,\]}]|$)|!)/,
    /[\]}][ \t]*:/,
    /[*&][^\s,[\]{}]*[ \t]*:/,
    /[\]}"']#/,
    /-[ \t]+-[ \t]*(?:#.*)?$/,
    /^(?:---|\.\.\.)(?=\S)/,
  ]
    .map((re) => re.source)
    .join("|"),
  "m",
);

/** Positions computed on first use, from `yaml` parses of as much of the file as they need. */
class LazyPositions implements Positions {
  constructor(
    private readonly index: number,
    private readonly file: PrefixPositions,
    private readonly fallback: SourcePos,
  ) {}

  get documentPos(): SourcePos {
    return this.file.documentPos(this.index) ?? this.fallback;
  }

  positionOf(path: ReadonlyArray<string | number>, at?: "value" | "key"): SourcePos {
    return this.file.positionOf(this.index, path, at) ?? this.fallback;
  }
}

/** The `yaml` path would report something (or read the text otherwise): leave the file to it. */
class UseYamlPath extends Error {}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * How deep the values under `root` go once merged (the `yaml` path's depth rule): an alias adds no level,
 * and the mappings a merge key takes its keys from count at the level of the mapping they merge into.
 * js-yaml shares one object between an anchor and its aliases, so the results are remembered per object.
 */
function mergedHeight(root: unknown): number {
  const known = new Map<object, number>();
  const open = new Set<object>();
  const height = (v: unknown): number => {
    if (v === null || typeof v !== "object") return 0;
    const seen = known.get(v);
    if (seen !== undefined) return seen;
    if (open.has(v)) throw new UseYamlPath(); // a cycle (`&a [*a]`): the yaml path reports it
    open.add(v);
    let h = 0;
    if (Array.isArray(v)) {
      for (const c of v) h = Math.max(h, 1 + height(c));
    } else {
      for (const [k, c] of Object.entries(v)) {
        if (k !== MERGE) h = Math.max(h, 1 + height(c));
        else if (Array.isArray(c)) {
          if (open.has(c)) throw new UseYamlPath();
          for (const src of c) h = Math.max(h, height(src));
        } else h = Math.max(h, height(c));
      }
    }
    open.delete(v);
    known.set(v, h);
    return h;
  };
  return height(root);
}

/**
 * An alias (`*name`) stands where a value or an item starts. Subjects like `orders.*` or `"*"` do not
 * match; a file that matches is only checked the slower way.
 */
const MAY_HOLD_ALIAS = /(?:^|[\s,[{:?-])\*/m;

/** mergedHeight for a document without aliases, where no object is shared. */
function plainHeight(v: unknown): number {
  if (v === null || typeof v !== "object") return 0;
  let h = 0;
  if (Array.isArray(v)) {
    for (const c of v) h = Math.max(h, 1 + plainHeight(c));
    return h;
  }
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const c = (v as Record<string, unknown>)[k];
    if (k !== MERGE) h = Math.max(h, 1 + plainHeight(c));
    else if (Array.isArray(c)) for (const src of c) h = Math.max(h, plainHeight(src));
    else h = Math.max(h, plainHeight(c));
  }
  return h;
}

/**
 * Values that aliases add beyond the document's own (the `yaml` path's alias budget), counted without
 * expanding them: the size of the document with every shared object counted at each use, less the objects
 * and the scalars that the document spells out. Run after mergedHeight, which rules out cycles.
 */
function aliasExpansion(root: unknown): number {
  const sizes = new Map<object, number>();
  let unique = 0;
  const size = (v: unknown): number => {
    if (v === null || typeof v !== "object") return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    let n = 1;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) n += size(c);
    unique += 1 + children.filter((c) => c === null || typeof c !== "object").length;
    sizes.set(v, n);
    return n;
  };
  const total = size(root);
  return total - Math.max(unique, 1);
}

/**
 * The document's values as the `yaml` path makes them: merge keys applied, every use of an alias its own
 * copy (the rest of the loader must not see shared objects), `__proto__` an ordinary key. Throws UseYamlPath
 * for what the `yaml` path reports: keys that were not strings or numbers, merges of something that is not
 * a mapping.
 */
function rebuild(v: unknown): unknown {
  if (v === MERGE) return "<<"; // `<<` as a value is just a string
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(rebuild);
  if (Object.getPrototypeOf(v) !== Object.prototype) throw new UseYamlPath(); // a Date, a byte array
  const out: Record<string, unknown> = {};
  for (const [k, c] of Object.entries(v)) {
    if (k === MERGE) {
      for (const src of Array.isArray(c) ? c : [c]) {
        if (!isMapping(src)) throw new UseYamlPath();
        for (const [mk, mv] of Object.entries(rebuild(src) as Record<string, unknown>)) {
          if (!Object.hasOwn(out, mk)) setOwn(out, mk, mv);
        }
      }
      continue;
    }
    // js-yaml writes a null or boolean key as "null", "true", "false"; the yaml path rejects such keys (and
    // decides about the quoted ones).
    if (k === "null" || k === "true" || k === "false" || k.includes("[object Object]"))
      throw new UseYamlPath();
    setOwn(out, k, rebuild(c));
  }
  return out;
}

/**
 * An anchor name used twice: when one definition holds the other, an alias after both refers to the inner
 * one for `yaml` (the later start) and to the outer one for js-yaml (the later end).
 */
function anchorRedefined(text: string): boolean {
  if (!text.includes("&")) return false;
  const names = new Set<string>();
  for (const m of text.matchAll(/&([^\s,[\]{}]+)/g)) {
    if (names.has(m[1]!)) return true;
    names.add(m[1]!);
  }
  return false;
}

/**
 * A flow collection (`[`, `{`) or a quoted scalar that goes on over a line break. Their next lines must be
 * indented more than the block they are in, which `yaml` checks and js-yaml does not (`b: [x,⏎y]` under a
 * mapping, `- 'x⏎y'`); whether they are depends on the block structure, so such files take the `yaml`
 * path. A linear scan that knows quotes and comments; a bracket or quote inside a block scalar may raise a
 * false alarm, which costs only speed.
 */
function multiLineFlowOrQuote(text: string): boolean {
  let depth = 0;
  let tokenStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n" || c === "\r") {
      if (depth > 0) return true;
      tokenStart = true;
    } else if (c === " " || c === "\t") {
      tokenStart = true;
    } else if (c === "#" && tokenStart) {
      const end = text.slice(i).search(/[\r\n]/);
      if (end < 0) return false;
      i += end - 1;
    } else if ((c === '"' || c === "'") && tokenStart) {
      let j = i + 1;
      for (; j < text.length; j++) {
        const q = text[j]!;
        if (q === "\n" || q === "\r") return true;
        if (c === '"' && q === "\\") j++;
        else if (q === c) {
          if (c === "'" && text[j + 1] === "'") j++;
          else break;
        }
      }
      i = j;
      tokenStart = false;
    } else if ((c === "[" || c === "{") && (tokenStart || depth > 0)) {
      depth++;
      tokenStart = true;
    } else if ((c === "]" || c === "}") && depth > 0) {
      depth--;
      tokenStart = false;
    } else if (c === "," && depth > 0) {
      tokenStart = true;
    } else {
      tokenStart = false;
    }
  }
  return false;
}

export function loadYamlFile(
  source: SourceFile,
  env: Env,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): { documents: LoadedDocument[]; diagnostics: ReturnType<typeof parseYamlFile>["diagnostics"] } {
  const text = source.text;
  if (
    !variableInFlow(text) &&
    !NEEDS_YAML_PATH.test(text) &&
    !anchorRedefined(text) &&
    !multiLineFlowOrQuote(text)
  ) {
    const fast = tryFast(source, env, limits);
    if (fast) return { documents: fast, diagnostics: [] };
  }
  return parseYamlFile(source, env, limits);
}

function tryFast(source: SourceFile, env: Env, limits: ParseLimits): LoadedDocument[] | undefined {
  let values: unknown[];
  try {
    values = loadAll(normalizeLineBreaks(source.text), undefined, {
      schema: SCHEMA,
      json: false,
      maxDepth: limits.maxDepth,
    } as never) as unknown[];
  } catch {
    return undefined;
  }
  const slowDocs = new PrefixPositions(source, env, limits);
  const fallback: SourcePos = { file: source.path, line: 1, col: 1 };
  const aliases = MAY_HOLD_ALIAS.test(source.text);
  const variables = source.text.includes("${");
  const documents: LoadedDocument[] = [];
  // The alias budget is per file, as on the yaml path.
  let expansion = 0;
  for (const [index, raw] of values.entries()) {
    if (raw === null || raw === undefined) continue;
    let value: unknown;
    try {
      if (!aliases) {
        // Nothing is shared: the plain height is the merged one, and aliases add nothing.
        if (plainHeight(raw) > limits.maxDepth) return undefined;
      } else {
        if (mergedHeight(raw) > limits.maxDepth) return undefined;
        expansion += aliasExpansion(raw);
      }
      if (expansion > limits.maxAliasNodes) return undefined;
      value = rebuild(raw);
      if (variables) value = fill(value, env);
    } catch (err) {
      if (err instanceof UseYamlPath || err instanceof VariableProblem || err instanceof RangeError)
        return undefined;
      throw err;
    }
    documents.push({
      file: source.path,
      index,
      value,
      positions: new LazyPositions(index, slowDocs, fallback),
    });
  }
  return documents;
}
