// Generators of YAML text for the fuzz tests: a grammar of YAML trees rendered in random styles (block and
// flow, anchors, aliases, merge keys, tags, comments, line endings, several documents), character-level
// mutations of a valid manifest, and near-valid manifests built from the manifest format's own vocabulary.

import fc from "fast-check";

// ---------------------------------------------------------------------------------------------------------
// YAML trees, rendered in random styles

export type Tree =
  | { t: "scalar"; text: string }
  | { t: "alias"; name: string }
  | { t: "seq"; items: Tree[]; flow: boolean; anchor?: string; tag?: string }
  | { t: "map"; pairs: Array<[string, Tree]>; flow: boolean; anchor?: string; tag?: string }
  | { t: "anchored"; anchor: string; node: Tree };

const ANCHORS = ["a", "b", "c", "base", "x1"];

/** Plain, quoted and special scalars: numbers in every core form, booleans, nulls, units, subjects. */
export const scalarText = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      "0",
      "1",
      "-1",
      "+1",
      "-0",
      "007",
      "1_000",
      "0x1F",
      "0xff",
      "0o17",
      "0o19",
      "0b101",
      "1.5",
      "1.",
      ".5",
      "1e3",
      "1E-3",
      "+.inf",
      "-.Inf",
      ".nan",
      ".NaN",
      "true",
      "True",
      "FALSE",
      "yes",
      "no",
      "on",
      "null",
      "Null",
      "~",
      "",
      "<<",
      "'<<'",
      "30s",
      "1h30m",
      "10GiB",
      "orders.>",
      "orders.*.created",
      "$KV.x.>",
      "'quoted'",
      "'it''s'",
      '"double"',
      '"tab\\tnew\\nline"',
      '"\\u00e9\\U0001F600"',
      '"\\x41"',
      "'a: b'",
      '"# not a comment"',
      "a b c",
      "2024-05-01T12:00:00Z",
      "9999999999999999999999",
      "0.30000000000000004",
      "-",
      "a-b",
      "é",
      "😀",
      "__proto__",
      "constructor",
      "${X}",
      "${X:-1}",
      "$${X}",
      "'${X}'",
    ),
    weight: 6,
  },
  { arbitrary: fc.stringMatching(/^[a-z][a-z0-9_.-]{0,8}$/), weight: 2 },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)), weight: 1 },
);

export const keyText = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      "a",
      "b",
      "name",
      "subjects",
      "max_age",
      "<<",
      "'<<'",
      "1",
      "'1'",
      "1.0",
      "0x10",
      "true",
      "'true'",
      "null",
      "~",
      "__proto__",
      "constructor",
      "toString",
      "x-y",
      '"a"',
      "'a'",
      "a b",
      "é",
    ),
    weight: 4,
  },
  { arbitrary: fc.stringMatching(/^[a-z]{1,4}$/), weight: 2 },
);

const anchorName = fc.constantFrom(...ANCHORS);

