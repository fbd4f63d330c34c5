// Differential fuzzing of the two YAML readers: the js-yaml fast path (fast-yaml.ts) must give exactly what
// the `yaml` path (yaml-document.ts) gives — the same documents with the same indexes, values and key order,
// and the same diagnostics — for any text: generated YAML in every style, mutations of valid manifests,
// alias bombs and deep nesting under small limits. `${VAR}` filled into a plain scalar must read as the
// same text written out.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { loadYamlFile } from "../../src/load/fast-yaml.js";
import { PositionIndex } from "../../src/load/position-index.js";
import { parseYamlFile } from "../../src/load/yaml-document.js";
import type { ParseLimits } from "../../src/load/yaml-limits.js";
import { mutate, mutation, scalarText, yamlText } from "./generators.js";
import { clipForReport, fcParams, validBases } from "./support.js";

type Result = ReturnType<typeof parseYamlFile>;

/** Everything a reader's result says, as text: key order counts, so does -0, NaN and Infinity. */
function show(r: Result): string {
  return JSON.stringify(
    { documents: r.documents.map((d) => [d.index, d.value]), diagnostics: r.diagnostics },
    (_k, v) => (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? `number:${v}` : v),
  );
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 200);
  return `fast: …${a.slice(from, i + 300)}\nyaml: …${b.slice(from, i + 300)}`;
}

function assertSame(text: string, limits?: ParseLimits, env: Record<string, string> = {}): Result {
  const source = { path: "m.yaml", text };
  const fast = loadYamlFile(source, env, limits);
  const slow = parseYamlFile(source, env, limits);
  const a = show(fast);
  const b = show(slow);
  if (a !== b) {
    assert.fail(
      `the fast path and the yaml path disagree${limits ? ` (limits ${JSON.stringify(limits)})` : ""}\n--- text ---\n${clipForReport(JSON.stringify(text))}\n${firstDifference(a, b)}`,
    );
  }
  return fast;
}

const smallLimits: fc.Arbitrary<ParseLimits> = fc.record({
  maxAliasNodes: fc.integer({ min: 0, max: 60 }),
  maxDepth: fc.integer({ min: 0, max: 8 }),
});

describe("the fast YAML path reads every text as the yaml path does", () => {
  it("generated YAML with ${X} set to values of every type (plain scalars are re-typed, quoted ones not)", () => {
    const value = fc.constantFrom(
      "3",
      "-1.5",
      "true",
      "null",
      "~",
      "",
      "a b",
      "x: y",
      "#c",
      "[1]",
      "${Y}",
      "0x1F",
    );
    fc.assert(
      fc.property(yamlText, value, (text, x) => {
        assertSame(text, undefined, { X: x });
      }),
      fcParams(0.5),
    );
  });
  it("generated YAML in block and flow styles, with anchors, merges, tags and comments", () => {
    fc.assert(
      fc.property(yamlText, (text) => {
        assertSame(text);
      }),
      fcParams(0.25),
    );
  });

  it("generated YAML under small alias budgets and depth limits", () => {
    fc.assert(
      fc.property(yamlText, smallLimits, (text, limits) => {
        assertSame(text, limits);
      }),
      fcParams(0.25),
    );
  });

  it("valid manifests with characters inserted, deleted and replaced, lines moved and re-indented", () => {
    const bases = validBases();
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (base, mutations) => {
          assertSame(mutate(base.text, mutations));
        },
      ),
      fcParams(0.5),
    );
  });

  it("takes the fast path for the valid manifests (it must not leave every file to the yaml path)", () => {
    for (const base of validBases()) {
      const r = assertSame(base.text);
      assert.ok(r.documents.length > 0, base.name);
      for (const d of r.documents) {
        assert.ok(!(d.positions instanceof PositionIndex), `${base.name} was read by the yaml path`);
      }
    }
  });

  it("alias bombs, self-references and merge chains, under the default and small limits", () => {
    const texts = [
      "a: &a [1, 2]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: [*c, *c, *c]\n",
      "a: &a {x: 1, y: [1, 2]}\nb: {<<: *a, z: 1}\nc: {<<: [*a, {w: 2}], x: 3}\n",
      "a: &a [*a]\n",
      "a: &a {<<: *a}\n",
      "l: &l [{a: 1}, {b: 2}]\nm: {<<: *l}\n",
      "l: &l [{a: 1}, [1]]\nm: {<<: *l}\n",
      "s: &s 1\nt: [*s, *s, *s, *s, *s, *s]\n",
      "---\na: &a [1, 2, 3]\nb: [*a, *a]\n---\na: &a [1, 2, 3]\nb: [*a, *a]\n",
      "a: &a [[[[[[1]]]]]]\nb: &b [*a]\nc: [*b]\n",
      "a: &a {k: {k: {k: 1}}}\nb: {<<: *a}\nc: {k: {<<: *a}}\n",
      "a: &a {b: 1}\nc: {<<: *a, <<: *a}\n",
      "a: &a {toString: 1, constructor: 2, __proto__: 3}\nb: {<<: *a}\n",
    ];
    for (const text of texts) {
      assertSame(text);
      for (const maxAliasNodes of [0, 1, 2, 3, 5, 8, 13, 21]) {
        for (const maxDepth of [0, 1, 2, 3, 4, 6]) assertSame(text, { maxAliasNodes, maxDepth });
      }
    }
  });
});

describe("${VAR} in a plain scalar reads as the same text written out", () => {
  it("for numbers, booleans, nulls and strings of every core form", () => {
    const plain = scalarText.filter(
      (s) =>
        s !== "" &&
        s !== "<<" &&
        !/^[-?:,[\]{}#&*!|>'"%@`]|[:#]\s|\s[:#]|\$\{|^\s|\s$|\\/.test(s) &&
        !s.includes(": "),
    );
    fc.assert(
      fc.property(plain, (s) => {
        const written = loadYamlFile({ path: "m.yaml", text: `v: ${s}\n` }, {});
        fc.pre(written.diagnostics.length === 0 && written.documents.length === 1);
        const filled = loadYamlFile({ path: "m.yaml", text: "v: ${X}\n" }, { X: s });
        assert.deepEqual(filled.diagnostics, []);
        assert.deepEqual(filled.documents[0]!.value, written.documents[0]!.value, `X=${JSON.stringify(s)}`);
      }),
      fcParams(0.5),
    );
  });
});
