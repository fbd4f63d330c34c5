// What the aliases of a document refer to.

import type { Alias, Document, Node } from "yaml";
import { yamlLib } from "./yaml-lib.js";

/**
 * What each alias of a document refers to: the last node before it with that anchor, as yaml's
 * `Alias.resolve` finds it, but for all aliases in one walk (`resolve` walks the whole document for each
 * alias, which takes minutes for a few tens of thousands of aliases). Iterative, for deep documents.
 */
export function anchorIndex(doc: Document): Map<Alias, Node> {
  const resolved = new Map<Alias, Node>();
  const latest = new Map<string, Node>();
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const n = stack.pop();
    if (yamlLib().isAlias(n)) {
      const target = latest.get(n.source);
      if (target) resolved.set(n, target);
    } else if (yamlLib().isPair(n)) {
      stack.push(n.value, n.key);
    } else if (yamlLib().isNode(n)) {
      if (n.anchor) latest.set(n.anchor, n);
      if (yamlLib().isCollection(n)) for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
    }
  }
  return resolved;
}
