// export, the pure part: the live state → a manifest (in manifest terms: bucket names, human units, no
// server defaults, no server metadata) that plans to no changes against the same server. Each field is
// left out when the server's default reproduces it; whether it does is decided by the same canonical
// forms the planner compares with, so the round trip holds by construction.

import { bucketAddressOf, KV_PREFIX, OBJ_PREFIX } from "../jetstream/buckets.js";
import { type ConsumerConfig, OWNER_KEY } from "../model/jetstream.js";
import type { ObservedState, ObservedStream } from "../model/observed.js";
import { parseVersion, type Version } from "../model/version.js";
import { kvEntriesOf, kvSpecOf, objectStoreSpecOf } from "./bucket-entries.js";
import { consumerEntries, type Obj, streamEntry } from "./entries.js";

export interface ExportOptions {
  /** Only these streams (by stream name; buckets by their stream name KV_x / OBJ_x, or by bucket name). */
  readonly streams?: readonly string[];
  /** The manifest owner; without it, the owner all exported resources share, if they share one. */
  readonly owner?: string;
}

export interface ExportResult {
  /** The manifest as plain data, keys in reading order. */
  readonly manifest: Record<string, unknown>;
  /** Things to tell the user on stderr (skipped resources, ephemeral consumers). */
  readonly notes: string[];
  /** Comments for the YAML writer, keyed by `streams.NAME` / `kv.NAME`. */
  readonly comments: ReadonlyMap<string, string>;
  /** What planning this manifest does besides nothing, for its header (empty: it plans to no changes). */
  readonly caveats: string[];
}

/** What one export works with: the selection, the owner, and the notes it collects on the way. */
interface ExportRun {
  readonly observed: ObservedState;
  readonly version: Version;
  readonly selected: (streamName: string) => boolean;
  /** Only some streams were asked for (--stream). */
  readonly filtered: boolean;
  readonly owner: string | undefined;
  /** The owner was taken from the markers, not given: it adopts nothing. */
  readonly inferred: boolean;
  readonly notes: string[];
}

