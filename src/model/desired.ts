import type { SourcePos } from "./diagnostic.js";
import type { ConsumerConfig, StreamConfig } from "./jetstream.js";

/** Where a resource was declared, as plain data: its document and its path inside it. */
export interface OriginRef {
  readonly file: string;
  /** 0-based index of the document in its file. */
  readonly doc: number;
  /** The path of the resource's mapping in the document (`["streams", 3]`). */
  readonly base: readonly (string | number)[];
  /** The key that names the resource (`name`, or `bucket`). */
  readonly nameKey: string;
}

/**
 * Where a resource was declared: the position of its `name` (or bucket), and a lookup for any field path
 * inside the resource (`max_age`, `sources[0].name`). Later stages use it to point errors at a line.
 * Positions are computed when asked for.
 */
export interface Origin {
  readonly ref: OriginRef;
  readonly pos: SourcePos;
  /** The position of a field, or of its nearest declared ancestor when the field is not set. */
  fieldPos(path: string): SourcePos;
}

export interface DesiredStream {
  readonly kind: "stream";
  readonly address: string;
  readonly name: string;
  /** jsplan never deletes or replaces a protected resource. */
  readonly protect: boolean;
  /** Fields whose live value wins (`ignore_changes`), as wire paths of the backing config, or all of them. */
  readonly ignoreChanges?: IgnoreChanges;
  /** Only the fields the manifest sets, in wire units. Server defaults are the plan stage's business. */
  readonly config: StreamConfig;
  readonly origin: Origin;
}

export interface DesiredConsumer {
  readonly kind: "consumer";
  readonly address: string;
  readonly stream: string;
  readonly name: string;
  readonly protect: boolean;
  /** Fields whose live value wins (`ignore_changes`), as wire paths of the backing config, or all of them. */
  readonly ignoreChanges?: IgnoreChanges;
  /** Only the fields the manifest sets, in wire units; `durable_name` and `name` are both the name. */
  readonly config: ConsumerConfig;
  readonly origin: Origin;
  /** True when declared under its stream in the manifest, false for a top-level `consumers` entry. */
  readonly nested: boolean;
}

export interface KvSourceSpec {
  readonly name: string;
  readonly domain?: string;
  readonly external?: { api: string; deliver?: string };
  readonly opt_start_seq?: number;
  readonly opt_start_time?: string;
  readonly filter_subject?: string;
  readonly subject_transforms?: { src?: string; dest: string }[];
}

export interface KvSpec {
  readonly bucket: string;
  readonly description?: string;
  readonly history?: number;
  /** Nanoseconds. */
  readonly ttl?: number;
  readonly max_value_size?: number;
  readonly max_bytes?: number;
  readonly storage?: "file" | "memory";
  readonly num_replicas?: number;
  readonly placement?: { cluster?: string; tags?: string[] };
  readonly compression?: boolean;
  readonly republish?: { src?: string; dest: string; headers_only?: boolean };
  readonly mirror?: KvSourceSpec;
  readonly sources?: KvSourceSpec[];
  /** Nanoseconds. */
  readonly limit_marker_ttl?: number;
  readonly metadata?: Record<string, string>;
}

/** One key of a bucket's `entries`: the value jsplan keeps it at. */
export interface DesiredEntry {
  readonly key: string;
  readonly value: string;
  /** Never printed: the plan, its JSON, markdown and logs say `(sensitive)`. */
  readonly sensitive: boolean;
}

export interface DesiredKv {
  readonly kind: "kv";
  readonly address: string;
  readonly name: string;
  readonly protect: boolean;
  /** Fields whose live value wins (`ignore_changes`), as wire paths of the backing config, or all of them. */
  readonly ignoreChanges?: IgnoreChanges;
  readonly spec: KvSpec;
  /**
   * The keys jsplan manages in this bucket (`entries`, sorted by key). Absent when the manifest has no
   * `entries:`: then jsplan neither reads nor writes the bucket's keys. Present (even empty), jsplan also
   * deletes the keys it wrote that are no longer declared.
   */
  readonly entries?: readonly DesiredEntry[];
  /** `sensitive: true`: no value of this bucket's entries is printed (those jsplan deletes included). */
  readonly sensitive?: boolean;
  readonly origin: Origin;
}

export interface ObjectStoreSpec {
  readonly bucket: string;
  readonly description?: string;
  /** Nanoseconds. */
  readonly ttl?: number;
  readonly max_bytes?: number;
  readonly storage?: "file" | "memory";
  readonly num_replicas?: number;
  readonly placement?: { cluster?: string; tags?: string[] };
  readonly compression?: boolean;
  readonly metadata?: Record<string, string>;
}

export interface DesiredObjectStore {
  readonly kind: "objectstore";
  readonly address: string;
  readonly name: string;
  readonly protect: boolean;
  /** Fields whose live value wins (`ignore_changes`), as wire paths of the backing config, or all of them. */
  readonly ignoreChanges?: IgnoreChanges;
  readonly spec: ObjectStoreSpec;
  readonly origin: Origin;
}

/** Everything the manifests declare, merged from every file and document. */
/**
 * `ignore_changes`: fields the plan neither updates nor reports as drift (they are still sent on create), as
 * wire paths (`max_bytes`, `consumer_limits.max_ack_pending`, `metadata`), or "all" for create-only. A
 * change that forces a replace is never hidden by it.
 */
export type IgnoreChanges = "all" | readonly string[];

export interface DesiredState {
  readonly owner?: string;
  readonly streams: readonly DesiredStream[];
  /** Every consumer, nested ones and top-level ones alike. */
  readonly consumers: readonly DesiredConsumer[];
  readonly keyValues: readonly DesiredKv[];
  readonly objectStores: readonly DesiredObjectStore[];
  /** The manifest sources, for the saved plan's digest. */
  readonly files: readonly string[];
}
