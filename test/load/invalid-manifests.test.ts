// The corpus of invalid manifests: one behaviour each, with the exact place and message `validate` must
// report, written in the file's first line(s) as `# expect: LINE:COL ADDRESS | MESSAGE`.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../support/cli.js";
import { FIXTURES } from "../support/paths.js";

const dir = path.join(FIXTURES, "invalid");

interface Expectation {
  line: number;
  col: number;
  address: string | null;
  message: string;
}

function expectations(file: string): Expectation[] {
  const text = readFileSync(path.join(dir, file), "utf8");
  const out: Expectation[] = [];
  for (const m of text.matchAll(/^# expect: (\d+):(\d+) ?([^|]*?) ?\| (.*)$/gm)) {
    out.push({ line: Number(m[1]), col: Number(m[2]), address: m[3]!.trim() || null, message: m[4]!.trim() });
  }
  return out;
}

describe("validate rejects each invalid manifest with its place and message", () => {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  it("has a corpus of at least 40 manifests", () => {
    assert.ok(files.length >= 40, `only ${files.length} invalid manifests`);
  });
  for (const file of files) {
    it(file, async () => {
      const expected = expectations(file);
      assert.ok(expected.length > 0, `${file} has no "# expect:" line`);
      const r = await runCli(["validate", file, "--format", "json"], { cwd: dir, env: {} });
      assert.equal(r.code, 1, `exit code of ${file}\n${r.stdout}${r.stderr}`);
      const body = JSON.parse(r.stdout) as {
        valid: boolean;
        diagnostics: Array<{
          severity: string;
          file: string;
          line: number;
          column: number;
          address: string | null;
          message: string;
        }>;
      };
      assert.equal(body.valid, false);
      const errors = body.diagnostics.filter((d) => d.severity === "error");
      for (const e of expected) {
        const hit = errors.find(
          (d) =>
            d.file === file &&
            d.line === e.line &&
            d.column === e.col &&
            d.address === e.address &&
            d.message.includes(e.message),
        );
        assert.ok(
          hit,
          `expected ${e.line}:${e.col} ${e.address ?? "-"} "${e.message}"\ngot:\n${errors.map((d) => `  ${d.line}:${d.column} ${d.address ?? "-"} ${d.message}`).join("\n")}`,
        );
      }
      assert.equal(
        errors.length,
        expected.length,
        `one behaviour per file; got:\n${errors.map((d) => `  ${d.line}:${d.column} ${d.message}`).join("\n")}`,
      );
      // The text form says the same, as file:line:column  address  message.
      const text = await runCli(["validate", file], { cwd: dir, env: {} });
      assert.equal(text.code, 1);
      const first = expected[0]!;
      assert.match(text.stderr, new RegExp(`^${escapeRegExp(`${file}:${first.line}:${first.col}`)}  `, "m"));
      assert.match(text.stderr, /✗ \d+ errors? in 1 file/);
      assert.doesNotMatch(text.stderr + text.stdout, /\n\s+at .*\(/, "no stack traces");
    });
  }
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
