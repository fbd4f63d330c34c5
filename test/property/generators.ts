// Random jsplan manifests for the property tests: streams of every kind (limits, interest and work-queue
// retention; plain, mirrors and sources with filters, transforms, start positions, external origins and
// durable sourcing), consumers of every kind (pull and push, every deliver and ack policy, backoff, filters,
// priority groups...), top-level consumers on a stream the manifest does not manage, KV buckets (with
// mirrors and sources) and object stores, with the fields the connected server version supports.
//
// Generation has two layers:
// - `GenManifest` is what fast-check generates and shrinks: resources by slot, each with a loose bag of
//   fields, and subjects, filters and origins as indices (into token lists, into earlier slots).
// - `toManifest(gen, features, caseNo)` turns it into a concrete manifest. It names everything after the
//   case number (so that a leftover of one case cannot collide with the next) and enforces every rule that
//   a valid manifest must follow (the "fixups"), with the whole manifest in view. Because the fixups are
//   deterministic, an edit of a manifest is simply another GenManifest (a mix of the old one and a fresh
//   one, see `editArb`) that goes through the same fixups.
//
// A manifest that jsplan's loader rejects means a fixup is missing here, or jsplan's validator is wrong;
// a manifest the server rejects although jsplan accepted it means a fixup is missing here (a server rule
// jsplan could not know) or a validator rule is missing in jsplan. The property tests tell which.

import fc from "fast-check";
import { subjectsCollide } from "../../src/model/subjects.js";

export type Obj = Record<string, unknown>;

/** What the connected server supports, by version. */
export interface Features {
  readonly version: string;
  /** 2.11: per-message TTLs, subject delete markers, pause_until, priority groups, KV limit markers. */
  readonly v211: boolean;
  /** 2.12: counters, atomic batches, schedules, persist_mode, priority_policy prioritized. */
  readonly v212: boolean;
  /** 2.14: allow_batched, ack_policy flow_control, durable sourcing. */
  readonly v214: boolean;
}

export function versionAtLeast(version: string, min: string): boolean {
  const parse = (v: string) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1, 4).map(Number);
  const a = parse(version);
  const b = parse(min);
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

export function featuresOf(version: string): Features {
  return {
    version,
    v211: versionAtLeast(version, "2.11.0"),
    v212: versionAtLeast(version, "2.12.0"),
    v214: versionAtLeast(version, "2.14.0"),
  };
}

// --- sizes of a generated manifest ---------------------------------------------------------------------

export const MAX_STREAMS = 4;
export const MAX_CONSUMERS = 3;
export const MAX_KV = 3;
export const MAX_OBJ = 2;
export const MAX_FOREIGN = 2;

// --- values --------------------------------------------------------------------------------------------

/** Subjects of a stream, relative to its namespace `{p}.s<i>`: pairwise disjoint. */
const SUBJECT_TOKENS = ["a", "b.*", "c.>", "d.e"] as const;
/** Filters (of consumers, mirrors and sources), relative to a stream's namespace. */
const FILTER_TOKENS = ["a", "b.*", "b.x", "c.>", "c.x", "c.x.>", "c.*", "d.e", ">"] as const;
/** Key filters of bucket mirrors and sources, relative to the origin's `$KV.<bucket>`. */
const KV_FILTERS = ["k.>", "k.*", ">", "k.*.x"] as const;

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: "grapheme" }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "true",
      "no",
      "null",
      "~",
      "123",
      "-1",
      "0x1F",
      "1e3",
      "2024-01-01",
      "a: b",
      "- x",
      "# c",
      "'q'",
      '"dq"',
      " lead",
      "trail ",
      "line\nbreak",
      "tab\there",
      "${HOME}",
      "é✓😀",
      "",
    ),
  },
);

const metadataKey = fc
  .oneof(
    fc.stringMatching(/^[a-z][a-z0-9_.-]{0,8}$/),
    fc.constantFrom("app.kubernetes.io/name", "team name", "Ünïcode", "x-1", "_private"),
  )
  .filter((k) => !k.startsWith("jsplan.") && !k.startsWith("_nats."));
const metadata = fc.dictionary(metadataKey, text, { minKeys: 1, maxKeys: 3 });

/** Durations as a user writes them; 0 is the number 0. */
const ageDuration = fc.constantFrom<string | number>(
  0,
  "100ms",
  "1s",
  "30s",
  "1m",
  "90s",
  "5m",
  "1h",
  "1h30m",
  "1.5h",
  "1d",
  "1w",
);
const windowDuration = fc.constantFrom("100ms", "1s", "30s", "1m", "2m", "5m", "10m");
const shortDuration = fc.constantFrom("100ms", "250ms", "1s", "5s", "30s", "1m", "90s", "2m", "1h");
/** Thresholds after which the server deletes an idle consumer: long enough to outlive a test case. */
const longDuration = fc.constantFrom("1h", "2h", "1d", "36h", "1w");
const size = fc.constantFrom<string | number>(1024, 4096, "512B", "1KiB", "64KiB", "1MiB", "1.5MiB", "10MB");
const sizeOrUnlimited = fc.oneof(size, fc.constant(-1));
const limit = fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 100_000 }));
const time = fc.constantFrom(
  "2024-05-01T00:00:00Z",
  "2024-05-01T08:30:00.5Z",
  "2024-05-01T10:00:00+02:00",
  "2021-01-01T00:00:00.123456789Z",
);
const futureTime = fc.constantFrom("2099-01-01T00:00:00Z", "2098-06-01T12:00:00+01:00");

// --- generated structure -------------------------------------------------------------------------------

export interface GenSource {
  /** Origin slot (taken modulo the earlier present slots), or an origin in another domain. */
  readonly origin: number;
  readonly external?: "domain" | "api" | undefined;
  readonly filter?: number;
  readonly transforms?: readonly number[];
  readonly startSeq?: number;
  readonly startTime?: string;
  readonly durable?: boolean;
}

export interface GenConsumer {
  readonly push: boolean;
  readonly filters: readonly number[];
  readonly fields: Obj;
}

