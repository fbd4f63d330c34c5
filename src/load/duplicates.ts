// The same resource declared twice, across files and documents, reported with both places. It runs on the
// raw documents, before the schema rejects anything, so that a duplicate is found even when one of the two
// declarations has another mistake. Positions are looked up only for the duplicates themselves.

import type { Diagnostic, SourcePos } from "../model/diagnostic.js";
import type { LoadedDocument } from "./yaml-document.js";

type Raw = Record<string, unknown>;

interface Declared {
  readonly label: string;
  readonly address: string;
  pos(): SourcePos;
}

export function findDuplicates(docs: readonly LoadedDocument[]): Diagnostic[] {
  const seen = new Map<string, Declared>();
  const out: Diagnostic[] = [];
  const declare = (key: string, d: Declared) => {
    const first = seen.get(key);
    if (!first) {
      seen.set(key, d);
      return;
    }
    out.push({
      severity: "error",
      pos: d.pos(),
      address: d.address,
      code: "semantic.duplicate",
      message:
        first.label === d.label
          ? `${d.label} is declared twice: first at ${at(first.pos())}; keep one declaration`
          : `${d.label} is the same stream as ${first.label} at ${at(first.pos())}; keep one of them`,
    });
  };
  for (const doc of docs) {
    const root = doc.value;
    if (!isMap(root)) continue;
    const pos = (path: Array<string | number>) => () => doc.positions.positionOf(path);
    // Sections in the order the document has them, so that "first" means first in the file.
    for (const section of Object.keys(root)) {
      if (section === "streams") {
        list(root.streams).forEach((s, i) => {
          const name = str(s.name);
          if (name !== undefined)
            declare(`stream.${name}`, {
              label: `stream ${name}`,
              address: `stream.${name}`,
              pos: pos(["streams", i, "name"]),
            });
          list(s.consumers).forEach((c, j) => {
            const cname = str(c.name);
            if (name === undefined || cname === undefined) return;
            const address = `consumer.${name}.${cname}`;
            declare(address, {
              label: `consumer ${name}.${cname}`,
              address,
              pos: pos(["streams", i, "consumers", j, "name"]),
            });
          });
        });
      } else if (section === "consumers") {
        list(root.consumers).forEach((c, i) => {
          const stream = str(c.stream);
          const cname = str(c.name);
          if (stream === undefined || cname === undefined) return;
          const address = `consumer.${stream}.${cname}`;
          declare(address, {
            label: `consumer ${stream}.${cname}`,
            address,
            pos: pos(["consumers", i, "name"]),
          });
        });
      } else if (section === "key_value") {
        // A bucket is a stream underneath (KV_<bucket>, OBJ_<bucket>): declaring both is declaring it twice.
        list(root.key_value).forEach((b, i) => {
          const bucket = str(b.bucket);
          if (bucket !== undefined)
            declare(`stream.KV_${bucket}`, {
              label: `KV bucket ${bucket}`,
              address: `kv.${bucket}`,
              pos: pos(["key_value", i, "bucket"]),
            });
        });
      } else if (section === "object_stores") {
        list(root.object_stores).forEach((b, i) => {
          const bucket = str(b.bucket);
          if (bucket !== undefined) {
            declare(`stream.OBJ_${bucket}`, {
              label: `object store ${bucket}`,
              address: `objectstore.${bucket}`,
              pos: pos(["object_stores", i, "bucket"]),
            });
          }
        });
      }
    }
  }
  return out;
}

function at(p: SourcePos): string {
  return `${p.file}:${p.line}:${p.col}`;
}

function isMap(v: unknown): v is Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function list(v: unknown): Raw[] {
  // Non-mappings stay in place (as empty mappings) so that indexes keep matching the document.
  return Array.isArray(v) ? v.map((x) => (isMap(x) ? x : {})) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
