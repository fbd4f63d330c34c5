// Positions of resources by reference: an Origin is data (file, document, path) plus a lookup that
// finds the position in the file's positions when a message needs it.

import type { Origin, OriginRef } from "../model/desired.js";
import type { SourcePos } from "../model/diagnostic.js";
import { parsePath } from "../model/field-path.js";
import type { Positions } from "./position-index.js";

/** Finds the positions of a file's document. */
export type PositionSource = (file: string, doc: number) => Positions | undefined;

export function makeOrigin(ref: OriginRef, source: PositionSource): Origin {
  return new LazyOrigin(ref, source);
}

/**
 * A class, not an object of closures: a manifest of 55,000 resources holds one per resource, and three
 * closures each (with their contexts) took about 15 MB of heap more.
 */
class LazyOrigin implements Origin {
  #pos: SourcePos | undefined;
  readonly #source: PositionSource;

  constructor(
    readonly ref: OriginRef,
    source: PositionSource,
  ) {
    this.#source = source;
  }

  get pos(): SourcePos {
    this.#pos ??= this.#lookup([...this.ref.base, this.ref.nameKey]);
    return this.#pos;
  }

  fieldPos(path: string): SourcePos {
    return this.#lookup([...this.ref.base, ...parsePath(path)]);
  }

  #lookup(path: ReadonlyArray<string | number>): SourcePos {
    return (
      this.#source(this.ref.file, this.ref.doc)?.positionOf(path) ?? { file: this.ref.file, line: 1, col: 1 }
    );
  }
}
