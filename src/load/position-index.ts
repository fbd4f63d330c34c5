// Where each value of a document read by the `yaml` path came from, looked up by JSON path.

import type { SourcePos } from "../model/diagnostic.js";

/** Key → where the key and its value are. */
export type KeyPositions = Map<string, { key: SourcePos; value: SourcePos }>;

export interface NodeInfo {
  readonly pos: SourcePos;
  /** For mappings: where each key and its value are. */
  readonly keys?: KeyPositions;
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

  /**
   * positionOf, when this index was read from a prefix of the file, for a path whose answer the rest of
   * the file cannot change: the value (or one of its ancestors) has a later sibling in the prefix, so it
   * ends there. Undefined when that is not known.
   */
  settledPositionOf(
    path: ReadonlyArray<string | number>,
    at: "value" | "key" = "value",
  ): SourcePos | undefined {
    let node: unknown = this.#root;
    const rootInfo = isObject(node) ? this.#info.get(node) : undefined;
    let pos = rootInfo?.pos || this.documentPos;
    // The root is settled once it holds anything: where it starts is read before its first child.
    if (path.length === 0)
      return (rootInfo?.items?.length ?? rootInfo?.keys?.size ?? 0) > 0 ? pos : undefined;
    let settled = false;
    for (let i = 0; i < path.length; i++) {
      // Where a complete container lacks the next step, the ancestor's position is the answer.
      if (!isObject(node)) return settled ? pos : undefined;
      const info = this.#info.get(node);
      const seg = path[i]!;
      if (Array.isArray(node)) {
        const idx = typeof seg === "number" ? seg : Number(seg);
        const p = info?.items?.[idx];
        if (!p) return settled ? pos : undefined;
        settled ||= (info?.items?.length ?? 0) > idx + 1;
        pos = p;
        node = node[idx];
      } else {
        const k = info?.keys?.get(String(seg));
        if (!k) return settled ? pos : undefined;
        settled ||= laterKey(info!.keys!, k.key);
        pos = i === path.length - 1 && at === "key" ? k.key : k.value;
        node = (node as Record<string, unknown>)[String(seg)];
      }
    }
    return settled ? pos : undefined;
  }
}

/** Whether `a` comes after `b` in the text. */
function after(a: SourcePos, b: SourcePos): boolean {
  return a.line > b.line || (a.line === b.line && a.col > b.col);
}

/** A key of the mapping after `key`, among its first entries (a long mapping is left undecided). */
function laterKey(keys: KeyPositions, key: SourcePos): boolean {
  let seen = 0;
  for (const k of keys.values()) {
    if (after(k.key, key)) return true;
    if (++seen >= 64) return false;
  }
  return false;
}

function isObject(v: unknown): v is object {
  return typeof v === "object" && v !== null;
}