export interface GenStream {
  readonly kind: "plain" | "mirror" | "sourced";
  /** Indices into SUBJECT_TOKENS; "default" leaves subjects out (the stream's name), "all" is `<ns>.>`. */
  readonly subjects: readonly number[] | "default" | "all";
  readonly sources: readonly GenSource[];
  readonly fields: Obj;
  readonly consumers: ReadonlyArray<GenConsumer | null>;
}

export interface GenKvSource {
  readonly origin: number;
  /** Index into KV_FILTERS. */
  readonly filter?: number;
  readonly transform?: boolean;
  readonly startSeq?: number;
}

export interface GenKv {
  readonly mirror?: GenKvSource;
  readonly sources: readonly GenKvSource[];
  readonly fields: Obj;
}

export interface GenManifest {
  /** By slot: a missing resource is null, so that the other slots keep their names. */
  readonly streams: ReadonlyArray<GenStream | null>;
  readonly kvs: ReadonlyArray<GenKv | null>;
  readonly objs: ReadonlyArray<Obj | null>;
  /** Top-level consumers on a stream the manifest does not manage (see foreignStream). */
  readonly foreign: ReadonlyArray<GenConsumer | null>;
}

// --- arbitraries ---------------------------------------------------------------------------------------

function streamFields(f: Features): fc.Arbitrary<Obj> {
  return fc.record(
    {
      description: text,
      retention: fc.constantFrom("limits", "interest", "workqueue"),
      max_consumers: fc.oneof(fc.constant(-1), fc.integer({ min: 3, max: 50 })),
      max_msgs: limit,
      max_bytes: fc.oneof(fc.constant(-1), fc.constantFrom("1MiB", "10MiB", "64MB", 50_000_000)),
      max_age: ageDuration,
      max_msgs_per_subject: limit,
      max_msg_size: sizeOrUnlimited,
      discard: fc.constantFrom("old", "new"),
      discard_new_per_subject: fc.boolean(),
      storage: fc.constantFrom("file", "memory"),
      num_replicas: fc.constant(1),
      no_ack: fc.boolean(),
      duplicate_window: windowDuration,
      placement: fc.record(
        {
          cluster: fc.constantFrom("east", "C1"),
          tags: fc.uniqueArray(fc.constantFrom("az:a", "ssd", "x"), {}),
        },
        { requiredKeys: [] },
      ),
      deny_delete: fc.boolean(),
      deny_purge: fc.boolean(),
      allow_rollup_hdrs: fc.boolean(),
      allow_direct: fc.boolean(),
      mirror_direct: fc.boolean(),
      republish: fc.record(
        { src: fc.nat(), dest: fc.nat(), headers_only: fc.boolean() },
        { requiredKeys: ["dest"] },
      ),
      subject_transform: fc.record({ src: fc.nat(), dest: fc.nat() }, { requiredKeys: ["dest"] }),
      compression: fc.constantFrom("none", "s2"),
      first_seq: fc.integer({ min: 0, max: 1_000_000 }),
      consumer_limits: fc.record(
        {
          inactive_threshold: fc.constantFrom("2h", "1d", "1w"),
          max_ack_pending: fc.integer({ min: 1, max: 20_000 }),
        },
        { requiredKeys: [] },
      ),
      metadata,
      ...(f.v211
        ? { allow_msg_ttl: fc.boolean(), subject_delete_marker_ttl: fc.constantFrom("1s", "30s", "5m") }
        : {}),
      ...(f.v212
        ? {
            allow_msg_counter: fc.boolean(),
            allow_atomic: fc.boolean(),
            allow_msg_schedules: fc.boolean(),
            persist_mode: fc.constantFrom("default", "async"),
          }
        : {}),
      ...(f.v214 ? { allow_batched: fc.boolean() } : {}),
    },
    { requiredKeys: [] },
  );
}

function consumerFields(f: Features): fc.Arbitrary<Obj> {
  const acks = ["none", "all", "explicit", ...(f.v214 ? ["flow_control"] : [])];
  const policies = ["overflow", "pinned_client", ...(f.v212 ? ["prioritized"] : [])];
  return fc.record(
    {
      description: text,
      durable_name: fc.constant(true),
      deliver_policy: fc.constantFrom(
        "all",
        "last",
        "new",
        "by_start_sequence",
        "by_start_time",
        "last_per_subject",
      ),
      opt_start_seq: fc.integer({ min: 1, max: 1_000_000 }),
      opt_start_time: time,
      ack_policy: fc.constantFrom(...acks),
      ack_wait: shortDuration,
      max_deliver: fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 10 })),
      backoff: fc.array(shortDuration, { minLength: 1, maxLength: 4 }),
      replay_policy: fc.constantFrom("instant", "original"),
      rate_limit_bps: fc.integer({ min: 1, max: 10_000_000 }),
      sample_freq: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom("25%", "100%", "0%", "50")),
      max_waiting: fc.integer({ min: 1, max: 2048 }),
      max_ack_pending: fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 20_000 })),
      flow_control: fc.boolean(),
      idle_heartbeat: fc.constantFrom("100ms", "1s", "5s", "30s"),
      headers_only: fc.boolean(),
      max_batch: fc.integer({ min: 1, max: 1000 }),
      max_expires: fc.constantFrom("1ms", "1s", "30s", "5m"),
      max_bytes: fc.constantFrom<string | number>(1024, "1MiB", "2MB"),
      deliver_group: fc.constantFrom("workers", "q-1", "grp_é"),
      inactive_threshold: longDuration,
      num_replicas: fc.constantFrom(0, 1),
      mem_storage: fc.boolean(),
      metadata,
      ...(f.v211
        ? {
            pause_until: futureTime,
            priority_groups: fc.uniqueArray(fc.constantFrom("A", "jobs", "g-1", "x/y=z"), {
              minLength: 1,
              maxLength: 3,
            }),
            priority_policy: fc.constantFrom(...policies),
            priority_timeout: fc.constantFrom("30s", "1m", "5m"),
          }
        : {}),
    },
    { requiredKeys: [] },
  );
}

