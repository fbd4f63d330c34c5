// Positions of resources by reference: an Origin is data (file, document, path) plus a lookup that
// finds the position in the file's positions when a message needs it.

import type { Origin, OriginRef } from "../model/desired.js";
import type { SourcePos } from "../model/diagnostic.js";
import { parsePath } from "../model/field-path.js";
import type { Env } from "./interpolate.js";
import type { Positions } from "./position-index.js";
import { parseYamlFile, type SourceFile } from "./yaml-document.js";

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

/**
 * Positions from the files' texts, computed with the `yaml` path on first use: what a process needs when
 * the manifest was loaded elsewhere (in a worker thread).
 */
export function positionsFromTexts(files: readonly SourceFile[], env: Env): PositionSource {
  const texts = new Map(files.map((f) => [f.path, f]));
  // Per file, the positions of each document by its index (a map: a file may hold 200,000 documents).
  const parsed = new Map<string, Map<number, Positions>>();
  return (file, doc) => {
    let docs = parsed.get(file);
    if (!docs) {
      const source = texts.get(file);
      if (!source) return undefined;
      docs = new Map(parseYamlFile(source, env).documents.map((d) => [d.index, d.positions]));
      parsed.set(file, docs);
    }
    return docs.get(doc);
  };
}
