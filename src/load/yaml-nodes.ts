// The nodes of one parsed YAML document → plain JS values, recording where each key and item came from,
// filling `${VAR}` in scalars (and re-typing the plain ones), and keeping to the limits on aliases and
// depth. The rules it follows are those of yaml-document.ts.

import type { Alias, Document, Node, Scalar, YAMLMap, YAMLSeq } from "yaml";
import type { Diagnostic, SourcePos } from "../model/diagnostic.js";
import { type Env, interpolate, retypePlainScalar } from "./interpolate.js";
import { setOwn } from "./own-keys.js";
import type { KeyPositions, PositionIndex } from "./position-index.js";
import { anchorIndex } from "./yaml-aliases.js";
import { yamlLib } from "./yaml-lib.js";
import { type AliasBudget, depthExceeded } from "./yaml-limits.js";
import { isMergeKey, type MergeReader, mergeInto } from "./yaml-merge.js";

const UNSUPPORTED_COLLECTION_TAGS = new Set([
  "tag:yaml.org,2002:set",
  "tag:yaml.org,2002:omap",
  "tag:yaml.org,2002:pairs",
]);

/** Reads one document; throws LimitExceeded (or RangeError, for a stack too deep) to stop the file. */
export class DocumentReader implements MergeReader {
  /**
   * What is wrong with the values read, except while the value of a top-level `x-` key is read: jsplan
   * ignores those keys, so what is wrong inside them (an unset ${VAR}, say) only matters where an alias
   * brings it into the manifest, and is reported there, when the alias is read.
   */
  #problems: Diagnostic[] = [];
  /**
   * Duplicate keys make the document unreadable, like a syntax error: reported once each (by position), and
   * the document is left out.
   */
  readonly duplicates = new Map<string, Diagnostic>();
  #anchors: Map<Alias, Node> | undefined;

  constructor(
    private readonly doc: Document,
    private readonly env: Env,
    readonly at: (offset: number) => SourcePos,
    private readonly maxDepth: number,
    readonly budget: AliasBudget,
    readonly positions: PositionIndex,
  ) {}

  get problems(): readonly Diagnostic[] {
    return this.#problems;
  }

  /** The document's value. */
  read(): unknown {
    return this.value(this.doc.contents as Node, 0, undefined);
  }

  /** `aliasSite` is the alias being expanded (the outermost one), where an over-budget expansion is reported. */
  value(node: Node | null | undefined, depth: number, aliasSite: SourcePos | undefined): unknown {
    if (yamlLib().isAlias(node)) {
      const target = this.resolveAlias(node);
      if (!target) {
        this.problem(this.at(node.range?.[0] ?? 0), "yaml.alias", `unknown alias *${node.source}`);
        return null;
      }
      // An alias to a scalar is no bigger than the alias itself: only collections count against the budget.
      const site = aliasSite ?? (yamlLib().isCollection(target) ? this.at(node.range?.[0] ?? 0) : undefined);
      return this.value(target, depth, site);
    }
    // An empty value counts like any other, as it does for the fast path (where it is a null).
    if (aliasSite) this.budget.charge(aliasSite);
    if (depth > this.maxDepth) throw depthExceeded(this.maxDepth, this.at(node?.range?.[0] ?? 0));
    if (node === null || node === undefined) return null;
    if (yamlLib().isScalar(node)) return this.#scalar(node);
    if (yamlLib().isCollection(node) && UNSUPPORTED_COLLECTION_TAGS.has(node.tag ?? "")) {
      this.problem(
        this.at(node.range?.[0] ?? 0),
        "yaml.tag",
        `${shortTag(node.tag!)} is not supported in a manifest: write a plain mapping or list`,
      );
      return null;
    }
    if (yamlLib().isMap(node)) return this.#mapping(node, depth, aliasSite);
    if (yamlLib().isSeq(node)) return this.#sequence(node, depth, aliasSite);
    return null;
  }