function consumerArb(f: Features): fc.Arbitrary<GenConsumer> {
  return fc.record({
    push: fc.boolean(),
    filters: fc.uniqueArray(fc.nat({ max: FILTER_TOKENS.length - 1 }), { maxLength: 3 }),
    fields: consumerFields(f),
  });
}

function sourceArb(f: Features): fc.Arbitrary<GenSource> {
  return fc.record(
    {
      origin: fc.nat({ max: MAX_STREAMS }),
      external: fc.constantFrom<"domain" | "api" | undefined>(
        undefined,
        undefined,
        undefined,
        "domain",
        "api",
      ),
      filter: fc.nat({ max: FILTER_TOKENS.length - 1 }),
      transforms: fc.uniqueArray(fc.nat({ max: SUBJECT_TOKENS.length - 1 }), { minLength: 1, maxLength: 3 }),
      startSeq: fc.integer({ min: 1, max: 1000 }),
      startTime: time,
      ...(f.v214 ? { durable: fc.constantFrom(false, false, true) } : {}),
    },
    { requiredKeys: ["origin"] },
  );
}

function streamArb(f: Features): fc.Arbitrary<GenStream> {
  return fc.record({
    kind: fc.constantFrom<GenStream["kind"]>("plain", "plain", "plain", "mirror", "sourced"),
    subjects: fc.oneof(
      { weight: 4, arbitrary: fc.uniqueArray(fc.nat({ max: SUBJECT_TOKENS.length - 1 }), { minLength: 1 }) },
      { weight: 1, arbitrary: fc.constantFrom<"default" | "all">("default", "all") },
    ),
    sources: fc.array(sourceArb(f), { minLength: 1, maxLength: 3 }),
    fields: streamFields(f),
    consumers: fc.array(fc.option(consumerArb(f), { freq: 5 }), { maxLength: MAX_CONSUMERS }),
  });
}

