// `jsplan validate` on generated manifests, against the floor of parsing the same YAML with the yaml
// library alone (what any YAML-based validator pays before it checks anything).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { manifestText } from "../generate.mjs";
import { jsplanBin, median, root, timeCommand } from "../lib.mjs";

export async function run({ runs, sizes }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-bench-"));
  const floor = path.join(dir, "parse-only.mjs");
  writeFileSync(
    floor,
    `import { readFileSync } from "node:fs";\nimport { parseAllDocuments } from ${JSON.stringify(path.join(root, "node_modules/yaml/dist/index.js"))};\nparseAllDocuments(readFileSync(process.argv[2], "utf8"));\n`,
  );
  const rows = [];
  for (const size of sizes) {
    const file = path.join(dir, `m${size}.yaml`);
    writeFileSync(file, manifestText(size, 10));
    const n = size >= 5000 ? Math.min(runs, 3) : runs;
    const t = timeCommand(process.execPath, [jsplanBin, "validate", file], { runs: n });
    const base = timeCommand(process.execPath, [floor, file], { runs: n });
    const m = median(t);
    rows.push({
      name: `validate, ${size.toLocaleString("en")} × 10`,
      median: m,
      baseline: "yaml library parse only",
      baselineMedian: median(base),
      peakMb: t.peakMb,
      ...(size === 1000 ? { goal: "< 1 s", met: m < 1000 } : {}),
    });
  }
  return rows;
}
