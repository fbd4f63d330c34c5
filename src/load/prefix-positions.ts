// Positions for the js-yaml fast path, which reads values without them: the `yaml` path reads a prefix of
// the file, as long as the positions asked for need, and a longer one when it does not reach them. A file
// of 300,000 broken resources lists the first thousand problems; reading the whole 12 MB with `yaml` to
// place them took 18 s. Text after a node cannot change where the node and the nodes before it start, so a
// position read from a prefix is the file's own once the node is known to end inside the prefix: once it,
// or one of its ancestors, has a later sibling there.

import type { SourcePos } from "../model/diagnostic.js";
import type { Env } from "./interpolate.js";
import { PositionIndex } from "./position-index.js";
import { parseYamlFile, type SourceFile } from "./yaml-document.js";
import type { ParseLimits } from "./yaml-limits.js";

/** The first prefix read, in characters; each further one doubles it. */
const FIRST_PREFIX = 64 * 1024;

export class PrefixPositions {
  #cut = 0;
  #docs: ReadonlyMap<number, PositionIndex> = new Map();

  constructor(
    private readonly source: SourceFile,
    private readonly env: Env,
    private readonly limits: ParseLimits,
  ) {}

  get #whole(): boolean {
    return this.#cut >= this.source.text.length;
  }

  /** The position of the value (or key) at `path` in document `doc`, as the whole file's parse gives it. */
  positionOf(doc: number, path: ReadonlyArray<string | number>, at?: "value" | "key"): SourcePos | undefined {
    for (;;) {
      const positions = this.#docs.get(doc);
      if (this.#whole) return positions?.positionOf(path, at);
      const settled = positions?.settledPositionOf(path, at);
      if (settled) return settled;
      this.#grow();
    }
  }

  documentPos(doc: number): SourcePos | undefined {
    for (;;) {
      // A document that a later one follows ends inside the prefix.
      if (this.#whole || this.#docs.has(doc + 1)) return this.#docs.get(doc)?.documentPos;
      const settled = this.#docs.get(doc)?.settledPositionOf([]);
      if (settled) return this.#docs.get(doc)?.documentPos;
      this.#grow();
    }
  }

  #grow(): void {
    const text = this.source.text;
    const want = Math.max(FIRST_PREFIX, this.#cut * 2);
    const eol = want >= text.length ? -1 : text.indexOf("\n", want);
    this.#cut = eol < 0 ? text.length : eol + 1;
    const prefix = this.#whole ? text : text.slice(0, this.#cut);
    const parsed = parseYamlFile({ path: this.source.path, text: prefix }, this.env, this.limits);
    const docs = new Map<number, PositionIndex>();
    for (const d of parsed.documents)
      if (d.positions instanceof PositionIndex) docs.set(d.index, d.positions);
    this.#docs = docs;
  }
}