function kvArb(f: Features): fc.Arbitrary<GenKv> {
  const kvSource = fc.record(
    {
      origin: fc.nat({ max: MAX_KV }),
      filter: fc.nat({ max: KV_FILTERS.length - 1 }),
      transform: fc.boolean(),
      startSeq: fc.integer({ min: 1, max: 1000 }),
    },
    { requiredKeys: ["origin"] },
  );
  return fc.record(
    {
      mirror: kvSource,
      sources: fc.array(kvSource, { maxLength: 2 }),
      fields: fc.record(
        {
          description: text,
          history: fc.integer({ min: 1, max: 64 }),
          ttl: fc.constantFrom<string | number>(0, "1s", "30s", "1m", "5m", "1h", "1d"),
          max_value_size: sizeOrUnlimited,
          max_bytes: fc.oneof(fc.constant(-1), fc.constantFrom("1MiB", "10MiB")),
          storage: fc.constantFrom("file", "memory"),
          num_replicas: fc.constant(1),
          compression: fc.boolean(),
          republish: fc.record(
            { src: fc.boolean(), dest: fc.nat(), headers_only: fc.boolean() },
            { requiredKeys: ["dest"] },
          ),
          metadata,
          ...(f.v211 ? { limit_marker_ttl: fc.constantFrom("1s", "30s", "5m") } : {}),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ["sources", "fields"] },
  );
}

function objArb(): fc.Arbitrary<Obj> {
  return fc.record(
    {
      description: text,
      ttl: fc.constantFrom<string | number>(0, "1s", "1m", "1h", "1d"),
      max_bytes: fc.oneof(fc.constant(-1), fc.constantFrom("1MiB", "10MiB")),
      storage: fc.constantFrom("file", "memory"),
      num_replicas: fc.constant(1),
      compression: fc.boolean(),
      metadata,
    },
    { requiredKeys: [] },
  );
}

/** A random manifest, as slots (some empty); never entirely empty. */
export function manifestArb(f: Features): fc.Arbitrary<GenManifest> {
  return fc
    .record({
      streams: fc.array(fc.option(streamArb(f), { freq: 6 }), { maxLength: MAX_STREAMS }),
      kvs: fc.array(fc.option(kvArb(f), { freq: 3 }), { maxLength: MAX_KV }),
      objs: fc.array(fc.option(objArb(), { freq: 3 }), { maxLength: MAX_OBJ }),
      foreign: fc.array(fc.option(consumerArb(f), { freq: 3 }), { maxLength: MAX_FOREIGN }),
    })
    .filter((g) => [...g.streams, ...g.kvs, ...g.objs, ...g.foreign].some((x) => x !== null));
}

// --- edits ---------------------------------------------------------------------------------------------

type SlotOp = "keep" | "mutate" | "swap" | "remove";
const slotOp = fc.constantFrom<SlotOp>("keep", "keep", "mutate", "mutate", "mutate", "swap", "remove");

export interface GenEdit {
  /** A fresh manifest whose resources and fields the edit mixes in. */
  readonly other: GenManifest;
  readonly streamOps: readonly SlotOp[];
  readonly consumerOps: readonly SlotOp[];
  readonly kvOps: readonly SlotOp[];
  readonly objOps: readonly SlotOp[];
  readonly foreignOps: readonly SlotOp[];
  /** Per key (in sorted order of the keys of both sides): take the other side's value (or its absence). */
  readonly mask: readonly boolean[];
  /**
   * After the edit has converged, seal the streams of these slots (a separate apply, see
   * edits-converge.test.ts: a stream can only be sealed once it exists, and in place).
   */
  readonly seal: readonly number[];
  /** Whether a stream sealed before stays sealed in this edit (per slot); else it is unsealed (replaced). */
  readonly keepSealed: readonly boolean[];
}

export function editArb(f: Features): fc.Arbitrary<GenEdit> {
  return fc.record({
    other: manifestArb(f),
    streamOps: fc.array(slotOp, { minLength: MAX_STREAMS, maxLength: MAX_STREAMS }),
    consumerOps: fc.array(slotOp, {
      minLength: MAX_STREAMS * MAX_CONSUMERS,
      maxLength: MAX_STREAMS * MAX_CONSUMERS,
    }),
    kvOps: fc.array(slotOp, { minLength: MAX_KV, maxLength: MAX_KV }),
    objOps: fc.array(slotOp, { minLength: MAX_OBJ, maxLength: MAX_OBJ }),
    foreignOps: fc.array(slotOp, { minLength: MAX_FOREIGN, maxLength: MAX_FOREIGN }),
    // About one key in four takes the other side's value: most edits change a few fields, some many.
    mask: fc.array(fc.constantFrom(false, false, false, true), { minLength: 48, maxLength: 48 }),
    seal: fc.uniqueArray(fc.nat({ max: MAX_STREAMS - 1 }), { maxLength: 2 }),
    keepSealed: fc.array(fc.boolean(), { minLength: MAX_STREAMS, maxLength: MAX_STREAMS }),
  });
}

/** Mixes two bags of fields: each key takes the other side's value where the mask says so. */
function mix(a: Obj, b: Obj, mask: readonly boolean[], salt: number): Obj {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const out: Obj = {};
  keys.forEach((k, i) => {
    const take = mask[(i + salt) % mask.length] ?? false;
    const v = take ? b[k] : a[k];
    if (v !== undefined) out[k] = v;
  });
  return out;
}

function pickSlot<T>(
  a: T | null | undefined,
  b: T | null | undefined,
  op: SlotOp,
  both: (x: T, y: T) => T,
): T | null {
  const x = a ?? null;
  const y = b ?? null;
  switch (op) {
    case "keep":
      return x;
    case "remove":
      return null;
    case "swap":
      return y;
    case "mutate":
      return x && y ? both(x, y) : (x ?? y);
  }
}

/** The manifest after an edit of `base` (sealing is applied by the test, on the concrete manifests). */
export function applyEdit(base: GenManifest, e: GenEdit): GenManifest {
  const slots = (n: number) => Array.from({ length: n }, (_, i) => i);
  const streams = slots(Math.max(base.streams.length, e.other.streams.length)).map((i) =>
    pickSlot(base.streams[i], e.other.streams[i], e.streamOps[i] ?? "keep", (a, b) => {
      const consumers = slots(Math.max(a.consumers.length, b.consumers.length)).map((j) =>
        pickSlot(a.consumers[j], b.consumers[j], e.consumerOps[i * MAX_CONSUMERS + j] ?? "keep", (x, y) => ({
          push: e.mask[(i + j) % e.mask.length] ? y.push : x.push,
          filters: e.mask[(i + j + 1) % e.mask.length] ? y.filters : x.filters,
          fields: mix(x.fields, y.fields, e.mask, i * 7 + j * 3),
        })),
      );
      return {
        kind: e.mask[i] ? b.kind : a.kind,
        subjects: e.mask[i + 4] ? b.subjects : a.subjects,
        sources: e.mask[i + 8] ? b.sources : a.sources,
        fields: mix(a.fields, b.fields, e.mask, i * 5),
        consumers,
      };
    }),
  );
  const kvs = slots(Math.max(base.kvs.length, e.other.kvs.length)).map((i) =>
    pickSlot(base.kvs[i], e.other.kvs[i], e.kvOps[i] ?? "keep", (a, b) => ({
      ...(e.mask[i + 12] ? (b.mirror ? { mirror: b.mirror } : {}) : a.mirror ? { mirror: a.mirror } : {}),
      sources: e.mask[i + 16] ? b.sources : a.sources,
      fields: mix(a.fields, b.fields, e.mask, i * 11),
    })),
  );
  const objs = slots(Math.max(base.objs.length, e.other.objs.length)).map((i) =>
    pickSlot(base.objs[i], e.other.objs[i], e.objOps[i] ?? "keep", (a, b) => mix(a, b, e.mask, i * 13)),
  );
  const foreign = slots(Math.max(base.foreign.length, e.other.foreign.length)).map((j) =>
    pickSlot(base.foreign[j], e.other.foreign[j], e.foreignOps[j] ?? "keep", (x, y) => ({
      push: e.mask[(j + 20) % e.mask.length] ? y.push : x.push,
      filters: e.mask[(j + 21) % e.mask.length] ? y.filters : x.filters,
      fields: mix(x.fields, y.fields, e.mask, j * 17),
    })),
  );
  return { streams, kvs, objs, foreign };
}

// --- fixups: from GenManifest to a valid, concrete manifest -------------------------------------------

/** Names of a case: every resource and subject of case n carries n. */
export interface Names {
  /** Prefix of stream, bucket and consumer-source names, e.g. `P12_`. */
  readonly upper: string;
  /** Prefix of subjects, e.g. `p12`. */
  readonly lower: string;
  readonly owner: string;
}

export function namesOf(caseNo: number): Names {
  return { upper: `P${caseNo}_`, lower: `p${caseNo}`, owner: `prop-${caseNo}` };
}

export const streamName = (n: Names, i: number) => `${n.upper}S${i}`;
const ns = (n: Names, i: number) => `${n.lower}.s${i}`;
const bucketName = (n: Names, i: number) => `${n.upper}K${i}`;
const objName = (n: Names, i: number) => `${n.upper}O${i}`;

function withoutCollisions(subjects: readonly string[], taken: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const s of subjects) {
    if ([...taken, ...out].some((t) => subjectsCollide(s, t))) continue;
    out.push(s);
  }
  return out;
}

/** A transform destination for a source subject: `*` becomes {{wildcard(1)}}, `>` stays. */
function transformDest(prefix: string, token: string): string {
  return `${prefix}.${token.replace("*", "{{wildcard(1)}}")}`;
}

function durationNs(v: unknown): number {
  if (v === 0 || v === undefined) return 0;
  const m = /^([\d.]+)(ms|s|m|h|d|w)$/.exec(String(v));
  const h = /^(\d+)h(\d+)m$/.exec(String(v));
  if (h) return (Number(h[1]) * 3600 + Number(h[2]) * 60) * 1e9;
  if (!m) throw new Error(`generator: unexpected duration ${String(v)}`);
  const unit = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 604800e9 }[m[2] as "ms"]!;
  return Number(m[1]) * unit;
}

