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
}

function isObject(v: unknown): v is object {
  return typeof v === "object" && v !== null;
}
