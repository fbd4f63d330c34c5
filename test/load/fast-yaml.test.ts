// The fast path (js-yaml) must read every manifest exactly as the `yaml` path does; it falls back to the
// `yaml` path for interpolation, errors and alias bombs, and computes positions only when asked.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import { loadYamlFile } from "../../src/load/fast-yaml.js";
import { parseYamlFile } from "../../src/load/yaml-document.js";

function both(text: string) {
  const source = { path: "m.yaml", text };
  const fast = loadYamlFile(source, {});
  const slow = parseYamlFile(source, {});
  return { fast, slow };
}

function values(r: ReturnType<typeof both>["fast"]) {
  return r.documents.map((d) => [d.index, d.value]);
}

const SCALARS = [
  "0",
  "-0",
  "+1",
  "010",
  "1_000",
  "0b1010",
  "+0x10",
  "0x1F",
  "0o17",
  "0o19",
  "1e3",
  "1E+3",
  ".5",
  "-.5",
  "1.",
  "+.inf",
  "-.INF",
  ".NaN",
  ".nan",
  "Infinity",
  "yes",
  "no",
  "on",
  "off",
  "true",
  "True",
  "TRUE",
  "tRue",
  "~",
  "null",
  "Null",
  "NULL",
  "nul",
  "",
  "2024-01-01",
  "2024-01-01T00:00:00Z",
  "'quoted'",
  '"double"',
  "30s",
  "1h30m",
  "10GiB",
  "orders.>",
  "$KV.x.>",
  "a: b",
  "[1, 2]",
  "{a: 1}",
];

describe("the fast YAML path", () => {
  for (const s of SCALARS) {
    it(`reads the plain scalar ${JSON.stringify(s)} as the yaml library does`, () => {
      const { fast, slow } = both(`value: ${s}\nlist: [${s || "x"}]\n`);
      assert.deepEqual(values(fast), values(slow));
    });
  }

  it("reads anchors, aliases and merge keys as the yaml library does", () => {
    const text =
      "x-base: &base\n  storage: memory\n  tags: [a, b]\nstreams:\n  - name: A\n    <<: *base\n    storage: file\n  - name: B\n    <<: [*base]\n    placement: *base\n";
    const { fast, slow } = both(text);
    assert.deepEqual(values(fast), values(slow));
  });

  it("reads multi-document files as the yaml library does, skipping empty documents", () => {
    const { fast, slow } = both("---\na: 1\n---\n---\nb: [1, {c: 2}]\n...\n");
    assert.deepEqual(values(fast), values(slow));
  });

  it("reads generated documents as the yaml library does", () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie("value"), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, fc.constantFrom("block", "flow"), (v, style) => {
        const text = stringify({ root: v }, { collectionStyle: style === "flow" ? "flow" : "any" });
        fc.pre(!text.includes("${"));
        const { fast, slow } = both(text);
        assert.deepEqual(values(fast), values(slow));
      }),
      { numRuns: 300 },
    );
  });

  it("gives positions that match the yaml path's", () => {
    const text =
      "streams:\n  - name: A\n    max_age: 3600\n    consumers:\n      - name: c\n        ack_wait: 5s\n";
    const { fast, slow } = both(text);
    for (const path of [
      ["streams", 0, "max_age"],
      ["streams", 0, "consumers", 0, "ack_wait"],
      ["streams", 0, "nope"],
    ]) {
      assert.deepEqual(
        fast.documents[0]!.positions.positionOf(path),
        slow.documents[0]!.positions.positionOf(path),
      );
    }
    assert.deepEqual(fast.documents[0]!.positions.positionOf(["streams", 0, "max_age"], "key"), {
      file: "m.yaml",
      line: 3,
      col: 5,
    });
  });

  it("leaves interpolation, syntax errors and alias bombs to the yaml path", () => {
    const bomb = `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`;
    assert.match(
      loadYamlFile({ path: "m.yaml", text: bomb }, {}).diagnostics[0]?.message ?? "",
      /aliases expand/,
    );
    assert.equal(loadYamlFile({ path: "m.yaml", text: "a: [" }, {}).diagnostics[0]?.code, "yaml.syntax");
    assert.deepEqual(loadYamlFile({ path: "m.yaml", text: "n: ${N:-3}\n" }, {}).documents[0]?.value, {
      n: 3,
    });
  });
});