interface StreamFacts {
  readonly name: string;
  readonly slot: number;
  /** Where its messages' subjects live (its own namespace, or its first origin's). */
  readonly filterNs: string;
  readonly subjects: readonly string[];
  readonly retention: string;
  readonly kind: GenStream["kind"];
  readonly maxMsgSize: number;
  /** Every stream its messages come from, through mirrors and sources (within the manifest). */
  readonly ancestors: ReadonlySet<string>;
}

function sizeBytes(v: unknown): number {
  if (v === undefined || v === -1) return -1;
  if (typeof v === "number") return v;
  const m = /^([\d.]+)(B|KB|MB|GB|KiB|MiB|GiB)$/.exec(String(v));
  if (!m) throw new Error(`generator: unexpected size ${String(v)}`);
  const unit = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[m[2] as "B"]!;
  return Math.floor(Number(m[1]) * unit);
}

function fixSource(
  g: GenSource,
  n: Names,
  slot: number,
  k: number,
  origins: readonly StreamFacts[],
  f: Features,
): Obj | undefined {
  const out: Obj = {};
  let originNs: string;
  if (g.external || origins.length === 0) {
    if (!g.external) return undefined;
    out.name = `${n.upper}REMOTE${k}`;
    if (g.external === "domain") out.domain = "hub";
    else out.external = { api: "$JS.hub.API", deliver: `${n.lower}.ext${slot}.${k}` };
    originNs = `${n.lower}.remote${k}`;
  } else {
    const o = origins[g.origin % origins.length]!;
    out.name = o.name;
    originNs = o.filterNs;
  }
  if (g.durable && f.v214) {
    out.consumer = { name: `${n.upper}src${slot}_${k}`, deliver_subject: `${n.lower}.dsrc${slot}.${k}` };
  } else {
    if (g.transforms?.length) {
      out.subject_transforms = g.transforms.map((t) => {
        const tok = SUBJECT_TOKENS[t]!;
        return { src: `${originNs}.${tok}`, dest: transformDest(`${n.lower}.x${slot}.${k}`, tok) };
      });
    } else if (g.filter !== undefined) {
      out.filter_subject = `${originNs}.${FILTER_TOKENS[g.filter]}`;
    }
    if (g.startSeq !== undefined) out.opt_start_seq = g.startSeq;
    else if (g.startTime !== undefined) out.opt_start_time = g.startTime;
  }
  return out;
}