export const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree; seq: Tree; map: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { arbitrary: scalarText.map((text): Tree => ({ t: "scalar", text })), weight: 5 },
    { arbitrary: anchorName.map((name): Tree => ({ t: "alias", name })), weight: 1 },
    { arbitrary: tie("seq"), weight: 2 },
    { arbitrary: tie("map"), weight: 3 },
    {
      arbitrary: fc
        .tuple(anchorName, scalarText)
        .map(([anchor, text]): Tree => ({ t: "anchored", anchor, node: { t: "scalar", text } })),
      weight: 1,
    },
  ),
  seq: fc
    .record({
      items: fc.array(tie("node"), { maxLength: 4 }),
      flow: fc.boolean(),
      anchor: fc.option(anchorName, { nil: undefined, freq: 3 }),
      tag: fc.option(fc.constantFrom("!!seq", "!!set", "!foo"), { nil: undefined, freq: 12 }),
    })
    .map((r): Tree => ({ t: "seq", ...clean(r) })),
  map: fc
    .record({
      pairs: fc.array(
        fc.oneof(
          { arbitrary: fc.tuple(keyText, tie("node")), weight: 5 },
          // merge keys: an alias, a list of aliases, an inline mapping, or something that is not a mapping
          {
            arbitrary: fc.tuple(
              fc.constant("<<"),
              fc.oneof(
                anchorName.map((name): Tree => ({ t: "alias", name })),
                fc.array(anchorName, { minLength: 1, maxLength: 3 }).map(
                  (names): Tree => ({
                    t: "seq",
                    flow: true,
                    items: names.map((name) => ({ t: "alias", name })),
                  }),
                ),
                tie("map"),
                scalarText.map((text): Tree => ({ t: "scalar", text })),
              ),
            ),
            weight: 1,
          },
        ),
        { maxLength: 5 },
      ),
      flow: fc.boolean(),
      anchor: fc.option(anchorName, { nil: undefined, freq: 3 }),
      tag: fc.option(fc.constantFrom("!!map", "!!omap", "!bar"), { nil: undefined, freq: 12 }),
    })
    .map((r): Tree => ({ t: "map", ...clean(r) })),
})).node;

function clean<T extends Record<string, unknown>>(r: T): T {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as T;
}

function props(n: { anchor?: string; tag?: string }): string {
  return [n.anchor ? `&${n.anchor}` : "", n.tag ?? ""].filter((s) => s !== "").join(" ");
}

/** One-line (flow) form of a tree. */
function flow(n: Tree): string {
  switch (n.t) {
    case "scalar":
      // a plain scalar that would end or split a flow collection is quoted
      return /[,[\]{}#]|: |^[-?:&*!|>%@`'"]/.test(n.text) && !/^(['"]).*\1$/.test(n.text)
        ? JSON.stringify(n.text)
        : n.text;
    case "alias":
      return `*${n.name}`;
    case "anchored":
      return `&${n.anchor} ${flow(n.node)}`;
    case "seq":
      return `${withProps(n)}[${n.items.map(flow).join(", ")}]`;
    case "map":
      return `${withProps(n)}{${n.pairs.map(([k, v]) => `${k}: ${flow(v)}`).join(", ")}}`;
  }
}

function withProps(n: { anchor?: string; tag?: string }): string {
  const p = props(n);
  return p === "" ? "" : `${p} `;
}

function isBlock(n: Tree): n is Extract<Tree, { t: "seq" | "map" }> {
  return (n.t === "seq" || n.t === "map") && !n.flow && (n.t === "seq" ? n.items.length : n.pairs.length) > 0;
}

/** Block form of a tree at an indentation; `comments` adds end-of-line comments here and there. */
function block(n: Tree, indent: number, comments: boolean): string[] {
  const pad = " ".repeat(indent);
  const note = (i: number) => (comments && i % 3 === 1 ? " # note" : "");
  if (n.t === "map" && isBlock(n)) {
    const lines: string[] = [];
    n.pairs.forEach(([k, v], i) => {
      if (isBlock(v)) {
        const p = props(v);
        lines.push(`${pad}${k}:${p ? ` ${p}` : ""}${note(i)}`);
        lines.push(...block(v, v.t === "seq" && i % 2 === 0 ? indent : indent + 2, comments));
      } else {
        lines.push(`${pad}${k}: ${flow(v)}${note(i)}`);
      }
    });
    return lines;
  }
  if (n.t === "seq" && isBlock(n)) {
    const lines: string[] = [];
    n.items.forEach((item, i) => {
      if (isBlock(item)) {
        const p = props(item);
        lines.push(`${pad}-${p ? ` ${p}` : ""}${note(i)}`);
        lines.push(...block(item, indent + 2, comments));
      } else {
        lines.push(`${pad}- ${flow(item)}${note(i)}`);
      }
    });
    return lines;
  }
  return [`${pad}${flow(n)}`];
}

export interface RenderOptions {
  readonly newline: "\n" | "\r\n" | "\r";
  readonly comments: boolean;
  readonly header: "" | "---\n" | "%YAML 1.2\n---\n" | "# comment\n";
}

export const renderOptions: fc.Arbitrary<RenderOptions> = fc.record({
  newline: fc.constantFrom<RenderOptions["newline"]>("\n", "\n", "\n", "\r\n", "\r"),
  comments: fc.boolean(),
  header: fc.constantFrom<RenderOptions["header"]>("", "", "---\n", "%YAML 1.2\n---\n", "# comment\n"),
});

/** A YAML text of one or more documents. */
export function render(docs: readonly Tree[], o: RenderOptions): string {
  const text = o.header + docs.map((d) => `${block(d, 0, o.comments).join("\n")}\n`).join("---\n");
  return o.newline === "\n" ? text : text.replace(/\n/g, o.newline);
}

export const yamlText: fc.Arbitrary<string> = fc
  .tuple(fc.array(tree, { minLength: 1, maxLength: 3 }), renderOptions)
  .map(([docs, o]) => render(docs, o));

// ---------------------------------------------------------------------------------------------------------
// Character-level mutations of a text

export interface Mutation {
  readonly at: number;
  readonly op: "insert" | "delete" | "replace" | "dupline" | "dropline" | "indent" | "dedent" | "swaplines";
  readonly piece: string;
  readonly len: number;
}

const PIECES = [
  " ",
  "  ",
  "\t",
  "\n",
  "\r\n",
  "\r",
  "-",
  "- ",
  ":",
  ": ",
  "?",
  "? ",
  "[",
  "]",
  "{",
  "}",
  ",",
  "#",
  " #",
  "&a ",
  "*a",
  "&b",
  "*b",
  "!",
  "!!str ",
  "!!int ",
  "!!binary ",
  "'",
  '"',
  "|",
  ">",
  "|-",
  ">+",
  "%",
  "---",
  "...",
  "<<: *a",
  "<<",
  "~",
  "null",
  "true",
  "0x",
  "1",
  ".5",
  "e9",
  "\\",
  "@",
  "`",
  "${",
  "${X",
  "}",
  "$${",
  "\u00a0",
  "\ufeff",
  "\u2028",
  "\u0085",
  "é",
  "😀",
  "\u0001",
  "\u007f",
  "\ud800",
];

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Mutation["op"]>(
    "insert",
    "insert",
    "delete",
    "replace",
    "dupline",
    "dropline",
    "indent",
    "dedent",
    "swaplines",
  ),
  piece: fc.constantFrom(...PIECES),
  len: fc.integer({ min: 1, max: 6 }),
});

