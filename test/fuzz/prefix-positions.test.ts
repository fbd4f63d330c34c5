// The fast path places problems from `yaml` parses of prefixes of a file, only as long as the positions
// asked for need. In a file larger than the first prefix, every diagnostic must be exactly where the whole
// file's `yaml` parse puts it: problems at random resources (unknown keys, wrong types, missing names,
// overlapping subjects), in block and flow style, with several documents, and with the last resource cut
// short. The reference is the same text with `# ${}` appended, which sends the file down the `yaml` path.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { loadSources } from "../../src/load/load.js";
import { fcParams } from "./support.js";

type Flaw = "none" | "unknown-key" | "type" | "no-name" | "overlap" | "missing-field";

function streamText(i: number, flaw: Flaw, flow: boolean): string {
  const name = `S${i}`;
  const subject = flaw === "overlap" ? "shared.>" : `s${i}.>`;
  const fields = [
    ...(flaw === "no-name" ? [] : [`name: ${name}`]),
    `subjects: [${subject}]`,
    flaw === "unknown-key" ? "max_agee: 1d" : flaw === "type" ? "max_msgs: lots" : "max_age: 1d",
    ...(flaw === "missing-field" ? ["consumers: [{ack_policy: explicit}]"] : []),
  ];
  if (flow) return `  - {${fields.join(", ")}}\n`;
  return `  - ${fields.join("\n    ")}\n`;
}

function manifest(flaws: Map<number, Flaw>, streams: number, docs: number, flowEvery: number): string {
  const parts: string[] = [];
  const perDoc = Math.ceil(streams / docs);
  for (let d = 0; d < docs; d++) {
    let text = d === 0 ? "version: 1\nstreams:\n" : "---\nversion: 1\nstreams:\n";
    for (let i = d * perDoc; i < Math.min(streams, (d + 1) * perDoc); i++)
      text += streamText(i, flaws.get(i) ?? "none", flowEvery > 0 && i % flowEvery === 0);
    parts.push(text);
  }
  return parts.join("");
}

describe("positions from prefixes of a large file", () => {
  it("are those of the whole file's parse", () => {
    const flaw = fc.constantFrom<Flaw>("unknown-key", "type", "no-name", "overlap", "missing-field");
    fc.assert(
      fc.property(
        fc.integer({ min: 1500, max: 5000 }),
        fc.array(fc.tuple(fc.nat(), flaw), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(0, 7),
        (streams, picks, docs, flowEvery) => {
          const flaws = new Map(picks.map(([at, f]) => [at % streams, f] as const));
          // Near the end as well: the last resources are where a prefix ends.
          flaws.set(streams - 1, picks[0]![1]);
          const text = manifest(flaws, streams, docs, flowEvery);
          assert.ok(text.length > 64 * 1024, "the file is larger than the first prefix");
          const fast = loadSources([{ path: "m.yaml", text }], {});
          const whole = loadSources([{ path: "m.yaml", text: `${text}# \${}\n` }], {});
          assert.deepEqual(fast.diagnostics, whole.diagnostics);
          assert.ok(fast.diagnostics.length > 0);
        },
      ),
      fcParams(20),
    );
  });
});