function fixStream(
  g: GenStream,
  slot: number,
  n: Names,
  earlier: readonly StreamFacts[],
  f: Features,
): { stream: Obj; facts: StreamFacts } {
  const name = streamName(n, slot);
  const home = ns(n, slot);
  const s: Obj = { name, ...g.fields };
  let kind = g.kind;
  const hasOrigin = (x: GenSource) => x.external !== undefined || earlier.length > 0;
  if (kind !== "plain" && !g.sources.some(hasOrigin)) kind = "plain";

  let subjects: string[] = [];
  if (kind !== "mirror") {
    if (g.subjects === "all") subjects = [`${home}.>`];
    else if (g.subjects === "default") subjects = kind === "plain" ? [name] : [];
    else subjects = g.subjects.map((t) => `${home}.${SUBJECT_TOKENS[t]}`);
  }
  if (subjects.length > 0 && !(g.subjects === "default")) s.subjects = subjects;

  let filterNs = home;
  let firstOrigin: StreamFacts | undefined;
  // The origins, direct and indirect. The server reports "detected cycle" when its walk over the origins
  // reaches one twice (a diamond), so each origin is reachable one way only (repeating a direct origin with
  // another filter is fine).
  const reach = new Set<string>();
  const direct = new Set<string>();
  if (kind === "mirror") {
    const src = g.sources.find(hasOrigin)!;
    const m = fixSource(src, n, slot, 0, earlier, f)!;
    s.mirror = m;
    firstOrigin = earlier.find((e) => e.name === m.name);
    if (firstOrigin) for (const x of [firstOrigin.name, ...firstOrigin.ancestors]) reach.add(x);
    if (firstOrigin) filterNs = firstOrigin.filterNs;
    for (const k of [
      "first_seq",
      "subject_delete_marker_ttl",
      "allow_msg_counter",
      "allow_atomic",
      "allow_msg_schedules",
      "allow_batched",
      "subject_transform",
    ]) {
      delete s[k];
    }
  } else {
    delete s.mirror_direct;
    if (kind === "sourced") {
      const seen = new Set<string>();
      const sources: Obj[] = [];
      g.sources.forEach((src, k) => {
        const o = fixSource(src, n, slot, k, earlier, f);
        if (!o) return;
        const key = JSON.stringify([o.name, o.filter_subject, o.subject_transforms, o.external, o.domain]);
        const durable = (o.consumer as Obj | undefined)?.name;
        if (seen.has(key) || (durable && seen.has(String(durable)))) return;
        const of = earlier.find((e) => e.name === o.name);
        if (of) {
          const up = [of.name, ...of.ancestors];
          if (!direct.has(of.name) && up.some((x) => reach.has(x))) return;
          direct.add(of.name);
          for (const x of up) reach.add(x);
        }
        seen.add(key);
        sources.push(o);
      });
      if (sources.length > 0) {
        s.sources = sources;
        firstOrigin = earlier.find((e) => e.name === sources[0]!.name);
        if (subjects.length === 0 && firstOrigin) filterNs = firstOrigin.filterNs;
      } else {
        kind = "plain";
        if (subjects.length === 0) subjects = [name];
      }
    }
  }
  // A mirror or source with a message size limit must take every message of its origins.
  const own = sizeBytes(s.max_msg_size);
  const originNames = s.mirror
    ? [(s.mirror as Obj).name]
    : ((s.sources as Obj[] | undefined) ?? []).map((x) => x.name);
  if (
    own > 0 &&
    earlier.some((e) => originNames.includes(e.name) && e.maxMsgSize > 0 && e.maxMsgSize > own)
  ) {
    delete s.max_msg_size;
  }

  // A consumer filter must match the stream's own subjects (for a stream without origins).
  const filterSubjects = kind === "plain" ? subjects : [`${filterNs}.>`];

  // Limits and discard.
  const dnps = s.discard_new_per_subject === true;
  if (
    dnps &&
    (s.discard !== "new" || typeof s.max_msgs_per_subject !== "number" || s.max_msgs_per_subject <= 0)
  ) {
    delete s.discard_new_per_subject;
  }
  const maxAge = durationNs(s.max_age);
  if (s.duplicate_window !== undefined && maxAge > 0 && durationNs(s.duplicate_window) > maxAge) {
    delete s.duplicate_window;
  }
  if (s.allow_rollup_hdrs && s.deny_purge) delete s.deny_purge;

  // Placement: an empty placement is left out.
  const placement = s.placement as Obj | undefined;
  if (placement && !placement.cluster && !(placement.tags as string[] | undefined)?.length)
    delete s.placement;
  else if (placement && (placement.tags as string[] | undefined)?.length === 0) {
    s.placement = { cluster: placement.cluster };
  }

  // Republish and transforms within the stream's own namespace.
  const rp = s.republish as { src?: number; dest: number; headers_only?: boolean } | undefined;
  if (rp) {
    const srcTok = rp.src === undefined ? undefined : SUBJECT_TOKENS[rp.src % SUBJECT_TOKENS.length]!;
    const srcSubject = srcTok === undefined ? undefined : `${filterNs}.${srcTok}`;
    const dest = srcTok
      ? transformDest(`${n.lower}.rp${slot}.${rp.dest % 3}`, srcTok)
      : `${n.lower}.rp${slot}.${rp.dest % 3}.>`;
    s.republish = {
      ...(srcSubject ? { src: srcSubject } : {}),
      dest,
      ...(rp.headers_only !== undefined ? { headers_only: rp.headers_only } : {}),
    };
  }
  const st = s.subject_transform as { src?: number; dest: number } | undefined;
  if (st) {
    const tok = st.src === undefined ? ">" : SUBJECT_TOKENS[st.src % SUBJECT_TOKENS.length]!;
    const dest = transformDest(`${home}.t${st.dest % 3}`, tok);
    s.subject_transform = { ...(st.src !== undefined ? { src: `${home}.${tok}` } : {}), dest };
  }

  // Features that force other flags, and the ones that exclude each other.
  const mirror = kind === "mirror";
  if (s.subject_delete_marker_ttl !== undefined) {
    if (s.allow_msg_ttl === false) delete s.allow_msg_ttl;
    if (s.allow_rollup_hdrs === false) delete s.allow_rollup_hdrs;
    delete s.deny_purge;
  }
  if (s.allow_msg_schedules) {
    if (mirror || kind === "sourced" || s.discard === "new") delete s.allow_msg_schedules;
    else {
      if (s.allow_rollup_hdrs === false) delete s.allow_rollup_hdrs;
      delete s.deny_purge;
    }
  }
  if (s.allow_msg_counter) {
    if (
      (s.retention !== undefined && s.retention !== "limits") ||
      s.discard === "new" ||
      s.allow_msg_ttl ||
      s.subject_delete_marker_ttl !== undefined ||
      s.allow_msg_schedules
    ) {
      delete s.allow_msg_counter;
    }
  }
  if (s.persist_mode === "async" && (s.storage === "memory" || s.allow_atomic)) delete s.persist_mode;

  const retention = (s.retention as string | undefined) ?? "limits";
  const facts: StreamFacts = {
    name,
    slot,
    filterNs,
    subjects: filterSubjects,
    retention,
    kind,
    maxMsgSize: sizeBytes(s.max_msg_size),
    ancestors: reach,
  };

  // Consumers.
  const limits = s.consumer_limits as { inactive_threshold?: string; max_ack_pending?: number } | undefined;
  if (limits && Object.keys(limits).length === 0) delete s.consumer_limits;
  const consumers: Obj[] = [];
  const wqFilters: string[] = [];
  let wqUnfiltered = false;
  g.consumers.forEach((gc, j) => {
    if (!gc) return;
    const c = fixConsumer(gc, j, s, facts, filterSubjects, n, f, kind !== "plain");
    if (!c) return;
    if (retention === "workqueue") {
      const filters =
        (c.filter_subjects as string[] | undefined) ?? (c.filter_subject ? [c.filter_subject as string] : []);
      if (filters.length === 0) {
        if (wqUnfiltered || wqFilters.length > 0) return;
        wqUnfiltered = true;
      } else {
        if (wqUnfiltered) return;
        const kept = withoutCollisions(filters, wqFilters);
        if (kept.length === 0) return;
        wqFilters.push(...kept);
        delete c.filter_subject;
        delete c.filter_subjects;
        if (kept.length === 1) c.filter_subject = kept[0];
        else c.filter_subjects = kept;
      }
    }
    consumers.push(c);
  });
  if (typeof s.max_consumers === "number" && s.max_consumers > 0 && s.max_consumers < consumers.length) {
    s.max_consumers = consumers.length;
  }
  if (consumers.length > 0) s.consumers = consumers;
  return { stream: s, facts };
}

