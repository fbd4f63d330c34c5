// Merge keys (`<<: *base`, `<<: [*a, *b]`, or an alias to such a list), as both YAML paths apply them: the
// merged keys go where the `<<` stands; keys of the mapping itself win wherever they stand, and earlier
// sources win over later ones. The mappings merged count at the level of the mapping they merge into.

import type { Alias, Node, Scalar } from "yaml";
import type { SourcePos } from "../model/diagnostic.js";
import { setOwn } from "./own-keys.js";
import type { KeyPositions, PositionIndex } from "./position-index.js";
import { yamlLib } from "./yaml-lib.js";
import type { AliasBudget } from "./yaml-limits.js";

/** What merging needs of the reader of the document (yaml-nodes.ts). */
export interface MergeReader {
  readonly positions: PositionIndex;
  readonly budget: AliasBudget;
  at(offset: number): SourcePos;
  resolveAlias(alias: Alias): Node | undefined;
  value(node: Node | null, depth: number, aliasSite: SourcePos | undefined): unknown;
  problem(pos: SourcePos, code: string, message: string): void;
}

/** `<<` written plain and untagged: a quoted or tagged `<<` is an ordinary key. */
export function isMergeKey(key: string, keyNode: Scalar): boolean {
  return key === "<<" && keyNode.type === "PLAIN" && !keyNode.tag;
}

/** Adds the keys of the merge key's mappings that `out` does not have yet, with their positions. */
export function mergeInto(
  out: Record<string, unknown>,
  keys: KeyPositions,
  valueNode: Node | null,
  depth: number,
  aliasSite: SourcePos | undefined,
  reader: MergeReader,
): void {
  let sources: ReadonlyArray<unknown> = [valueNode];
  let site = aliasSite;
  const list = yamlLib().isAlias(valueNode) ? reader.resolveAlias(valueNode) : valueNode;
  if (yamlLib().isSeq(list)) {
    if (list !== valueNode) site ??= reader.at(valueNode?.range?.[0] ?? 0);
    if (site) reader.budget.charge(site); // the list itself, as the fast path counts it
    sources = list.items;
  }
  for (const src of sources) {
    const merged = reader.value(src as Node | null, depth, site);
    if (typeof merged !== "object" || merged === null || Array.isArray(merged)) {
      reader.problem(
        reader.at((src as Node | null)?.range?.[0] ?? valueNode?.range?.[0] ?? 0),
        "yaml.merge",
        "a merge key (<<) needs a mapping or a list of mappings, usually an alias such as <<: *defaults",
      );
      continue;
    }
    const info = reader.positions.infoOf(merged);
    for (const [k, v] of Object.entries(merged)) {
      if (Object.hasOwn(out, k)) continue;
      setOwn(out, k, v);
      const p = info?.keys?.get(k);
      if (p) keys.set(k, p);
    }
  }
}
