// Schema-valid manifest documents → one DesiredState. Resources from every file and document are merged
// here. The first declaration of a resource wins; duplicates are reported by findDuplicates.

import { consumerAddress, kvAddress, objectStoreAddress, streamAddress } from "../model/address.js";
import type {
  DesiredConsumer,
  DesiredKv,
  DesiredObjectStore,
  DesiredState,
  DesiredStream,
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
  const diagnostics: Diagnostic[] = [];
  const streams = new Map<string, DesiredStream>();
  const consumers = new Map<string, DesiredConsumer>();
  const kvs = new Map<string, DesiredKv>();
  const objectStores = new Map<string, DesiredObjectStore>();
  let owner: { value: string; pos: () => SourcePos } | undefined;

  const isRejected = (ptr: string) => rejected.has(ptr);

  for (const doc of docs) {
    const root = doc.value as Raw | null;
    if (!root || typeof root !== "object" || Array.isArray(root)) continue;
    const docKey = `${doc.file}#${doc.index}`;

    if (typeof root.owner === "string" && !isRejected(`${docKey}/owner`)) {
      const pos = () => doc.positions.positionOf(["owner"]);
      if (owner && owner.value !== root.owner) {
        diagnostics.push({
          severity: "error",
          pos: pos(),
          code: "semantic.owner-conflict",
          message: `owner "${root.owner}" differs from owner "${owner.value}" at ${formatPos(owner.pos())}; all files of one manifest share one owner`,
        });
      } else if (!owner) {
        owner = { value: root.owner, pos };
      }
    }

    /** Converts units, or reports the value that is out of range and gives undefined. */
    const converted = <T>(address: string, origin: Origin, convert: () => T): T | undefined => {
      try {
        return convert();
      } catch (err) {
        if (!(err instanceof UnitRangeError)) throw err;
        diagnostics.push({
          severity: "error",
          pos: origin.fieldPos(err.path),
          address,
          path: err.path,
          code: `schema.${err.kind}`,
          message: `${err.path}: ${err.message}`,
        });
        return undefined;
      }
    };

    const addConsumer = (raw: Raw, stream: string, base: PathSegment[], nested: boolean) => {
      const name = raw.name as string;
      const address = consumerAddress(stream, name);
      const origin = originOf(doc, base, "name");
      const existing = consumers.get(address);
      if (existing) return; // reported by findDuplicates
      const config = converted(address, origin, () => toConsumerConfig(raw));
      if (!config) return;
      consumers.set(address, {
        kind: "consumer",
        address,
        stream,
        name,
        protect: raw.protect === true,
        config,
        origin,
        nested,
      });
    };

    for (const [i, raw] of entries(root.streams)) {
      if (isRejected(`${docKey}/streams/${i}`)) continue;
      const name = raw.name as string;
      const address = streamAddress(name);
      const origin = originOf(doc, ["streams", i], "name");
      const existing = streams.get(address);
      const config = existing ? undefined : converted(address, origin, () => toStreamConfig(raw));
      if (config)
        streams.set(address, {
          kind: "stream",
          address,
          name,
          protect: raw.protect === true,
          config,
          origin,
        });
      for (const [j, c] of entries(raw.consumers)) {
        if (isRejected(`${docKey}/streams/${i}/consumers/${j}`)) continue;
        addConsumer(c, name, ["streams", i, "consumers", j], true);
      }
    }
    for (const [i, raw] of entries(root.consumers)) {
      if (isRejected(`${docKey}/consumers/${i}`)) continue;
      addConsumer(raw, raw.stream as string, ["consumers", i], false);
    }
    for (const [i, raw] of entries(root.key_value)) {
      if (isRejected(`${docKey}/key_value/${i}`)) continue;
      const name = raw.bucket as string;
      const address = kvAddress(name);
      const origin = originOf(doc, ["key_value", i], "bucket");
      const existing = kvs.get(address);
      if (existing) continue; // reported by findDuplicates
      const spec = converted(address, origin, () =>
        convertBucketUnits(raw, ["ttl", "limit_marker_ttl"], ["max_value_size", "max_bytes"]),
      );
      if (!spec) continue;
      if (spec.mirror) spec.mirror = toStreamSource(spec.mirror as Raw);
      if (Array.isArray(spec.sources)) spec.sources = (spec.sources as Raw[]).map(toStreamSource);
      kvs.set(address, {
        kind: "kv",
        address,
        name,
        protect: raw.protect === true,
        spec: spec as unknown as KvSpec,
        origin,
      });
    }
    for (const [i, raw] of entries(root.object_stores)) {
      if (isRejected(`${docKey}/object_stores/${i}`)) continue;
      const name = raw.bucket as string;
      const address = objectStoreAddress(name);
      const origin = originOf(doc, ["object_stores", i], "bucket");
      const existing = objectStores.get(address);
      if (existing) continue; // reported by findDuplicates
      const spec = converted(
        address,
        origin,
        () => convertBucketUnits(raw, ["ttl"], ["max_bytes"]) as unknown as ObjectStoreSpec,
      );
      if (!spec) continue;
      objectStores.set(address, {
        kind: "objectstore",
        address,
        name,
        protect: raw.protect === true,
        spec,
        origin,
      });
    }
  }

  return {
    desired: {
      ...(owner ? { owner: owner.value } : {}),
      streams: [...streams.values()],
      consumers: [...consumers.values()],
      keyValues: [...kvs.values()],
      objectStores: [...objectStores.values()],
      files,
    },
    diagnostics,
  };
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