function fixConsumer(
  g: GenConsumer,
  j: number,
  stream: Obj,
  facts: StreamFacts,
  streamSubjects: readonly string[],
  n: Names,
  f: Features,
  hasOrigins: boolean,
): Obj | undefined {
  const name = `c${j}`;
  const c: Obj = { name, ...g.fields };
  if (c.durable_name === true) c.durable_name = name;
  else delete c.durable_name;
  const retention = facts.retention;

  // Filters inside the stream's subjects, not overlapping each other.
  const candidates = g.filters.map((t) => `${facts.filterNs}.${FILTER_TOKENS[t]}`);
  const inside = hasOrigins
    ? candidates
    : candidates.filter((x) => streamSubjects.some((s) => subjectsCollide(x, s)));
  const filters = withoutCollisions(inside);
  if (filters.length === 1 && g.filters.length % 2 === 1) c.filter_subject = filters[0];
  else if (filters.length > 0) c.filter_subjects = filters;

  // Push or pull, and the fields of each.
  const push = g.push;
  if (push) {
    c.deliver_subject = `${n.lower}.dlv${facts.slot}.${name}`;
    for (const k of [
      "max_waiting",
      "max_batch",
      "max_expires",
      "max_bytes",
      "priority_groups",
      "priority_policy",
      "priority_timeout",
    ]) {
      delete c[k];
    }
  } else {
    for (const k of ["deliver_group", "flow_control", "idle_heartbeat", "rate_limit_bps"]) delete c[k];
  }

  // Deliver policies and their start positions.
  let policy = (c.deliver_policy as string | undefined) ?? "all";
  if (policy === "last_per_subject" && filters.length === 0) policy = "all";
  if (retention === "workqueue") policy = "all";
  if (c.deliver_policy !== undefined || policy !== "all") c.deliver_policy = policy;
  if (policy !== "by_start_sequence") delete c.opt_start_seq;
  else if (c.opt_start_seq === undefined) c.opt_start_seq = 1;
  if (policy !== "by_start_time") delete c.opt_start_time;
  else if (c.opt_start_time === undefined) c.opt_start_time = "2024-05-01T00:00:00Z";

  // Acknowledgements.
  let ack = (c.ack_policy as string | undefined) ?? "none";
  if (ack === "flow_control" && (!push || !f.v214)) ack = "explicit";
  if (retention === "workqueue" && ack !== "explicit" && ack !== "flow_control") ack = "explicit";
  if (c.ack_policy !== undefined || ack !== "none") c.ack_policy = ack;
  const backoff = c.backoff as string[] | undefined;
  if (backoff) {
    if (ack === "none" || ack === "flow_control") delete c.backoff;
    else {
      delete c.ack_wait;
      if (typeof c.max_deliver === "number" && c.max_deliver > 0 && c.max_deliver < backoff.length) {
        c.max_deliver = backoff.length;
      }
    }
  }
  if (ack === "flow_control") {
    c.flow_control = true;
    c.idle_heartbeat = "1s";
    delete c.ack_wait;
    delete c.backoff;
    if (typeof c.max_deliver === "number" && c.max_deliver > 0) delete c.max_deliver;
    if (c.max_ack_pending === -1) delete c.max_ack_pending;
  }
  // The stream's consumer_limits.max_ack_pending applies to every consumer, and a push consumer with ack
  // none cannot have one.
  const limitsOf = stream.consumer_limits as { max_ack_pending?: number } | undefined;
  if (push && ack === "none" && limitsOf?.max_ack_pending !== undefined) {
    ack = "explicit";
    c.ack_policy = ack;
  }
  if (push && ack === "none") delete c.max_ack_pending;
  if (c.flow_control && !c.idle_heartbeat) c.idle_heartbeat = "5s";

  // Priority groups (pull only).
  const prio = (c.priority_policy as string | undefined) ?? "none";
  if (prio === "none") {
    delete c.priority_groups;
    delete c.priority_timeout;
  } else {
    if (!(c.priority_groups as string[] | undefined)?.length) c.priority_groups = ["A"];
    if (prio !== "pinned_client") delete c.priority_timeout;
  }

  // The stream's consumer limits cap the consumer's own values.
  const limits = stream.consumer_limits as
    | { inactive_threshold?: string; max_ack_pending?: number }
    | undefined;
  if (limits?.max_ack_pending !== undefined && typeof c.max_ack_pending === "number") {
    if (c.max_ack_pending === -1 || c.max_ack_pending > limits.max_ack_pending) {
      c.max_ack_pending = limits.max_ack_pending;
    }
  }
  if (limits?.inactive_threshold !== undefined && c.inactive_threshold !== undefined) {
    if (durationNs(c.inactive_threshold) > durationNs(limits.inactive_threshold)) {
      c.inactive_threshold = limits.inactive_threshold;
    }
  }
  return c;
}

function fixKv(
  g: GenKv,
  slot: number,
  n: Names,
  earlier: readonly number[],
  sizes: ReadonlyMap<number, number>,
  ancestors: Map<number, ReadonlySet<number>>,
): Obj {
  const bucket = bucketName(n, slot);
  const b: Obj = { bucket, ...g.fields };
  const origin = (x: GenKvSource) => earlier[x.origin % earlier.length]!;
  const src = (x: GenKvSource, mirror: boolean): Obj => {
    const o = origin(x);
    const out: Obj = { name: bucketName(n, o) };
    if (x.filter !== undefined) out.filter_subject = `$KV.${bucketName(n, o)}.${KV_FILTERS[x.filter]}`;
    else if (x.transform && !mirror) {
      out.subject_transforms = [{ src: `$KV.${bucketName(n, o)}.>`, dest: `$KV.${bucket}.from${o}.>` }];
    }
    if (x.startSeq !== undefined) out.opt_start_seq = x.startSeq;
    return out;
  };
  const reach = new Set<number>();
  if (earlier.length > 0 && g.mirror) {
    b.mirror = src(g.mirror, true);
    delete b.limit_marker_ttl;
    const o = origin(g.mirror);
    for (const x of [o, ...(ancestors.get(o) ?? [])]) reach.add(x);
  } else if (earlier.length > 0 && g.sources.length > 0) {
    const seen = new Set<string>();
    const direct = new Set<number>();
    const sources: Obj[] = [];
    for (const x of g.sources) {
      const o = src(x, false);
      // A filter on all of the origin's keys is what a source without one takes anyway.
      const filter = o.filter_subject === `$KV.${o.name}.>` ? undefined : o.filter_subject;
      const key = JSON.stringify([o.name, filter, o.subject_transforms]);
      if (seen.has(key)) continue;
      // One way to each origin (see fixStream).
      const slotOf = origin(x);
      const up = [slotOf, ...(ancestors.get(slotOf) ?? [])];
      if (!direct.has(slotOf) && up.some((y) => reach.has(y))) continue;
      direct.add(slotOf);
      for (const y of up) reach.add(y);
      seen.add(key);
      sources.push(o);
    }
    b.sources = sources;
  }
  ancestors.set(slot, reach);
  const own = sizeBytes(b.max_value_size);
  const origins = [...(b.mirror ? [b.mirror as Obj] : []), ...((b.sources as Obj[] | undefined) ?? [])];
  if (
    own > 0 &&
    origins.some((o) => earlier.some((e) => bucketName(n, e) === o.name && (sizes.get(e) ?? -1) > own))
  ) {
    delete b.max_value_size;
  }
  const rp = b.republish as { src?: boolean; dest: number; headers_only?: boolean } | undefined;
  if (rp) {
    b.republish = {
      ...(rp.src ? { src: `$KV.${bucket}.>` } : {}),
      dest: `${n.lower}.kvrp${slot}.${rp.dest % 3}.>`,
      ...(rp.headers_only !== undefined ? { headers_only: rp.headers_only } : {}),
    };
  }
  return b;
}

