// Schema-valid manifest documents → one DesiredState. Resources from every file and document are merged
// here. The first declaration of a resource wins; duplicates are reported by findDuplicates.

import { KV_VIEW, OBJECT_STORE_VIEW } from "../jetstream/fields/buckets.js";
import { consumerAddress, kvAddress, objectStoreAddress, streamAddress } from "../model/address.js";
import type {
  DesiredConsumer,
  DesiredEntry,
  DesiredKv,
  DesiredObjectStore,
  DesiredState,
  DesiredStream,
  IgnoreChanges,
  KvSpec,
  ObjectStoreSpec,
  Origin,
} from "../model/desired.js";
import { type Diagnostic, formatPos, type SourcePos } from "../model/diagnostic.js";
import type { PathSegment } from "../model/field-path.js";
import {
  convertBucketUnits,
  toConsumerConfig,
  toStreamConfig,
  toStreamSource,
  UnitRangeError,
} from "./convert.js";
import { type IgnoringKind, readIgnoreChanges } from "./ignore-changes.js";
import { makeOrigin, type PositionSource } from "./positions.js";
import type { LoadedDocument } from "./yaml-document.js";

type Raw = Record<string, unknown>;

/** One position source per document, shared by its resources' origins. */
const sources = new WeakMap<LoadedDocument, PositionSource>();

/** Positions are looked up when a message needs one: for a valid manifest, never. */
function originOf(doc: LoadedDocument, base: PathSegment[], nameKey: string): Origin {
  let source = sources.get(doc);
  if (!source) {
    // Capture the positions, not the document: the document holds the parsed YAML tree, which every
    // resource's origin would then keep alive for as long as the plan lives (a third of load's memory).
    const { positions } = doc;
    source = () => positions;
    sources.set(doc, source);
  }
  return makeOrigin({ file: doc.file, doc: doc.index, base, nameKey }, source);
}

/** Paths (JSON pointers) of the resources whose own values failed the schema: they are left out. */
export type Rejected = ReadonlySet<string>;

export function buildDesiredState(
  docs: readonly LoadedDocument[],
  rejected: Rejected,
  files: readonly string[],
): { desired: DesiredState; diagnostics: Diagnostic[] } {
  const builder = new DesiredBuilder(rejected);
  for (const doc of docs) builder.addDocument(doc);
  return builder.result(files);
}

/** The resources of the documents added so far, by address; the first declaration of each wins. */
class DesiredBuilder {
  readonly #diagnostics: Diagnostic[] = [];
  readonly #streams = new Map<string, DesiredStream>();
  readonly #consumers = new Map<string, DesiredConsumer>();
  readonly #kvs = new Map<string, DesiredKv>();
  readonly #objectStores = new Map<string, DesiredObjectStore>();
  #owner: { value: string; pos: () => SourcePos } | undefined;

  constructor(private readonly rejected: Rejected) {}

  /** The resources of one document, in the order of its sections; a stream's consumers follow it. */
  addDocument(doc: LoadedDocument): void {
    const root = doc.value as Raw | null;
    if (!root || typeof root !== "object" || Array.isArray(root)) return;
    const docKey = `${doc.file}#${doc.index}`;
    if (typeof root.owner === "string" && !this.rejected.has(`${docKey}/owner`))
      this.#addOwner(doc, root.owner);
    for (const [i, raw] of entries(root.streams)) {
      if (this.rejected.has(`${docKey}/streams/${i}`)) continue;
      this.#addStream(doc, raw, i);
      for (const [j, c] of entries(raw.consumers)) {
        if (this.rejected.has(`${docKey}/streams/${i}/consumers/${j}`)) continue;
        this.#addConsumer(doc, c, raw.name as string, ["streams", i, "consumers", j], true);
      }
    }
    for (const [i, raw] of entries(root.consumers)) {
      if (this.rejected.has(`${docKey}/consumers/${i}`)) continue;
      this.#addConsumer(doc, raw, raw.stream as string, ["consumers", i], false);
    }
    for (const [i, raw] of entries(root.key_value)) {
      if (!this.rejected.has(`${docKey}/key_value/${i}`)) this.#addKv(doc, raw, i);
    }
    for (const [i, raw] of entries(root.object_stores)) {
      if (!this.rejected.has(`${docKey}/object_stores/${i}`)) this.#addObjectStore(doc, raw, i);
    }
  }

  result(files: readonly string[]): { desired: DesiredState; diagnostics: Diagnostic[] } {
    return {
      desired: {
        ...(this.#owner ? { owner: this.#owner.value } : {}),
        streams: [...this.#streams.values()],
        consumers: [...this.#consumers.values()],
        keyValues: [...this.#kvs.values()],
        objectStores: [...this.#objectStores.values()],
        files,
      },
      diagnostics: this.#diagnostics,
    };
  }

  /** All files of one manifest share one owner: the first one given, which any other contradicts. */
  #addOwner(doc: LoadedDocument, value: string): void {
    const pos = () => doc.positions.positionOf(["owner"]);
    if (this.#owner && this.#owner.value !== value) {
      this.#diagnostics.push({
        severity: "error",
        pos: pos(),
        code: "semantic.owner-conflict",
        message: `owner "${value}" differs from owner "${this.#owner.value}" at ${formatPos(this.#owner.pos())}; all files of one manifest share one owner`,
      });
    } else if (!this.#owner) {
      this.#owner = { value, pos };
    }
  }

  #addStream(doc: LoadedDocument, raw: Raw, i: number): void {
    const name = raw.name as string;
    const address = streamAddress(name);
    const origin = originOf(doc, ["streams", i], "name");
    if (this.#streams.has(address)) return; // reported by findDuplicates
    const config = this.#converted(address, origin, () => toStreamConfig(raw));
    if (!config) return;
    this.#streams.set(address, {
      kind: "stream",
      address,
      name,
      protect: raw.protect === true,
      ...this.#ignoring(address, origin, raw, "stream"),
      config,
      origin,
    });
  }

