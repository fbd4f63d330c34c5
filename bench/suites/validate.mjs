// `jsplan validate` on a generated manifest of 1,000 streams with 10 consumers each, against the floor of
// reading and parsing the same YAML with the yaml library alone; and `jsplan --version` start-up against
// a bare `node -e 0`.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { manifestText } from "../generate.mjs";
import { jsplanBin, median, root, timeCommand } from "../lib.mjs";

export async function run({ runs }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-bench-"));
  const file = path.join(dir, "m1000x10.yaml");
  writeFileSync(file, manifestText(1000, 10));
  const yamlFloor = path.join(dir, "parse-only.mjs");
  writeFileSync(
    yamlFloor,
    `import { readFileSync } from "node:fs";\nimport { parseAllDocuments } from ${JSON.stringify(path.join(root, "node_modules/yaml/dist/index.js"))};\nparseAllDocuments(readFileSync(process.argv[2], "utf8"));\n`,
  );
  const validate = median(timeCommand(process.execPath, [jsplanBin, "validate", file], { runs }));
  const parseOnly = median(timeCommand(process.execPath, [yamlFloor, file], { runs }));
  const version = median(timeCommand(process.execPath, [jsplanBin, "--version"], { runs: runs * 2 }));
  const bare = median(timeCommand(process.execPath, ["-e", "0"], { runs: runs * 2 }));
  return [
    {
      name: "validate 1,000 streams × 10 consumers",
      median: validate,
      baseline: "yaml parse only",
      baselineMedian: parseOnly,
      goal: "< 1 s",
      met: validate < 1000,
    },
    {
      name: "jsplan --version start-up",
      median: version,
      baseline: "node -e 0",
      baselineMedian: bare,
      goal: "< 150 ms",
      met: version < 150,
    },
  ];
}