export function exportManifest(observed: ObservedState, options: ExportOptions = {}): ExportResult {
  const wanted = options.streams && options.streams.length > 0 ? new Set(options.streams) : undefined;
  const selected = (name: string) => {
    if (!wanted || wanted.has(name)) return true;
    for (const p of [KV_PREFIX, OBJ_PREFIX])
      if (name.startsWith(p) && wanted.has(name.slice(p.length))) return true;
    return false;
  };
  const streams = [...observed.streams.values()]
    .filter((s) => selected(s.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const notes: string[] = [];
  const owner = chooseOwner(streams, options, notes);
  const run: ExportRun = {
    observed,
    version: parseVersion(observed.server.version),
    selected,
    filtered: wanted !== undefined,
    owner,
    inferred: options.owner === undefined && owner !== undefined,
    notes,
  };
  const collected = collect(run, streams);
  const manifest: Obj = { version: 1, ...(owner ? { owner } : {}) };
  if (collected.streams.length > 0) manifest.streams = collected.streams;
  if (collected.kvs.length > 0) manifest.key_value = collected.kvs;
  if (collected.objectStores.length > 0) manifest.object_stores = collected.objectStores;
  if (collected.consumers.length > 0) manifest.consumers = collected.consumers;
  const caveats = caveatsOf(run, collected.stamped);
  for (const u of observed.unavailable) {
    if (selected(u.name))
      notes.push(`${streamWords(u.name)} is unavailable (${u.reason}) and could not be exported`);
  }
  return { manifest: escapeInterpolation(manifest) as Obj, notes, comments: collected.comments, caveats };
}

/** The owner: given, or the one every exported resource already carries. */
function chooseOwner(
  streams: readonly ObservedStream[],
  options: ExportOptions,
  notes: string[],
): string | undefined {
  const markers = new Set<string>();
  for (const s of streams) {
    const m = s.config.metadata?.[OWNER_KEY];
    if (m) markers.add(m);
  }
  if (!options.owner && markers.size > 1) {
    notes.push(
      `resources carry different owners (${[...markers].sort().join(", ")}); give --owner to export one owner's resources`,
    );
  }
  return options.owner ?? (markers.size === 1 ? [...markers][0] : undefined);
}

/** A stream in a note as the user knows it: `kv.config` for the stream KV_config, else `stream NAME`. */
function streamWords(name: string): string {
  return bucketAddressOf(name)?.address ?? `stream ${name}`;
}

/**
 * True for a resource this export leaves out (with a note): another owner's, or, when the owner was taken
 * from the markers, an unmarked one (the next apply would stamp it, so it stays out unless --owner says to
 * adopt it).
 */
function leftOut(run: ExportRun, m: Readonly<Record<string, string>> | undefined, what: string): boolean {
  const marker = m?.[OWNER_KEY];
  if (marker !== undefined && marker !== run.owner) {
    run.notes.push(`${what} is managed by owner "${marker}"; left out`);
    return true;
  }
  if (marker === undefined && run.inferred) {
    run.notes.push(`${what} has no owner marker; left out (jsplan export --owner ${run.owner} adopts it)`);
    return true;
  }
  return false;
}

interface Collected {
  readonly streams: Obj[];
  readonly kvs: Obj[];
  readonly objectStores: Obj[];
  /** Top-level consumers: those of buckets. */
  readonly consumers: Obj[];
  readonly comments: Map<string, string>;
  /** Resources the first apply stamps with the owner marker. */
  stamped: number;
}

function collect(run: ExportRun, streams: readonly ObservedStream[]): Collected {
  const { observed, version, notes } = run;
  const out: Collected = {
    streams: [],
    kvs: [],
    objectStores: [],
    consumers: [],
    comments: new Map(),
    stamped: 0,
  };
  const consumersByStream = new Map<string, ConsumerConfig[]>();
  for (const c of observed.consumers.values()) {
    const list = consumersByStream.get(c.stream);
    if (list) list.push(c.config);
    else consumersByStream.set(c.stream, [c.config]);
  }
  for (const s of streams) {
    if (leftOut(run, s.config.metadata, streamWords(s.name))) continue;
    const consumers = (consumersByStream.get(s.name) ?? []).filter(
      (c) => !leftOut(run, c.metadata, `consumer ${s.name}.${c.durable_name}`),
    );
    for (const m of [s.config.metadata, ...consumers.map((c) => c.metadata)])
      if (run.owner !== undefined && m?.[OWNER_KEY] !== run.owner) out.stamped++;
    const kv = s.name.startsWith(KV_PREFIX);
    const bucketStream = kv || s.name.startsWith(OBJ_PREFIX);
    const bucket = !bucketStream
      ? undefined
      : kv
        ? kvSpecOf(s.config, version)
        : objectStoreSpecOf(s.config, version);
    if (bucket) {
      const keys = kv
        ? kvEntriesOf(s.config, observed.entries?.get(s.name.slice(KV_PREFIX.length)), run.owner, notes)
        : undefined;
      if (keys) {
        bucket.entries = keys.entries;
        out.stamped += keys.stamped;
      }
      (kv ? out.kvs : out.objectStores).push(bucket);
      // A bucket's own durable consumers (a watcher, say) go under `consumers:`, on its stream.
      for (const c of consumerEntries(s.config, consumers, observed, version, notes))
        out.consumers.push({ stream: s.name, ...c });
      continue;
    }
    if (bucketStream) {
      out.comments.set(
        `streams.${s.name}`,
        "its configuration differs from how the clients create buckets, so it is exported as a stream",
      );
    }
    out.streams.push(streamEntry(s.config, consumers, observed, version, notes));
  }
  return out;
}

/** What planning the manifest does besides nothing, for its header; and the notes that go with it. */
function caveatsOf(run: ExportRun, stamped: number): string[] {
  const { observed, owner, notes, selected } = run;
  const caveats: string[] = [];
  let ephemeral = 0;
  for (const [stream, n] of observed.ephemeral) if (selected(stream)) ephemeral += n;
  if (ephemeral > 0) {
    notes.push(
      `${ephemeral} ephemeral consumer${ephemeral === 1 ? " was" : "s were"} skipped: applications create those themselves`,
    );
  }
  if (stamped > 0) {
    caveats.push(
      `jsplan plan with this manifest adds the owner marker "${owner}" to ${stamped} resource${stamped === 1 ? "" : "s"} that lack it, and changes nothing else.`,
    );
  }
  if (!run.filtered || owner === undefined) return caveats;
  // A manifest declares everything its owner manages: what the filter left out would be deleted.
  const elsewhere = [
    ...[...observed.streams.values()]
      .filter((s) => !selected(s.name) && s.config.metadata?.[OWNER_KEY] === owner)
      .map((s) => streamWords(s.name)),
    ...[...observed.consumers.values()]
      .filter((c) => !selected(c.stream) && c.config.metadata?.[OWNER_KEY] === owner)
      .map((c) => `consumer ${c.stream}.${c.name}`),
  ];
  if (elsewhere.length > 0) {
    const shown =
      elsewhere.slice(0, 5).join(", ") + (elsewhere.length > 5 ? `, and ${elsewhere.length - 5} more` : "");
    const caveat = `Owner "${owner}" also manages ${shown}, which this export leaves out: plan it together with the manifest that declares them, or jsplan would plan to delete them.`;
    caveats.push(caveat);
    notes.push(caveat);
  }
  return caveats;
}

/** `${` in a live string value would be read back as an environment variable: write it as `$${` (keys are
 * never interpolated). */
function escapeInterpolation(v: unknown): unknown {
  // (A function, because in a replacement string `$$` means one `$`.)
  if (typeof v === "string") return v.replaceAll("${", () => "$${");
  if (Array.isArray(v)) return v.map(escapeInterpolation);
  if (v && typeof v === "object") {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) out[k] = escapeInterpolation(x);
    return out;
  }
  return v;
}
