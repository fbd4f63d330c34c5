// YAML text → plain JS values that remember where each value came from. We walk yaml's AST ourselves
// (instead of `toJS`) because we need three things it does not give together: a source position for every
// key and item, `${VAR}` interpolation with re-typing of plain scalars, and a hard budget on alias
// expansion so that an alias bomb fails fast with a clear message.

import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type Scalar,
} from "yaml";
import type { Diagnostic, SourcePos } from "../model/diagnostic.js";
import { type Env, interpolate, retypePlainScalar } from "./interpolate.js";

interface NodeInfo {
  readonly pos: SourcePos;
  /** For mappings: key → where the key and its value are. */
  readonly keys?: Map<string, { key: SourcePos; value: SourcePos }>;
  /** For sequences: where each item is. */
  readonly items?: SourcePos[];
}

/** Where the values of one document came from, looked up by JSON path from the document's root. */
export interface Positions {
  /** The position of the document's first value. */
  readonly documentPos: SourcePos;
  /**
   * The position of the value at `path` (or of its key, with `at: "key"`). When the path leads to something
   * that does not exist, the position of the deepest existing ancestor is returned, which is where a missing
   * field would have to be added.
   */
  positionOf(path: ReadonlyArray<string | number>, at?: "value" | "key"): SourcePos;
}

/** Positions of every container produced from one document, recorded while the document was converted. */
export class PositionIndex implements Positions {
  readonly #info = new WeakMap<object, NodeInfo>();
  #root: unknown;

  constructor(readonly documentPos: SourcePos) {}

  record(value: object, info: NodeInfo): void {
    this.#info.set(value, info);
  }

  infoOf(value: object): NodeInfo | undefined {
    return this.#info.get(value);
  }

  setRoot(root: unknown): void {
    this.#root = root;
  }