export function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = m.at % (out.length + 1);
    const lineStart = out.lastIndexOf("\n", at - 1) + 1;
    const nl = out.indexOf("\n", at);
    const lineEnd = nl < 0 ? out.length : nl;
    const line = out.slice(lineStart, lineEnd);
    switch (m.op) {
      case "insert":
        out = out.slice(0, at) + m.piece + out.slice(at);
        break;
      case "delete":
        out = out.slice(0, at) + out.slice(at + m.len);
        break;
      case "replace":
        out = out.slice(0, at) + m.piece + out.slice(at + m.len);
        break;
      case "dupline":
        out = `${out.slice(0, lineEnd)}\n${line}${out.slice(lineEnd)}`;
        break;
      case "dropline":
        out = out.slice(0, lineStart) + out.slice(Math.min(out.length, lineEnd + 1));
        break;
      case "indent":
        out = `${out.slice(0, lineStart)}${" ".repeat(m.len)}${out.slice(lineStart)}`;
        break;
      case "dedent":
        out = out.slice(0, lineStart) + line.replace(new RegExp(`^ {1,${m.len}}`), "") + out.slice(lineEnd);
        break;
      case "swaplines": {
        const nextEnd = out.indexOf("\n", lineEnd + 1);
        if (nl < 0) break;
        const next = out.slice(lineEnd + 1, nextEnd < 0 ? out.length : nextEnd);
        out = `${out.slice(0, lineStart)}${next}\n${line}${out.slice(nextEnd < 0 ? out.length : nextEnd)}`;
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Near-valid manifests from the format's vocabulary

const durations = fc.oneof(
  fc.constantFrom("30s", "1h30m", "250ms", "1.5h", "7d", "1w", "0", 0, "2m", "100us", "1µs", "5ns"),
  fc.constantFrom("30", 3600, "1 h", "30S", "1y", "-1s", "s", "1.s", "200000d", "99999999999999999999s", ""),
  fc.integer({ min: 0, max: 1000 }).map((n) => `${n}s`),
);
const sizes = fc.oneof(
  fc.constantFrom(-1, 0, 1024, "1KB", "10GiB", "1.5GB", "512 MiB", "1PiB"),
  fc.constantFrom("1kb", "10G", "-2", -2, 1.5, "1e3", "9999999PiB", 1e300, 2 ** 53 + 1, "GiB", ""),
  fc.nat().map(String),
);
const names = fc.oneof(
  fc.constantFrom("ORDERS", "orders_v2", "A", "KV_x", "OBJ_y"),
  fc.constantFrom("", "has space", "a.b", "a*", "a>", "a/b", "tab\tname", "x".repeat(300), "é"),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,10}$/),
);
const subjects = fc.oneof(
  fc.constantFrom("orders.>", "orders.*", "a", ">", "*", "a.*.c", "$JS.API.>", "$KV.b.>", "foo*"),
  fc.constantFrom("", "a..b", ".a", "a.", "a.>.b", "a b", "a\tb", "é.ü"),
  fc.stringMatching(/^[a-z]{1,5}(\.[a-z*]{1,3}){0,3}(\.>)?$/),
);
const anyValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, "", "x", [], {}, ["x"], { a: 1 }),
  durations,
  sizes,
  names,
);

