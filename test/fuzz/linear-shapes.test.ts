// Input shapes that used to make validate quadratic — one stream with 50,000 subjects, a chain of 10,000
// sourced streams, 10,000 consumers on one stream, 50,000 broken resources — must cost about what an
// ordinary manifest of the same size costs. Each is loaded in this process next to a control: a plain valid
// manifest of about as many bytes, loaded in the same test. The bound is generous (ten times the control's
// CPU time, plus two seconds for a loaded machine); something quadratic in these sizes takes far longer.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSources } from "../../src/load/load.js";

function control(bytes: number): string {
  let s = "version: 1\nowner: control\nstreams:\n";
  for (let i = 0; s.length < bytes; i++) {
    s += `  - name: C${i}\n    subjects: [c${i}.>]\n    max_age: 1d\n    consumers:\n`;
    for (let j = 0; j < 4; j++)
      s += `      - name: k${j}\n        ack_policy: explicit\n        filter_subject: c${i}.${j}\n`;
  }
  return s;
}

const SHAPES: Array<{ name: string; text: () => string; errors: boolean }> = [
  {
    name: "one stream with 50,000 subjects",
    text: () =>
      `version: 1\nstreams:\n  - name: S\n    subjects:\n${Array.from({ length: 50_000 }, (_, i) => `      - s.${i}.x\n`).join("")}`,
    errors: false,
  },
  {
    name: "a chain of 10,000 sourced streams",
    text: () =>
      `version: 1\nstreams:\n  - name: S0\n    subjects: [a.>]\n${Array.from({ length: 9_999 }, (_, i) => `  - name: S${i + 1}\n    sources: [{name: S${i}}]\n`).join("")}`,
    errors: false,
  },
  {
    name: "10,000 consumers on one stream",
    text: () =>
      `version: 1\nstreams:\n  - name: S\n    subjects: [a.>]\n    consumers:\n${Array.from({ length: 10_000 }, (_, i) => `      - name: c${i}\n        ack_policy: explicit\n        filter_subject: a.${i}\n`).join("")}`,
    errors: false,
  },
  {
    name: "50,000 streams with a misspelt key each",
    text: () =>
      `version: 1\nstreams:\n${Array.from({ length: 50_000 }, (_, i) => `  - name: S${i}\n    subjets: [s${i}.>]\n`).join("")}`,
    errors: true,
  },
];

function cpuMs(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

describe("hostile input shapes cost what their size costs", () => {
  for (const shape of SHAPES) {
    it(shape.name, () => {
      const text = shape.text();
      const base = control(text.length);
      // Once each first, so that neither pays for loading modules or for the compiler warming up.
      loadSources([{ path: "w.yaml", text: control(20_000) }], {});
      let result: ReturnType<typeof loadSources> | undefined;
      const used = cpuMs(() => {
        result = loadSources([{ path: "m.yaml", text }], {});
      });
      const baseline = cpuMs(() => loadSources([{ path: "c.yaml", text: base }], {}));
      const errors = result!.diagnostics.filter((d) => d.severity === "error").length;
      if (shape.errors) {
        assert.ok(errors > 0 && errors <= 1000, `the first errors are listed (${errors})`);
        assert.equal(errors + (result!.unlisted?.errors ?? 0), 50_000, "and the rest are counted");
      } else assert.equal(errors, 0, JSON.stringify(result!.diagnostics.slice(0, 3)));
      const bound = 10 * baseline + 2000;
      assert.ok(
        used < bound,
        `${shape.name}: ${used.toFixed(0)} ms of CPU, over ${bound.toFixed(0)} ms (10 × ${baseline.toFixed(0)} ms for a plain manifest of ${text.length} bytes, + 2 s)`,
      );
    });
  }
});
