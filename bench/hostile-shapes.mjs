// The input shapes that used to make validate quadratic, at the sizes of the speed issue, and a plain
// manifest of about the same size to compare each with.
import { manifestText } from "./generate.mjs";

export const SHAPES = [
  {
    name: "one stream with 100,000 subjects",
    valid: true,
    text: () =>
      `version: 1\nowner: bench\nstreams:\n  - name: S\n    subjects:\n${Array.from({ length: 100_000 }, (_, i) => `      - s.${i}.x\n`).join("")}`,
  },
  {
    name: "a chain of 20,000 sourced streams",
    valid: true,
    text: () =>
      `version: 1\nowner: bench\nstreams:\n  - name: S0\n    subjects: [a.>]\n${Array.from({ length: 19_999 }, (_, i) => `  - name: S${i + 1}\n    sources: [{name: S${i}}]\n`).join("")}`,
  },
  {
    name: "10,000 consumers on one stream",
    valid: true,
    text: () =>
      `version: 1\nowner: bench\nstreams:\n  - name: S\n    subjects: [a.>]\n    consumers:\n${Array.from({ length: 10_000 }, (_, i) => `      - name: c${i}\n        ack_policy: explicit\n        filter_subject: a.${i}\n`).join("")}`,
  },
  {
    name: "300,000 errors (a misspelt key in each of 300,000 streams)",
    valid: false,
    text: () =>
      `version: 1\nowner: bench\nstreams:\n${Array.from({ length: 300_000 }, (_, i) => `  - name: S${i}\n    subjets: [s${i}.>]\n`).join("")}`,
  },
];

/** A plain valid manifest (streams with 10 consumers) of about `bytes` bytes. */
export function plainOfSize(bytes) {
  const perStream = manifestText(10, 10).length / 10;
  return manifestText(Math.max(1, Math.round(bytes / perStream)), 10);
}
