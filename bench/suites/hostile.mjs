// validate and plan of the hostile input shapes (bench/hostile-shapes.mjs), each against validate (or plan)
// of a plain manifest of about the same size, in the same run: a shape that costs what its size costs has a
// ratio near 1. plan runs against an empty server (everything to create).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { plainOfSize, SHAPES } from "../hostile-shapes.mjs";
import { jsplanBin, median, timeCommand } from "../lib.mjs";
import { startBenchServer } from "../server.mjs";

const env = { ...process.env, NATS_CONTEXT: "", NATS_URL: "", CI: "1" };

export async function run({ runs }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-bench-hostile-"));
  const server = await startBenchServer();
  const rows = [];
  try {
    for (const [i, shape] of SHAPES.entries()) {
      const text = shape.text();
      const file = path.join(dir, `shape${i}.yaml`);
      const plain = path.join(dir, `plain${i}.yaml`);
      writeFileSync(file, text);
      writeFileSync(plain, plainOfSize(text.length));
      const n = Math.min(runs, 3);
      const mb = `${(text.length / 1e6).toFixed(1)} MB`;
      const codes = shape.valid ? [0] : [1];
      const t = timeCommand(process.execPath, [jsplanBin, "validate", file], { runs: n, expectCodes: codes });
      const base = timeCommand(process.execPath, [jsplanBin, "validate", plain], { runs: n });
      rows.push({
        name: `validate, ${shape.name}`,
        median: median(t),
        baseline: `validate, plain manifest of ${mb}`,
        baselineMedian: median(base),
        peakMb: t.peakMb,
        goal: "< 2 s",
        met: median(t) < 2000,
      });
      if (!shape.valid) continue;
      const p = timeCommand(process.execPath, [jsplanBin, "plan", file, "-s", server.url], { runs: n, env });
      const pBase = timeCommand(process.execPath, [jsplanBin, "plan", plain, "-s", server.url], {
        runs: n,
        env,
      });
      rows.push({
        name: `plan, ${shape.name}`,
        median: median(p),
        baseline: `plan, plain manifest of ${mb}`,
        baselineMedian: median(pBase),
        peakMb: p.peakMb,
        goal: "< 2 s",
        met: median(p) < 2000,
      });
    }
  } finally {
    server.stop();
  }
  return rows;
}
