// Shared pieces of the input-side fuzz tests: how many cases to run, the valid manifests that mutations start
// from, and the properties every run of `jsplan validate` or `jsplan plan` must have whatever the input.
//
//   JSPLAN_FUZZ_RUNS=N   cases of each in-process property (default 200); the costlier properties (server
//                        plans, child processes) scale with it. `JSPLAN_FUZZ_RUNS=5000` is a deep run.
//   JSPLAN_FUZZ_SEED=S   replay a failing run (fast-check prints the seed and path of a counterexample;
//   JSPLAN_FUZZ_PATH=P   with the path, only the shrunk counterexample runs).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Parameters } from "fast-check";
import type { CliResult } from "../support/cli.js";
import { FIXTURES, REPO_ROOT } from "../support/paths.js";

const DEFAULT_RUNS = 200;

/** The number of cases for a property that costs `weight` times a cheap one (at least 1). */
export function runs(weight = 1): number {
  const n = Number(process.env.JSPLAN_FUZZ_RUNS);
  const base = Number.isFinite(n) && n > 0 ? n : DEFAULT_RUNS;
  return Math.max(1, Math.round(base / weight));
}

/** fast-check parameters: the run count, and the seed to replay when one is given. */
export function fcParams<T>(weight = 1, extra: Parameters<T> = {}): Parameters<T> {
  const seed = Number(process.env.JSPLAN_FUZZ_SEED);
  return {
    numRuns: runs(weight),
    // The failing assertion's message (what differed, the input) in the report, not only the shrunk value.
    includeErrorInReport: true,
    ...(Number.isInteger(seed) ? { seed } : {}),
    ...(Number.isInteger(seed) && process.env.JSPLAN_FUZZ_PATH ? { path: process.env.JSPLAN_FUZZ_PATH } : {}),
    ...extra,
  };
}

/** Valid manifests to mutate: the fixtures and the example, with their `${VAR}` filled in. */
export function validBases(): Array<{ name: string; text: string }> {
  const files = [
    path.join(FIXTURES, "valid", "every-field.yaml"),
    path.join(REPO_ROOT, "examples", "streams.yaml"),
  ];
  return files.map((f) => ({
    name: path.basename(f),
    text: readFileSync(f, "utf8").replace(/\$\{([A-Z_]+):-([^}]*)\}/g, "$2"),
  }));
}

/** Text a crash leaves behind: a stack frame, an engine error name, our own "internal error". */
const CRASH =
  /^\s+at .+(?:\(|:\d+:\d+)|\b(?:TypeError|RangeError|ReferenceError|SyntaxError|EvalError)\b|Maximum call stack|internal error|FATAL ERROR|heap out of memory/m;

/** A CLI run that did not crash: the exit code is one the contract allows and no error text leaked. */
export function assertNoCrash(r: CliResult, codes: readonly number[], context: string): void {
  const out = `${r.stderr}\n${r.stdout}`;
  assert.ok(
    codes.includes(r.code),
    `exit code ${r.code}, expected one of ${codes.join(", ")}\n${context}\n${clipForReport(out)}`,
  );
  const crash = CRASH.exec(out);
  assert.equal(crash, null, `crash text "${crash?.[0]}" in the output\n${context}\n${clipForReport(out)}`);
}

export interface JsonDiagnostic {
  severity: string;
  file: string | null;
  line: number | null;
  column: number | null;
  address: string | null;
  message: string;
  code: string;
}

/**
 * `validate --format json` output: valid JSON whose verdict matches the exit code, and every error says
 * where it is: a file, line and column, or at least the resource's address.
 */
export function assertLocatedJson(r: CliResult, context: string): JsonDiagnostic[] {
  let body: { valid: boolean; diagnostics: JsonDiagnostic[] };
  try {
    body = JSON.parse(r.stdout) as typeof body;
  } catch (err) {
    assert.fail(
      `validate --format json printed no JSON (${String(err)})\n${context}\n${clipForReport(r.stdout)}`,
    );
  }
  assert.equal(body.valid, r.code === 0, `"valid" disagrees with exit code ${r.code}\n${context}`);
  const errors = body.diagnostics.filter((d) => d.severity === "error");
  if (r.code === 1) assert.ok(errors.length > 0, `exit 1 without an error diagnostic\n${context}`);
  for (const d of body.diagnostics) {
    const located = (d.file !== null && d.line !== null && d.column !== null) || d.address !== null;
    assert.ok(located, `a diagnostic without a place: ${JSON.stringify(d)}\n${context}`);
    if (d.line !== null) assert.ok(d.line >= 1 && d.column !== null && d.column >= 1, JSON.stringify(d));
    assert.ok(d.message.length > 0 && d.message.length <= 1000, `message length ${d.message.length}`);
  }
  return body.diagnostics;
}

/** Text output of a failed validate or plan: every line but the summary starts with file:line:col. */
export function assertLocatedText(stderr: string, file: string, context: string): void {
  const lines = stderr.split("\n").filter((l) => l !== "");
  for (const line of lines) {
    if (/^✗ /.test(line)) continue;
    assert.ok(
      line.startsWith(`${file}:`) && /^[^\n]*?:\d+:\d+ {2}/.test(line),
      `a message line that does not start with ${file}:LINE:COL: ${JSON.stringify(line.slice(0, 300))}\n${context}`,
    );
  }
}

/** Long inputs and outputs in assertion messages are cut to what a person reads. */
export function clipForReport(text: string, max = 4000): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n…(${text.length - max} more characters)`;
}