const enumOf = (...xs: unknown[]) => fc.oneof(fc.constantFrom(...xs), anyValue);

const consumer = fc.record(
  {
    name: names,
    durable_name: names,
    description: fc.oneof(fc.string({ maxLength: 20 }), anyValue),
    ack_policy: enumOf("explicit", "none", "all", "flow_control", "Explicit"),
    ack_wait: durations,
    max_deliver: fc.oneof(fc.integer({ min: -2, max: 20 }), anyValue),
    backoff: fc.oneof(fc.array(durations, { maxLength: 4 }), anyValue),
    filter_subject: subjects,
    filter_subjects: fc.oneof(fc.array(subjects, { maxLength: 3 }), anyValue),
    deliver_policy: enumOf("all", "last", "new", "by_start_sequence", "by_start_time", "last_per_subject"),
    opt_start_seq: fc.oneof(fc.nat(), anyValue),
    opt_start_time: fc.oneof(
      fc.constantFrom("2024-05-01T12:00:00Z", "2024-13-01T00:00:00Z", "yesterday"),
      anyValue,
    ),
    deliver_subject: subjects,
    deliver_group: names,
    max_waiting: fc.oneof(fc.integer({ min: -1, max: 1000 }), anyValue),
    max_ack_pending: fc.oneof(fc.integer({ min: -2, max: 1000 }), anyValue),
    max_expires: durations,
    inactive_threshold: durations,
    idle_heartbeat: durations,
    flow_control: fc.oneof(fc.boolean(), anyValue),
    headers_only: fc.boolean(),
    replay_policy: enumOf("instant", "original"),
    num_replicas: fc.oneof(fc.integer({ min: -1, max: 6 }), anyValue),
    mem_storage: fc.boolean(),
    max_bytes: sizes,
    sample_freq: fc.oneof(fc.constantFrom("50%", "100", 50, "x%"), anyValue),
    metadata: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
      anyValue,
    ),
    stream: names,
    protect: fc.oneof(fc.boolean(), anyValue),
    priority_policy: enumOf("none", "overflow", "pinned_client", "prioritized"),
    priority_groups: fc.oneof(fc.array(names, { maxLength: 2 }), anyValue),
    priority_timeout: durations,
    pause_until: fc.oneof(fc.constantFrom("2030-01-01T00:00:00Z"), anyValue),
    bogus_key: anyValue,
  },
  { requiredKeys: [] },
);

