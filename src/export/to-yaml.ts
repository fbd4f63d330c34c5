// The exported manifest as YAML: stable order, human units already in the values, comments only where
// they say something the values do not.

import { Document, isMap, isScalar, isSeq, visit } from "yaml";

export function manifestYaml(
  manifest: Record<string, unknown>,
  header: string,
  comments: ReadonlyMap<string, string>,
): string {
  const doc = new Document(manifest);
  doc.commentBefore = header;
  for (const section of ["streams", "key_value", "object_stores"]) {
    const seq = doc.get(section, true);
    if (!isSeq(seq)) continue;
    for (const item of seq.items) {
      if (!isMap(item)) continue;
      const name = String(item.get("name") ?? item.get("bucket"));
      const comment = comments.get(`${section}.${name}`);
      if (comment) item.commentBefore = ` ${comment}`;
    }
    // A blank line between resources, as people write manifests.
    seq.items.forEach((item, i) => {
      if (i > 0 && isMap(item)) item.spaceBefore = true;
    });
  }
  visit(doc, {
    Pair(_key, pair) {
      // A key named << would read back as a merge key.
      if (isScalar(pair.key) && pair.key.value === "<<") pair.key.type = "QUOTE_DOUBLE";
    },
    Scalar(_key, node) {
      // A block scalar cannot always say that a line starts with spaces or holds only spaces; quoted,
      // such text reads back exactly.
      if (typeof node.value === "string" && node.value.includes("\n") && /(^|\n)[ \t]/.test(node.value))
        node.type = "QUOTE_DOUBLE";
    },
  });
  // Short lists of plain values read best on one line: subjects: ["orders.>"], backoff: [1s, 10s, 1m].
  visit(doc, {
    Seq(_key, node) {
      if (node.items.every((i) => isScalar(i)) && node.items.length <= 8) {
        const width = node.items.reduce((n, i) => n + String((i as { value: unknown }).value).length + 2, 0);
        if (width <= 60) node.flow = true;
      }
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
