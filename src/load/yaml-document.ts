// YAML text → plain JS values that remember where each value came from. We walk yaml's AST ourselves
// (instead of `toJS`) because we need three things it does not give together: a source position for every
// key and item, `${VAR}` interpolation with re-typing of plain scalars, and a hard budget on alias
// expansion so that an alias bomb fails fast with a clear message.
//
// This path is the reference for the js-yaml fast path (fast-yaml.ts), which must give the same values,
// the same accept/reject decisions and the same limits; the rules both follow are written down here:
//  - lone CR is a line break (YAML 1.2), as js-yaml reads it;
//  - keys are strings or numbers, unique after conversion to a string (`1` and "1" are the same key);
//  - merge keys (`<<`, plain and untagged) insert the merged keys where the `<<` stands; keys of the
//    mapping itself win wherever they stand, earlier sources win over later ones;
//  - the alias budget counts every value that an alias to a collection adds (aliases to scalars add
//    nothing: they are no bigger than the alias), per file;
//  - the depth limit applies to the values as they come out (an alias adds no level; the mappings that a
//    merge key takes its keys from count at the level of the mapping they merge into).

import {
  type Alias,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  Lexer,
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
  /**
   * YAML tokens (values, indicators, white space) of a file that this path reads. `yaml` needs 200 to 700
   * bytes of memory per token at its peak (a 6 MB file of `1,1,1,…` took more than 3 GB, a 2 MB list of
   * aliases more than 1 GB), so the limit keeps this path under about 600 MB: about 3 MB of a typical
   * manifest. The fast path reads larger files when they are valid; their errors then point at the file's
   * first line (with the resource's address), and a larger file that needs this path is refused.
   */
  readonly maxTokens?: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxAliasNodes: 100_000,
  maxDepth: 64,
  maxTokens: 1_000_000,
};

/**
 * More than `max` YAML tokens, counted with yaml's lexer (which keeps nothing) up to the limit. A token is at
 * least half a character long, so shorter texts are not counted.
 */