const source = fc.record(
  {
    name: names,
    filter_subject: subjects,
    opt_start_seq: fc.oneof(fc.nat(), anyValue),
    domain: fc.oneof(names, anyValue),
    external: fc.oneof(fc.record({ api: subjects, deliver: subjects }, { requiredKeys: [] }), anyValue),
    subject_transforms: fc.oneof(
      fc.array(fc.record({ src: subjects, dest: subjects }, { requiredKeys: [] }), { maxLength: 2 }),
      anyValue,
    ),
  },
  { requiredKeys: ["name"] },
);

const stream = fc.record(
  {
    name: names,
    description: fc.oneof(fc.string({ maxLength: 20 }), anyValue),
    subjects: fc.oneof(fc.array(subjects, { maxLength: 4 }), anyValue),
    retention: enumOf("limits", "interest", "workqueue"),
    storage: enumOf("file", "memory"),
    num_replicas: fc.oneof(fc.integer({ min: -1, max: 6 }), anyValue),
    max_age: durations,
    max_bytes: sizes,
    max_msgs: fc.oneof(fc.integer({ min: -2, max: 10 ** 6 }), anyValue),
    max_msg_size: sizes,
    max_msgs_per_subject: fc.oneof(fc.integer({ min: -2, max: 100 }), anyValue),
    max_consumers: fc.oneof(fc.integer({ min: -2, max: 100 }), anyValue),
    duplicate_window: durations,
    discard: enumOf("old", "new"),
    discard_new_per_subject: fc.oneof(fc.boolean(), anyValue),
    deny_delete: fc.boolean(),
    deny_purge: fc.boolean(),
    allow_rollup_hdrs: fc.boolean(),
    allow_direct: fc.boolean(),
    mirror_direct: fc.boolean(),
    no_ack: fc.boolean(),
    compression: enumOf("none", "s2"),
    first_seq: fc.oneof(fc.nat(), anyValue),
    mirror: fc.oneof(source, anyValue),
    sources: fc.oneof(fc.array(source, { maxLength: 3 }), anyValue),
    placement: fc.oneof(
      fc.record({ cluster: names, tags: fc.array(names, { maxLength: 2 }) }, { requiredKeys: [] }),
      anyValue,
    ),
    republish: fc.oneof(
      fc.record({ src: subjects, dest: subjects, headers_only: fc.boolean() }, { requiredKeys: [] }),
      anyValue,
    ),
    subject_transform: fc.oneof(fc.record({ src: subjects, dest: subjects }, { requiredKeys: [] }), anyValue),
    consumer_limits: fc.oneof(
      fc.record(
        { inactive_threshold: durations, max_ack_pending: fc.integer({ min: -2, max: 100 }) },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
    metadata: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
      anyValue,
    ),
    allow_msg_ttl: fc.boolean(),
    subject_delete_marker_ttl: durations,
    protect: fc.oneof(fc.boolean(), anyValue),
    consumers: fc.oneof(fc.array(consumer, { maxLength: 3 }), anyValue),
    bogus_key: anyValue,
  },
  { requiredKeys: ["name"] },
);

const kv = fc.record(
  {
    bucket: names,
    description: fc.string({ maxLength: 10 }),
    history: fc.oneof(fc.integer({ min: -1, max: 100 }), anyValue),
    ttl: durations,
    max_value_size: sizes,
    max_bytes: sizes,
    storage: enumOf("file", "memory"),
    num_replicas: fc.oneof(fc.integer({ min: 0, max: 6 }), anyValue),
    compression: fc.oneof(fc.boolean(), anyValue),
    limit_marker_ttl: durations,
    mirror: fc.oneof(source, anyValue),
    sources: fc.oneof(fc.array(source, { maxLength: 2 }), anyValue),
    protect: fc.boolean(),
  },
  { requiredKeys: ["bucket"] },
);

const objectStore = fc.record(
  {
    bucket: names,
    description: fc.string({ maxLength: 10 }),
    ttl: durations,
    max_bytes: sizes,
    storage: enumOf("file", "memory"),
    num_replicas: fc.oneof(fc.integer({ min: 0, max: 6 }), anyValue),
    compression: fc.oneof(fc.boolean(), anyValue),
    protect: fc.boolean(),
  },
  { requiredKeys: ["bucket"] },
);

/** A manifest-shaped value: mostly right, with wrong types, values and keys here and there. */
export const nearValidManifest: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    version: fc.oneof(fc.constant(1), fc.constant(1), anyValue),
    owner: fc.oneof(fc.constantFrom("platform", "orders-platform"), names, anyValue),
    streams: fc.oneof({ arbitrary: fc.array(stream, { maxLength: 4 }), weight: 5 }, anyValue),
    consumers: fc.oneof(fc.array(consumer, { maxLength: 2 }), anyValue),
    key_value: fc.oneof(fc.array(kv, { maxLength: 2 }), anyValue),
    object_stores: fc.oneof(fc.array(objectStore, { maxLength: 2 }), anyValue),
    "x-shared": fc.oneof(fc.record({ storage: fc.constant("file") }), anyValue),
    unknown_top: anyValue,
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------------------------------------
// Structure-aware mutation of a parsed manifest

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface Edit {
  /** Which node to edit, as an index into the list of all nodes (taken modulo its length). */
  readonly target: number;
  readonly kind: "value" | "drop" | "rename" | "wrap" | "unwrap" | "duplicate" | "empty";
  readonly value: unknown;
  readonly key: string;
}

export const edit: fc.Arbitrary<Edit> = fc.record({
  target: fc.nat(),
  kind: fc.constantFrom<Edit["kind"]>(
    "value",
    "value",
    "value",
    "drop",
    "rename",
    "wrap",
    "unwrap",
    "duplicate",
    "empty",
  ),
  value: anyValue,
  key: fc.oneof(keyText, fc.constantFrom("name", "subjects", "max_age", "max_bytes", "ack_policy", "<<")),
});

/** Every (parent, key) slot of a JSON-like value, depth first. */
function slots(root: Json): Array<{ parent: Json[] | { [k: string]: Json }; key: string | number }> {
  const out: Array<{ parent: Json[] | { [k: string]: Json }; key: string | number }> = [];
  const walk = (v: Json) => {
    if (Array.isArray(v)) {
      v.forEach((c, i) => {
        out.push({ parent: v, key: i });
        walk(c);
      });
    } else if (v !== null && typeof v === "object") {
      for (const [k, c] of Object.entries(v)) {
        out.push({ parent: v, key: k });
        walk(c);
      }
    }
  };
  walk(root);
  return out;
}

/** Applies edits to a deep copy of a manifest: changed values, dropped or renamed keys, wrapped values. */
export function applyEdits(manifest: Json, edits: readonly Edit[]): Json {
  const root = structuredClone(manifest);
  for (const e of edits) {
    const all = slots(root);
    if (all.length === 0) break;
    const { parent, key } = all[e.target % all.length]!;
    const current = (parent as Record<string | number, Json>)[key]!;
    const set = (v: Json) => {
      (parent as Record<string | number, Json>)[key] = v;
    };
    switch (e.kind) {
      case "value":
        set(e.value as Json);
        break;
      case "drop":
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
        break;
      case "rename":
        if (!Array.isArray(parent) && !(e.key in parent)) {
          parent[e.key] = current;
          delete parent[key as string];
        }
        break;
      case "wrap":
        set([current]);
        break;
      case "unwrap":
        if (Array.isArray(current) && current.length > 0) set(current[0]!);
        else if (current !== null && typeof current === "object") set(Object.values(current)[0] ?? null);
        break;
      case "duplicate":
        if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(current));
        break;
      case "empty":
        set(Array.isArray(current) ? [] : typeof current === "object" && current !== null ? {} : "");
        break;
    }
  }
  return root;
}