  resolveAlias(alias: Alias): Node | undefined {
    this.#anchors ??= anchorIndex(this.doc);
    return this.#anchors.get(alias);
  }

  problem(pos: SourcePos, code: string, message: string): void {
    this.#problems.push({ severity: "error", pos, code, message });
  }

  #mapping(node: YAMLMap, depth: number, aliasSite: SourcePos | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys: KeyPositions = new Map();
    const own = new Set<string>();
    for (const pair of node.items) {
      if (!yamlLib().isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keyPos = this.at(keyNode?.range?.[0] ?? node.range?.[0] ?? 0);
      const valueNode = pair.value as Node | null;
      const valuePos = valueNode?.range ? this.at(valueNode.range[0]) : keyPos;
      if (
        !yamlLib().isScalar(keyNode) ||
        (typeof keyNode.value !== "string" && typeof keyNode.value !== "number")
      ) {
        this.problem(keyPos, "yaml.key", "keys must be plain strings");
        continue;
      }
      const key = String(keyNode.value);
      if (own.has(key)) {
        const message = "Map keys must be unique: each key may appear once in a mapping";
        this.duplicates.set(`${keyPos.line}:${keyPos.col}`, {
          severity: "error",
          pos: keyPos,
          code: "yaml.syntax",
          message,
        });
        continue;
      }
      own.add(key);
      if (isMergeKey(key, keyNode)) {
        mergeInto(out, keys, valueNode, depth, aliasSite, this);
        continue;
      }
      const value =
        depth === 0 && key.startsWith("x-")
          ? this.#ignored(valueNode, depth + 1, aliasSite)
          : this.value(valueNode, depth + 1, aliasSite);
      setOwn(out, key, value);
      keys.set(key, { key: keyPos, value: valuePos });
    }
    this.positions.record(out, { pos: this.at(node.range?.[0] ?? 0), keys });
    return out;
  }

  #sequence(node: YAMLSeq, depth: number, aliasSite: SourcePos | undefined): unknown[] {
    const out: unknown[] = [];
    const items: SourcePos[] = [];
    for (const item of node.items) {
      const itemNode = item as Node | null;
      items.push(this.at(itemNode?.range?.[0] ?? node.range?.[0] ?? 0));
      out.push(this.value(itemNode, depth + 1, aliasSite));
    }
    this.positions.record(out, { pos: this.at(node.range?.[0] ?? 0), items });
    return out;
  }

  /** The value of a key jsplan ignores: read for its positions and limits, its problems not reported. */
  #ignored(node: Node | null, depth: number, aliasSite: SourcePos | undefined): unknown {
    const reported = this.#problems;
    this.#problems = [];
    const value = this.value(node, depth, aliasSite);
    this.#problems = reported;
    return value;
  }

  #scalar(node: Scalar): unknown {
    const v = node.value;
    if (typeof v !== "string") {
      // Numbers the core schema cannot hold exactly (e.g. nanoseconds past 2^53) stay as written.
      if (v === null || typeof v === "number" || typeof v === "boolean") return v;
      // Explicit tags that yaml knows beyond JSON (!!timestamp, !!binary) make a Date or a byte array, which
      // the schema would take for a mapping, and the server would never see as written.
      this.problem(
        this.at(node.range?.[0] ?? 0),
        "yaml.tag",
        `${shortTag(node.tag ?? "")} is not supported in a manifest: remove the tag and write the value as a string`,
      );
      return node.source;
    }
    if (!v.includes("${")) return v;
    const r = interpolate(v, this.env);
    if (!r.ok) {
      this.problem(this.at(node.range?.[0] ?? 0), "manifest.interpolation", r.message);
      return v;
    }
    return node.type === "PLAIN" ? retypePlainScalar(r.value) : r.value;
  }
}

function shortTag(tag: string): string {
  return tag.startsWith("tag:yaml.org,2002:") ? `the tag !!${tag.slice(18)}` : `the tag ${tag}`;
}