  #addConsumer(doc: LoadedDocument, raw: Raw, stream: string, base: PathSegment[], nested: boolean): void {
    const name = raw.name as string;
    const address = consumerAddress(stream, name);
    const origin = originOf(doc, base, "name");
    if (this.#consumers.has(address)) return; // reported by findDuplicates
    const config = this.#converted(address, origin, () => toConsumerConfig(raw));
    if (!config) return;
    const consumer: DesiredConsumer = {
      kind: "consumer",
      address,
      stream,
      name,
      protect: raw.protect === true,
      ...this.#ignoring(address, origin, raw, "consumer"),
      config,
      origin,
      nested,
    };
    this.#consumers.set(address, consumer);
  }

  #addKv(doc: LoadedDocument, raw: Raw, i: number): void {
    const name = raw.bucket as string;
    const address = kvAddress(name);
    const origin = originOf(doc, ["key_value", i], "bucket");
    if (this.#kvs.has(address)) return; // reported by findDuplicates
    const spec = this.#converted(address, origin, () => convertBucketUnits(raw, KV_VIEW));
    if (!spec) return;
    if (spec.mirror) spec.mirror = toStreamSource(spec.mirror as Raw);
    if (Array.isArray(spec.sources)) spec.sources = (spec.sources as Raw[]).map(toStreamSource);
    const kv: DesiredKv = {
      kind: "kv",
      address,
      name,
      protect: raw.protect === true,
      ...this.#ignoring(address, origin, raw, "kv"),
      spec: spec as unknown as KvSpec,
      ...(raw.entries !== undefined && raw.entries !== null
        ? { entries: entriesOf(raw.entries as Raw, raw.sensitive === true) }
        : {}),
      ...(raw.sensitive === true ? { sensitive: true } : {}),
      origin,
    };
    this.#kvs.set(address, kv);
  }

  #addObjectStore(doc: LoadedDocument, raw: Raw, i: number): void {
    const name = raw.bucket as string;
    const address = objectStoreAddress(name);
    const origin = originOf(doc, ["object_stores", i], "bucket");
    if (this.#objectStores.has(address)) return; // reported by findDuplicates
    const spec = this.#converted(
      address,
      origin,
      () => convertBucketUnits(raw, OBJECT_STORE_VIEW) as unknown as ObjectStoreSpec,
    );
    if (!spec) return;
    this.#objectStores.set(address, {
      kind: "objectstore",
      address,
      name,
      protect: raw.protect === true,
      ...this.#ignoring(address, origin, raw, "objectstore"),
      spec,
      origin,
    });
  }

  /** The resource's ignore_changes as wire paths; a field it does not have is an error at the entry. */
  #ignoring(
    address: string,
    origin: Origin,
    raw: Raw,
    kind: IgnoringKind,
  ): { ignoreChanges?: IgnoreChanges } {
    const r = readIgnoreChanges(raw.ignore_changes, kind);
    for (const p of r.problems) {
      this.#diagnostics.push({
        severity: "error",
        pos: origin.fieldPos(p.path),
        address,
        path: p.path,
        code: "semantic.ignore-changes",
        message: p.message,
      });
    }
    return r.value ? { ignoreChanges: r.value } : {};
  }

  /** Converts units, or reports the value that is out of range and gives undefined. */
  #converted<T>(address: string, origin: Origin, convert: () => T): T | undefined {
    try {
      return convert();
    } catch (err) {
      if (!(err instanceof UnitRangeError)) throw err;
      this.#diagnostics.push({
        severity: "error",
        pos: origin.fieldPos(err.path),
        address,
        path: err.path,
        code: `schema.${err.kind}`,
        message: `${err.path}: ${err.message}`,
      });
      return undefined;
    }
  }
}

/** The mapping items of a list with their original indexes (anything else was reported by the schema). */
function entries(v: unknown): Array<[number, Raw]> {
  if (!Array.isArray(v)) return [];
  const out: Array<[number, Raw]> = [];
  v.forEach((x, i) => {
    if (x && typeof x === "object" && !Array.isArray(x)) out.push([i, x as Raw]);
  });
  return out;
}

/** A bucket's `entries` as the plan reads them: sorted by key, each value with its sensitivity. */
function entriesOf(raw: Raw, bucketSensitive: boolean): DesiredEntry[] {
  return Object.keys(raw)
    .sort()
    .map((key) => {
      const v = raw[key] as string | { value: string; sensitive?: boolean };
      return typeof v === "string"
        ? { key, value: v, sensitive: bucketSensitive }
        : { key, value: v.value, sensitive: v.sensitive ?? bucketSensitive };
    });
}
