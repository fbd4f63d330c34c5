// The same resource declared twice, across files and documents, reported with both places. It runs on the
// raw documents, before the schema rejects anything, so that a duplicate is found even when one of the two
// declarations has another mistake. Positions are looked up only for the duplicates themselves.

import { KV_PREFIX, OBJ_PREFIX } from "../jetstream/buckets.js";
import { type Diagnostic, formatPos, type SourcePos } from "../model/diagnostic.js";
import type { LoadedDocument } from "./yaml-document.js";

type Raw = Record<string, unknown>;

interface Declared {
  readonly label: string;
  readonly address: string;
  readonly doc: LoadedDocument;
  /** The path of the value that names the resource. */
  readonly path: Array<string | number>;
}

/** What the resources of one section of a document declare. */
type Section = (items: Raw[], doc: LoadedDocument, declarations: Declarations) => void;

/** A bucket is a stream underneath (KV_<bucket>, OBJ_<bucket>): declaring both is declaring it twice. */
const BUCKET_SECTIONS = [
  { section: "key_value", streamPrefix: KV_PREFIX, label: "KV bucket", kind: "kv" },
  { section: "object_stores", streamPrefix: OBJ_PREFIX, label: "object store", kind: "objectstore" },
] as const;

const SECTIONS = new Map<string, Section>([
  ["streams", declareStreams],
  ["consumers", declareConsumers],
  ...BUCKET_SECTIONS.map((b): [string, Section] => [b.section, bucketSection(b)]),
]);

export function findDuplicates(docs: readonly LoadedDocument[]): Diagnostic[] {
  const declarations = new Declarations();
  for (const doc of docs) {
    const root = doc.value;
    if (!isMap(root)) continue;
    // Sections in the order the document has them, so that "first" means first in the file.
    for (const section of Object.keys(root)) SECTIONS.get(section)?.(list(root[section]), doc, declarations);
  }
  return declarations.duplicates;
}

/** The resources declared so far by the key that makes two the same, and the duplicates found. */
class Declarations {
  readonly #first = new Map<string, Declared>();
  readonly duplicates: Diagnostic[] = [];

  declare(key: string, d: Declared): void {
    const first = this.#first.get(key);
    if (!first) {
      this.#first.set(key, d);
      return;
    }
    const firstAt = formatPos(posOf(first));
    this.duplicates.push({
      severity: "error",
      pos: posOf(d),
      address: d.address,
      code: "semantic.duplicate",
      message:
        first.label === d.label
          ? `${d.label} is declared twice: first at ${firstAt}; keep one declaration`
          : `${d.label} is the same stream as ${first.label} at ${firstAt}; keep one of them`,
    });
  }
}

function declareStreams(streams: Raw[], doc: LoadedDocument, declarations: Declarations): void {
  streams.forEach((s, i) => {
    const name = str(s.name);
    if (name !== undefined) {
      declarations.declare(`stream.${name}`, {
        label: `stream ${name}`,
        address: `stream.${name}`,
        doc,
        path: ["streams", i, "name"],
      });
    }
    list(s.consumers).forEach((c, j) => {
      const cname = str(c.name);
      if (name === undefined || cname === undefined) return;
      const address = `consumer.${name}.${cname}`;
      declarations.declare(address, {
        label: `consumer ${name}.${cname}`,
        address,
        doc,
        path: ["streams", i, "consumers", j, "name"],
      });
    });
  });
}

function declareConsumers(consumers: Raw[], doc: LoadedDocument, declarations: Declarations): void {
  consumers.forEach((c, i) => {
    const stream = str(c.stream);
    const cname = str(c.name);
    if (stream === undefined || cname === undefined) return;
    const address = `consumer.${stream}.${cname}`;
    declarations.declare(address, {
      label: `consumer ${stream}.${cname}`,
      address,
      doc,
      path: ["consumers", i, "name"],
    });
  });
}

function bucketSection(b: (typeof BUCKET_SECTIONS)[number]): Section {
  return (buckets, doc, declarations) => {
    buckets.forEach((item, i) => {
      const bucket = str(item.bucket);
      if (bucket === undefined) return;
      declarations.declare(`stream.${b.streamPrefix}${bucket}`, {
        label: `${b.label} ${bucket}`,
        address: `${b.kind}.${bucket}`,
        doc,
        path: [b.section, i, "bucket"],
      });
    });
  };
}

function posOf(d: Declared): SourcePos {
  return d.doc.positions.positionOf(d.path);
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
