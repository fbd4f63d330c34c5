// Golden files: the expected output is a file in the repository. `UPDATE_GOLDEN=1 npm test` rewrites
// them from the current output; the diff then shows in review what changed.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export function assertGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `golden file ${file} is missing; run UPDATE_GOLDEN=1 npm test to create it`);
  const expected = readFileSync(file, "utf8");
  assert.equal(actual, expected, `output differs from ${file} (UPDATE_GOLDEN=1 rewrites it)`);
}