/**
 * A known gap, not generated: a mirror or source holds a hidden consumer on its origin (CONSUMER.LIST does not
 * show it), and nats-server checks consumer_limits against it too, so lowering an origin's
 * consumer_limits.max_ack_pending below that consumer's fails with 10069 "change to limits violates
 * consumers: JS_SRC_…" (seen on 2.15.1 in `npm run test:deep`). jsplan cannot see that consumer, so it
 * plans an update (with a warning, src/plan/origin-limits.ts); consumer_limits on a stream that the manifest
 * mirrors or sources are left out here.
 */
function leaveOriginsWithoutConsumerLimits(streams: Obj[]): void {
  const origins = new Set<string>();
  for (const s of streams) {
    const list = s.mirror ? [s.mirror as Obj] : ((s.sources as Obj[] | undefined) ?? []);
    for (const o of list) if (!o.external) origins.add(o.name as string);
  }
  for (const s of streams) if (origins.has(s.name as string)) delete s.consumer_limits;
}

/** The concrete manifest of a generated one, for case `caseNo`. */
export function toManifest(g: GenManifest, f: Features, caseNo: number): Obj {
  const n = namesOf(caseNo);
  const streams: Obj[] = [];
  const facts: StreamFacts[] = [];
  g.streams.forEach((gs, i) => {
    if (!gs) return;
    const r = fixStream(gs, i, n, facts, f);
    streams.push(r.stream);
    facts.push(r.facts);
  });
  if (!f.v214) keepWorkQueuesClearOfOrigins(streams);
  leaveOriginsWithoutConsumerLimits(streams);
  const kvs: Obj[] = [];
  const kvSlots: number[] = [];
  const kvSizes = new Map<number, number>();
  const kvAncestors = new Map<number, ReadonlySet<number>>();
  g.kvs.forEach((gk, i) => {
    if (!gk) return;
    const kv = fixKv(gk, i, n, kvSlots, kvSizes, kvAncestors);
    kvs.push(kv);
    kvSlots.push(i);
    kvSizes.set(i, sizeBytes(kv.max_value_size));
  });
  const objs: Obj[] = [];
  g.objs.forEach((go, i) => {
    if (go) objs.push({ bucket: objName(n, i), ...go });
  });
  const consumers: Obj[] = [];
  const stream = foreignStream(caseNo);
  const foreignFacts: StreamFacts = {
    name: stream.name as string,
    slot: 9,
    filterNs: `${n.lower}.f`,
    subjects: stream.subjects as string[],
    retention: "limits",
    kind: "plain",
    maxMsgSize: -1,
    ancestors: new Set(),
  };
  g.foreign.forEach((gc, j) => {
    if (!gc) return;
    const c = fixConsumer(gc, j, stream, foreignFacts, foreignFacts.subjects, n, f, false);
    if (c) consumers.push({ stream: stream.name, ...c });
  });
  return {
    version: 1,
    owner: n.owner,
    ...(streams.length > 0 ? { streams } : {}),
    ...(consumers.length > 0 ? { consumers } : {}),
    ...(kvs.length > 0 ? { key_value: kvs } : {}),
    ...(objs.length > 0 ? { object_stores: objs } : {}),
  };
}

/**
 * Before 2.14 a mirror or source of a work-queue stream takes a consumer on it that counts in the
 * work-queue rules (see src/plan/workqueue-origins.ts): the work queue keeps only consumers that are
 * filtered clear of every mirror and source of it.
 */
function keepWorkQueuesClearOfOrigins(streams: Obj[]): void {
  for (const w of streams) {
    if (w.retention !== "workqueue" || !w.consumers) continue;
    const taken: string[][] = [];
    for (const s of streams) {
      const list = s.mirror ? [s.mirror as Obj] : ((s.sources as Obj[] | undefined) ?? []);
      for (const src of list) {
        if (src.name !== w.name) continue;
        const transforms = (src.subject_transforms as Array<{ src: string }> | undefined) ?? [];
        taken.push(src.filter_subject ? [src.filter_subject as string] : transforms.map((t) => t.src));
      }
    }
    if (taken.length === 0) continue;
    const clear = (w.consumers as Obj[]).filter((c) => {
      const mine =
        (c.filter_subjects as string[] | undefined) ?? (c.filter_subject ? [c.filter_subject as string] : []);
      return (
        mine.length > 0 &&
        taken.every((t) => t.length > 0 && !mine.some((m) => t.some((x) => subjectsCollide(m, x))))
      );
    });
    if (clear.length > 0) w.consumers = clear;
    else delete w.consumers;
  }
}

/**
 * The stream that the manifest's top-level consumers belong to: the manifest does not manage it, so each
 * test creates it (with a client) before the first apply.
 */
export function foreignStream(caseNo: number): Obj {
  const n = namesOf(caseNo);
  return { name: `${n.upper}F`, subjects: [`${n.lower}.f.>`] };
}