  positionOf(path: ReadonlyArray<string | number>, at: "value" | "key" = "value"): SourcePos {
    let node: unknown = this.#root;
    let pos = (isObject(node) && this.#info.get(node)?.pos) || this.documentPos;
    for (let i = 0; i < path.length; i++) {
      if (!isObject(node)) return pos;
      const info = this.#info.get(node);
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (Array.isArray(node)) {
        const idx = typeof seg === "number" ? seg : Number(seg);
        const p = info?.items?.[idx];
        if (!p) return pos;
        pos = p;
        node = node[idx];
      } else {
        const k = info?.keys?.get(String(seg));
        if (!k) return pos;
        pos = last && at === "key" ? k.key : k.value;
        node = (node as Record<string, unknown>)[String(seg)];
      }
    }
    return pos;
  }
}

function isObject(v: unknown): v is object {
  return typeof v === "object" && v !== null;
}

export interface SourceFile {
  /** The path as the user gave it (or `<stdin>`), used in every message. */
  readonly path: string;
  readonly text: string;
}

export interface LoadedDocument {
  readonly file: string;
  /** 0-based index of the document in its file. */
  readonly index: number;
  readonly value: unknown;
  readonly positions: Positions;
}

export interface ParseLimits {
  /** Nodes that aliases may add by expansion, per file. */
  readonly maxAliasNodes: number;
  /** Nesting depth of mappings and sequences. */
  readonly maxDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxAliasNodes: 100_000, maxDepth: 64 };

class LimitExceeded extends Error {
  constructor(
    message: string,
    readonly pos: SourcePos,
  ) {
    super(message);
  }
}

/** Parses every YAML document of a file. Empty documents (a lone `---`) are skipped. */
export function parseYamlFile(
  source: SourceFile,
  env: Env,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): { documents: LoadedDocument[]; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: source.path, line: Math.max(line, 1), col: Math.max(col, 1) };
  };

  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(source.text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      strict: true,
    });
  } catch (err) {
    // The parser recurses on nesting; a hostile file can exhaust the stack before we see a node.
    const message =
      err instanceof RangeError ? "the YAML is nested too deeply to be a manifest" : String(err);
    return { documents: [], diagnostics: [{ severity: "error", pos: at(0), code: "yaml.syntax", message }] };
  }
  const list = Array.isArray(docs) ? docs : [];

  const documents: LoadedDocument[] = [];
  let aliasBudget = limits.maxAliasNodes;
  for (const [index, doc] of list.entries()) {
    if (doc.errors.length > 0) {
      // The parser can report one mistake several times over; once is enough.
      const said = new Set<string>();
      for (const e of doc.errors) {
        const message = yamlErrorMessage(e.code, e.message);
        const key = `${e.pos[0]}:${message}`;
        if (said.has(key)) continue;
        said.add(key);
        diagnostics.push({ severity: "error", pos: at(e.pos[0]), code: "yaml.syntax", message });
      }
      continue;
    }
    for (const w of doc.warnings) {
      diagnostics.push({ severity: "warning", pos: at(w.pos[0]), code: "yaml.warning", message: w.message });
    }
    if (doc.contents === null) continue;
    const positions = new PositionIndex(at(doc.contents.range?.[0] ?? 0));
    const problems: Diagnostic[] = [];

    // `aliasSite` is the alias being expanded (the outermost one), where an over-budget expansion is reported.
    const convert = (
      node: Node | null | undefined,
      depth: number,
      aliasSite: SourcePos | undefined,
    ): unknown => {
      if (node === null || node === undefined) return null;
      if (aliasSite && --aliasBudget < 0) {
        throw new LimitExceeded(
          `aliases expand to more than ${limits.maxAliasNodes.toLocaleString("en")} values (a YAML "billion laughs" bomb?); manifests use aliases for small shared settings only`,
          aliasSite,
        );
      }
      if (depth > limits.maxDepth) {
        throw new LimitExceeded(
          `values are nested more than ${limits.maxDepth} levels deep; a manifest never needs that`,
          at(node.range?.[0] ?? 0),
        );
      }
      if (isAlias(node)) {
        const target = node.resolve(doc);
        if (!target) {
          problems.push({
            severity: "error",
            pos: at(node.range?.[0] ?? 0),
            code: "yaml.alias",
            message: `unknown alias *${node.source}`,
          });
          return null;
        }
        return convert(target, depth + 1, aliasSite ?? at(node.range?.[0] ?? 0));
      }
      if (isScalar(node)) return scalarValue(node, env, at, problems);
      if (isMap(node)) {
        const out: Record<string, unknown> = {};
        const keys = new Map<string, { key: SourcePos; value: SourcePos }>();
        const merges: Array<{
          value: Record<string, unknown>;
          keys: Map<string, { key: SourcePos; value: SourcePos }>;
        }> = [];
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const keyNode = pair.key as Node | null;
          const keyPos = at(keyNode?.range?.[0] ?? node.range?.[0] ?? 0);
          const valueNode = pair.value as Node | null;
          const valuePos = valueNode?.range ? at(valueNode.range[0]) : keyPos;
          if (
            !isScalar(keyNode) ||
            (typeof keyNode.value !== "string" && typeof keyNode.value !== "number")
          ) {
            problems.push({
              severity: "error",
              pos: keyPos,
              code: "yaml.key",
              message: "keys must be plain strings",
            });
            continue;
          }
          const key = String(keyNode.value);
          if (key === "<<" && keyNode.type === "PLAIN") {
            // Merge key: `<<: *base` or `<<: [*a, *b]`. Keys of the mapping itself win over merged ones, and
            // earlier merged mappings win over later ones (YAML 1.1 merge semantics).
            const sources = isSeq(valueNode) ? valueNode.items : [valueNode];
            for (const src of sources) {
              const merged = convert(src as Node, depth + 1, aliasSite);
              const info = isObject(merged) ? positions.infoOf(merged) : undefined;
              if (!isObject(merged) || Array.isArray(merged)) {
                problems.push({
                  severity: "error",
                  pos: at((src as Node | null)?.range?.[0] ?? 0),
                  code: "yaml.merge",
                  message:
                    "a merge key (<<) needs a mapping or a list of mappings, usually an alias such as <<: *defaults",
                });
                continue;
              }
              merges.push({ value: merged as Record<string, unknown>, keys: info?.keys ?? new Map() });
            }
            continue;
          }
          out[key] = convert(valueNode, depth + 1, aliasSite);
          keys.set(key, { key: keyPos, value: valuePos });
        }
        for (const m of merges) {
          for (const [k, v] of Object.entries(m.value)) {
            if (k in out) continue;
            out[k] = v;
            const p = m.keys.get(k);
            if (p) keys.set(k, p);
          }
        }
        positions.record(out, { pos: at(node.range?.[0] ?? 0), keys });
        return out;
      }
      if (isSeq(node)) {
        const out: unknown[] = [];
        const items: SourcePos[] = [];
        for (const item of node.items) {
          const itemNode = item as Node | null;
          items.push(at(itemNode?.range?.[0] ?? node.range?.[0] ?? 0));
          out.push(convert(itemNode, depth + 1, aliasSite));
        }
        positions.record(out, { pos: at(node.range?.[0] ?? 0), items });
        return out;
      }
      return null;
    };

    try {
      const value = convert(doc.contents as Node, 0, undefined);
      positions.setRoot(value);
      diagnostics.push(...problems);
      if (value === null) continue; // an empty document, e.g. after a trailing ---
      documents.push({ file: source.path, index, value, positions });
    } catch (err) {
      if (err instanceof LimitExceeded) {
        diagnostics.push({ severity: "error", pos: err.pos, code: "yaml.limit", message: err.message });
        break;
      }
      if (err instanceof RangeError) {
        diagnostics.push({
          severity: "error",
          pos: positions.documentPos,
          code: "yaml.limit",
          message: "the YAML is nested too deeply to be a manifest",
        });
        break;
      }
      throw err;
    }
  }
  return { documents, diagnostics };
}

function scalarValue(
  node: Scalar,
  env: Env,
  at: (offset: number) => SourcePos,
  problems: Diagnostic[],
): unknown {
  const v = node.value;
  if (typeof v !== "string") {
    // Numbers the core schema cannot hold exactly (e.g. nanoseconds past 2^53) stay as written.
    return v;
  }
  if (!v.includes("${")) return v;
  const r = interpolate(v, env);
  if (!r.ok) {
    problems.push({
      severity: "error",
      pos: at(node.range?.[0] ?? 0),
      code: "manifest.interpolation",
      message: r.message,
    });
    return v;
  }
  return node.type === "PLAIN" ? retypePlainScalar(r.value) : r.value;
}

function yamlErrorMessage(code: string, message: string): string {
  if (/Maximum call stack size exceeded/.test(message))
    return "the YAML is nested too deeply to be a manifest";
  // yaml's messages end with a position summary we print ourselves; keep the first line.
  const first = message.split("\n")[0] ?? message;
  const clean = first.replace(/ at line \d+, column \d+:?$/, "");
  switch (code) {
    case "DUPLICATE_KEY":
      return `${clean}: each key may appear once in a mapping`;
    case "TAB_AS_INDENT":
      return `${clean}: indent with spaces, not tabs`;
    default:
      return `YAML syntax error: ${clean}`;
  }
}