function tooManyTokens(text: string, max: number): boolean {
  if (text.length <= max / 2) return false;
  let n = 0;
  for (const _ of new Lexer().lex(text)) if (++n > max) return true;
  return false;
}

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
  const text = normalizeLineBreaks(source.text);
  const at = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: source.path, line: Math.max(line, 1), col: Math.max(col, 1) };
  };

  const maxTokens = limits.maxTokens ?? DEFAULT_PARSE_LIMITS.maxTokens!;
  if (tooManyTokens(text, maxTokens)) {
    const message = `the file has more than ${maxTokens.toLocaleString("en")} YAML tokens, more than jsplan reads with positions (which it needs for \${VAR}, tags and syntax errors); split it into several files`;
    return { documents: [], diagnostics: [{ severity: "error", pos: at(0), code: "yaml.limit", message }] };
  }
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      // Duplicate keys are found below, in linear time: yaml's own check compares every key of a mapping
      // with every other one, which takes minutes for a mapping of 50,000 keys.
      uniqueKeys: false,
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
    // Problems go to `problems`, except while the value of a top-level `x-` key is read: jsplan ignores
    // those keys, so what is wrong inside them (an unset ${VAR}, say) only matters where an alias brings it
    // into the manifest, and is reported there, when the alias is read.
    let problems: Diagnostic[] = [];
    // Duplicate keys make the document unreadable, like a syntax error: reported once each, and the
    // document is left out.
    const duplicates = new Map<string, Diagnostic>();
    let anchors: Map<Alias, Node> | undefined;
    const resolveAlias = (alias: Alias): Node | undefined => {
      anchors ??= anchorIndex(doc);
      return anchors.get(alias);
    };
    const charge = (aliasSite: SourcePos) => {
      if (--aliasBudget < 0) {
        throw new LimitExceeded(
          `aliases expand to more than ${limits.maxAliasNodes.toLocaleString("en")} values (a YAML "billion laughs" bomb?); manifests use aliases for small shared settings only`,
          aliasSite,
        );
      }
    };

    // `aliasSite` is the alias being expanded (the outermost one), where an over-budget expansion is reported.
    const convert = (
      node: Node | null | undefined,
      depth: number,
      aliasSite: SourcePos | undefined,
    ): unknown => {
      if (isAlias(node)) {
        const target = resolveAlias(node);
        if (!target) {
          problems.push({
            severity: "error",
            pos: at(node.range?.[0] ?? 0),
            code: "yaml.alias",
            message: `unknown alias *${node.source}`,
          });
          return null;
        }
        // An alias to a scalar is no bigger than the alias itself: only collections count against the budget.
        const site = aliasSite ?? (isCollection(target) ? at(node.range?.[0] ?? 0) : undefined);
        return convert(target, depth, site);
      }
      // An empty value counts like any other, as it does for the fast path (where it is a null).
      if (aliasSite) charge(aliasSite);
      if (depth > limits.maxDepth) {
        throw new LimitExceeded(
          `values are nested more than ${limits.maxDepth} levels deep; a manifest never needs that`,
          at(node?.range?.[0] ?? 0),
        );
      }
      if (node === null || node === undefined) return null;
      if (isScalar(node)) return scalarValue(node, env, at, problems);
      if (isCollection(node) && UNSUPPORTED_COLLECTION_TAGS.has(node.tag ?? "")) {
        problems.push({
          severity: "error",
          pos: at(node.range?.[0] ?? 0),
          code: "yaml.tag",
          message: `${shortTag(node.tag!)} is not supported in a manifest: write a plain mapping or list`,
        });
        return null;
      }
      if (isMap(node)) {
        const out: Record<string, unknown> = {};
        const keys = new Map<string, { key: SourcePos; value: SourcePos }>();
        const own = new Set<string>();
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
          if (own.has(key)) {
            const d: Diagnostic = {
              severity: "error",
              pos: keyPos,
              code: "yaml.syntax",
              message: "Map keys must be unique: each key may appear once in a mapping",
            };
            duplicates.set(`${keyPos.line}:${keyPos.col}`, d);
            continue;
          }
          own.add(key);
          if (key === "<<" && keyNode.type === "PLAIN" && !keyNode.tag) {
            // Merge key: `<<: *base` or `<<: [*a, *b]` (or an alias to such a list).
            let sources: ReadonlyArray<unknown> = [valueNode];
            let site = aliasSite;
            const list = isAlias(valueNode) ? resolveAlias(valueNode) : valueNode;
            if (isSeq(list)) {
              if (list !== valueNode) site ??= at(valueNode?.range?.[0] ?? 0);
              if (site) charge(site); // the list itself, as the fast path counts it
              sources = list.items;
            }
            for (const src of sources) {
              const merged = convert(src as Node | null, depth, site);
              if (!isObject(merged) || Array.isArray(merged)) {
                problems.push({
                  severity: "error",
                  pos: at((src as Node | null)?.range?.[0] ?? valueNode?.range?.[0] ?? 0),
                  code: "yaml.merge",
                  message:
                    "a merge key (<<) needs a mapping or a list of mappings, usually an alias such as <<: *defaults",
                });
                continue;
              }
              const info = positions.infoOf(merged);
              for (const [k, v] of Object.entries(merged)) {
                if (Object.hasOwn(out, k)) continue;
                setOwn(out, k, v);
                const p = info?.keys?.get(k);
                if (p) keys.set(k, p);
              }
            }
            continue;
          }
          if (depth === 0 && key.startsWith("x-")) {
            const reported = problems;
            problems = [];
            setOwn(out, key, convert(valueNode, depth + 1, aliasSite));
            problems = reported;
          } else setOwn(out, key, convert(valueNode, depth + 1, aliasSite));
          keys.set(key, { key: keyPos, value: valuePos });
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
      if (duplicates.size > 0) {
        for (const d of duplicates.values()) diagnostics.push(d);
        continue;
      }
      positions.setRoot(value);
      // An anchor read through several aliases repeats its problems: each is reported once.
      const seen = new Set<string>();
      for (const p of problems) {
        const key = `${p.pos?.line}:${p.pos?.col}:${p.code}:${p.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        diagnostics.push(p);
      }
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
    if (v === null || typeof v === "number" || typeof v === "boolean") return v;
    // Explicit tags that yaml knows beyond JSON (!!timestamp, !!binary) make a Date or a byte array, which
    // the schema would take for a mapping, and the server would never see as written.
    problems.push({
      severity: "error",
      pos: at(node.range?.[0] ?? 0),
      code: "yaml.tag",
      message: `${shortTag(node.tag ?? "")} is not supported in a manifest: remove the tag and write the value as a string`,
    });
    return node.source;
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

const UNSUPPORTED_COLLECTION_TAGS = new Set([
  "tag:yaml.org,2002:set",
  "tag:yaml.org,2002:omap",
  "tag:yaml.org,2002:pairs",
]);

function shortTag(tag: string): string {
  return tag.startsWith("tag:yaml.org,2002:") ? `the tag !!${tag.slice(18)}` : `the tag ${tag}`;
}

/**
 * Lone CR is a line break in YAML and js-yaml reads it so; `yaml` does not. Both paths read the text with LF
 * in its place, which keeps every offset, so positions are still those of the file.
 */
export function normalizeLineBreaks(text: string): string {
  return text.includes("\r") ? text.replace(/\r(?!\n)/g, "\n") : text;
}

/**
 * What each alias of a document refers to: the last node before it with that anchor, as yaml's
 * `Alias.resolve` finds it, but for all aliases in one walk (`resolve` walks the whole document for each
 * alias, which takes minutes for a few tens of thousands of aliases). Iterative, for deep documents.
 */
function anchorIndex(doc: Document): Map<Alias, Node> {
  const resolved = new Map<Alias, Node>();
  const latest = new Map<string, Node>();
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isAlias(n)) {
      const target = latest.get(n.source);
      if (target) resolved.set(n, target);
    } else if (isPair(n)) {
      stack.push(n.value, n.key);
    } else if (isNode(n)) {
      if (n.anchor) latest.set(n.anchor, n);
      if (isCollection(n)) for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
    }
  }
  return resolved;
}

/** Sets a key as an own property, also `__proto__` (which plain assignment would take as the prototype). */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
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
