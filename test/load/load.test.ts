// How manifests are found, read, merged and converted: the loading rules of the contract.

import assert from "node:assert/strict";
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { loadManifests, loadSources } from "../../src/load/load.js";
import { DAY, MINUTE, SECOND } from "../../src/model/units.js";
import { runCli } from "../support/cli.js";

const work = mkdtempSync(path.join(tmpdir(), "jsplan-load-"));
after(() => rmSync(work, { recursive: true, force: true }));

function load(text: string, env: Record<string, string> = {}) {
  return loadSources([{ path: "m.yaml", text }], env);
}

function errors(r: ReturnType<typeof load>) {
  return r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
}

describe("loading one manifest", () => {
  it("converts human units to wire values", () => {
    const r = load(`
streams:
  - name: S
    subjects: [s.>]
    max_age: 30d
    max_bytes: 10GiB
    duplicate_window: 2m
    consumers:
      - name: c
        ack_policy: explicit
        backoff: [1s, 1m]
        max_bytes: 1KB
`);
    assert.deepEqual(errors(r), []);
    const s = r.desired!.streams[0]!;
    assert.equal(s.config.max_age, 30 * DAY);
    assert.equal(s.config.max_bytes, 10 * 2 ** 30);
    assert.equal(s.config.duplicate_window, 2 * MINUTE);
    const c = r.desired!.consumers[0]!;
    assert.deepEqual(c.config.backoff, [SECOND, MINUTE]);
    assert.equal(c.config.max_bytes, 1000);
    assert.equal(c.config.durable_name, "c");
    assert.equal(c.stream, "S");
    assert.equal(c.address, "consumer.S.c");
  });

  it("keeps jsplan's own keys out of the wire config", () => {
    const r = load(`
streams:
  - name: S
    protect: true
    consumers: [{ name: c, protect: true }]
consumers:
  - { stream: OTHER, name: d }
`);
    assert.deepEqual(errors(r), []);
    const [s] = r.desired!.streams;
    assert.equal(s!.protect, true);
    assert.equal("protect" in s!.config, false);
    assert.equal("consumers" in s!.config, false);
    const d = r.desired!.consumers.find((c) => c.name === "d")!;
    assert.equal("stream" in d.config, false);
    assert.equal(d.nested, false);
  });

  it("fills ${VAR} and ${VAR:-default} and re-types plain scalars", () => {
    const r = load(
      `
streams:
  - name: \${STREAM}
    subjects: ["\${PREFIX:-orders}.>"]
    num_replicas: \${R:-3}
    deny_delete: \${LOCKED:-false}
    description: "\${R:-3}"
    metadata:
      literal: "$\${NOT_A_VAR}"
`,
      { STREAM: "ORDERS" },
    );
    assert.deepEqual(errors(r), []);
    const s = r.desired!.streams[0]!;
    assert.equal(s.name, "ORDERS");
    assert.deepEqual(s.config.subjects, ["orders.>"]);
    assert.equal(s.config.num_replicas, 3);
    assert.equal(s.config.deny_delete, false);
    assert.equal(s.config.description, "3", "quoted values stay strings");
    assert.equal(s.config.metadata?.literal, "${NOT_A_VAR}");
  });

  it("reports ${VAR:?message} with the message", () => {
    const r = load("streams:\n  - name: ${STREAM:?set STREAM to the stream name}\n");
    assert.match(errors(r)[0]!, /STREAM is required: set STREAM to the stream name/);
  });

  it("reports an unset ${VAR} in an anchor once, however many aliases use it", () => {
    const r = load(`
x-defaults: &d
  max_age: \${AGE}
streams:
  - { name: A, subjects: [a], <<: *d }
  - { name: B, subjects: [b], <<: *d }
`);
    const found = r.diagnostics.filter((d) => d.severity === "error");
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.match(found[0]!.message, /environment variable AGE is not set/);
    assert.deepEqual([found[0]!.pos?.line, found[0]!.pos?.col], [3, 12]);
  });

  it("ignores an unset ${VAR} inside an x- key that nothing uses", () => {
    const r = load(
      "x-notes: ${UNUSED}\nx-more:\n  a: ${ALSO_UNUSED}\nstreams:\n  - { name: A, subjects: [a] }\n",
    );
    assert.deepEqual(errors(r), []);
    assert.equal(r.desired!.streams.length, 1);
  });

  it("applies anchors and merge keys, with the mapping's own keys winning", () => {
    const r = load(`
x-base: &base
  storage: memory
  max_age: 1h
  num_replicas: 1
streams:
  - name: A
    <<: *base
    max_age: 2h
    subjects: [a.>]
`);
    assert.deepEqual(errors(r), []);
    const a = r.desired!.streams[0]!.config;
    assert.equal(a.storage, "memory");
    assert.equal(a.max_age, 2 * 3600 * SECOND);
    assert.equal(a.num_replicas, 1);
  });

  it("points at the anchor's line for a value that came through a merge key", () => {
    const r = load(`x-base: &base
  max_age: 3600
streams:
  - name: A
    <<: *base
`);
    const d = r.diagnostics.find((x) => x.code === "schema.duration")!;
    assert.equal(d.pos?.line, 2);
    assert.equal(d.address, "stream.A");
  });

  it("ignores top-level x- keys", () => {
    assert.deepEqual(errors(load("x-anything: { whatever: [1, 2] }\nstreams: []\n")), []);
  });

  it("merges the documents of a multi-document file", () => {
    const r = load("owner: team\nstreams: [{ name: A }]\n---\nstreams: [{ name: B }]\n---\n");
    assert.deepEqual(errors(r), []);
    assert.deepEqual(
      r.desired!.streams.map((s) => s.name),
      ["A", "B"],
    );
    assert.equal(r.desired!.owner, "team");
  });

  it("gives every field of a resource its position", () => {
    const r = load(
      "streams:\n  - name: A\n    subjects: [a.>]\n    consumers:\n      - name: c\n        ack_wait: 5s\n",
    );
    const c = r.desired!.consumers[0]!;
    assert.deepEqual(c.origin.pos, { file: "m.yaml", line: 5, col: 15 });
    assert.deepEqual(c.origin.fieldPos("ack_wait"), { file: "m.yaml", line: 6, col: 19 });
    assert.deepEqual(
      c.origin.fieldPos("backoff"),
      { file: "m.yaml", line: 5, col: 9 },
      "an unset field points at its resource",
    );
  });

  it("reports every problem of every file at once", () => {
    const r = loadSources(
      [
        { path: "a.yaml", text: "streams:\n  - name: A\n    max_agee: 1d\n" },
        {
          path: "b.yaml",
          text: "streams:\n  - name: B\n    retention: nope\n  - name: C\n    max_age: 60\n",
        },
      ],
      {},
    );
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.pos?.file}:${d.pos?.line}`),
      ["a.yaml:3", "b.yaml:3", "b.yaml:5"],
    );
  });

  it("finds duplicates across files, naming both places", () => {
    const r = loadSources(
      [
        { path: "a.yaml", text: "streams:\n  - name: A\n" },
        { path: "b.yaml", text: "key_value:\n  - bucket: x\nstreams:\n  - name: A\n  - name: KV_x\n" },
      ],
      {},
    );
    const msgs = errors(r);
    assert.ok(
      msgs.some((m) => m === "stream A is declared twice: first at a.yaml:2:11; keep one declaration"),
      msgs.join("\n"),
    );
    assert.ok(
      msgs.some((m) => m.startsWith("stream KV_x is the same stream as KV bucket x at b.yaml:2:13")),
      msgs.join("\n"),
    );
  });

  it("warns about durable consumers that the server deletes when idle", () => {
    const r = load(
      "streams:\n  - name: A\n    consumers:\n      - name: c\n        inactive_threshold: 1h\n",
    );
    const w = r.diagnostics.find((d) => d.code === "semantic.inactive-durable");
    assert.ok(w, "expected a warning");
    assert.equal(w.severity, "warning");
  });
});

describe("finding and reading manifest files", () => {
  const dir = path.join(work, "manifests");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "b.yaml"), "streams: [{ name: B }]\n");
  writeFileSync(path.join(dir, "a.yml"), "streams: [{ name: A }]\n");
  writeFileSync(path.join(dir, "notes.txt"), "not a manifest");
  writeFileSync(path.join(work, "jsplan.yaml"), "streams: [{ name: DEFAULT }]\n");

  const read = (paths: string[], cwd = work, stdin = "") =>
    loadManifests(paths, { cwd, env: {}, readStdin: async () => Buffer.from(stdin) });

  it("reads a directory's *.yaml and *.yml files in name order", async () => {
    const r = await read(["manifests"]);
    assert.deepEqual(
      r.files.map((f) => f.path),
      [path.join("manifests", "a.yml"), path.join("manifests", "b.yaml")],
    );
    assert.deepEqual(
      r.desired!.streams.map((s) => s.name),
      ["A", "B"],
    );
  });

  it("uses jsplan.yaml when no path is given", async () => {
    const r = await read([]);
    assert.deepEqual(
      r.desired!.streams.map((s) => s.name),
      ["DEFAULT"],
    );
  });

  it("says what to do when there is no jsplan.yaml", async () => {
    const r = await read([], dir);
    assert.match(r.diagnostics[0]!.message, /no manifest given and jsplan.yaml not found/);
  });

  it("reads - from standard input", async () => {
    const r = await read(["-"], work, "streams: [{ name: FROM_STDIN }]\n");
    assert.equal(r.files[0]!.path, "<stdin>");
    assert.equal(r.desired!.streams[0]!.name, "FROM_STDIN");
  });

  it("reads the same file once when it is given twice", async () => {
    const r = await read(["jsplan.yaml", "./jsplan.yaml"]);
    assert.equal(r.files.length, 1);
  });

  it("names a missing file", async () => {
    const r = await read(["nope.yaml"]);
    assert.equal(r.diagnostics[0]!.message, "no such file or directory: nope.yaml");
  });

  it("refuses a 50 MB file without reading it", async () => {
    const big = path.join(work, "big.yaml");
    const fd = openSync(big, "w");
    ftruncateSync(fd, 50 * 1024 * 1024);
    closeSync(fd);
    const t0 = performance.now();
    const r = await read(["big.yaml"]);
    assert.match(r.diagnostics[0]!.message, /the file is 50 MiB; manifests larger than 32 MiB are refused/);
    assert.ok(performance.now() - t0 < 5000);
  });

  it("refuses a binary file", async () => {
    writeFileSync(path.join(work, "bin.yaml"), Buffer.from([0x00, 0x01, 0xff, 0xfe]));
    const r = await read(["bin.yaml"]);
    assert.match(r.diagnostics[0]!.message, /not UTF-8 text/);
  });

  it("refuses a directory without manifests", async () => {
    mkdirSync(path.join(work, "empty"), { recursive: true });
    const r = await read(["empty"]);
    assert.match(r.diagnostics[0]!.message, /no \*\.yaml or \*\.yml files in the directory empty/);
  });
});

describe("hostile input", () => {
  it("handles deep nesting with a message, not a crash", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const r = load(`streams: ${deep}\n`);
    assert.ok(
      errors(r).some((m) => /nested/.test(m)),
      errors(r).join("\n"),
    );
  });

  it("handles a huge scalar", () => {
    const r = load(`streams:\n  - name: ${"A".repeat(5_000_000)}\n`);
    assert.ok(errors(r).length > 0);
  });

  it("never prints a stack trace for bad input", async () => {
    const r = await runCli(["validate", "-"], { stdin: "streams: [[[", cwd: work });
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
