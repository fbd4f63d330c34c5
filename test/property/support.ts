// Shared machinery of the property tests against real servers: how many cases, how a failing case is
// reported (seed, path, the shrunk manifests as YAML), a manifest as YAML, the CLI calls with their JSON
// output, and a cheap cleanup between cases.
//
// Replay a failure with the seed and path it prints:
//   JSPLAN_PROPERTY_SEED=<seed> JSPLAN_PROPERTY_PATH=<path> node --test dist/test/property/<file>.test.js
// JSPLAN_PROPERTY_RUNS sets the cases per property and server line (default 25; `npm run test:deep`: 350).

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import fc from "fast-check";
import { stringify } from "yaml";
import type { ApplyResult } from "../../src/apply/result.js";
import { loadSources } from "../../src/load/load.js";
import type { Plan, SavedPlan } from "../../src/model/plan.js";
import { runCli } from "../support/cli.js";
import type { Obj } from "./generators.js";

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not ${raw}`);
  return n;
}

/** Cases per property and server line. */
export const RUNS = envInt("JSPLAN_PROPERTY_RUNS", 25);
/** Cases run to shrink a failure, at most (each one talks to the server, so shrinking is bounded). */
export const SHRINK_BUDGET = envInt("JSPLAN_PROPERTY_SHRINKS", 300);
const SEED = process.env.JSPLAN_PROPERTY_SEED ? Number(process.env.JSPLAN_PROPERTY_SEED) : undefined;
const PATH = process.env.JSPLAN_PROPERTY_PATH || undefined;

/**
 * A node:test timeout for a property of `runs` cases that take at most about `perCaseMs` each on a loaded
 * machine (they take a tenth of that on an idle one), with room for the shrinking of a failure: generous,
 * because the deep run must not time out.
 */
export function timeoutFor(perCaseMs: number, runs = RUNS): number {
  return 60_000 + (runs + SHRINK_BUDGET) * perCaseMs * 2;
}

/** Case numbers are unique in a test process: they name every resource of a case. */
let caseCounter = 0;

export interface CaseContext {
  /** The number of this case, which its names carry. */
  readonly caseNo: number;
  /** Records a manifest (or other input) of the case, printed if the case fails. */
  record(label: string, text: string): void;
}

interface Failure {
  readonly caseNo: number;
  readonly inputs: ReadonlyArray<readonly [string, string]>;
  readonly error: unknown;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/**
 * Runs a property over `arb` with `body` for every case. On failure it throws an error that names the seed
 * and path (to replay), the shrunk case's inputs (its manifests, as YAML) and the error. Shrinking is
 * bounded by SHRINK_BUDGET cases: beyond that, every candidate counts as passing, which ends the shrinking
 * with the smallest failure found so far.
 */
export async function runProperty<T>(
  arb: fc.Arbitrary<T>,
  body: (value: T, ctx: CaseContext) => Promise<void>,
  options: {
    runs?: number;
    /** Runs when the property failed, before the report (e.g. keeping the server's log). */
    onFailure?: () => Promise<unknown>;
    /** The test to replay: its server line and compiled file, for the replay command. */
    replay?: { line: string; file: string };
  } = {},
): Promise<{ cases: number }> {
  let last: Failure | undefined;
  let afterFailure = 0;
  let cases = 0;
  const property = fc.asyncProperty(arb, async (value) => {
    if (last) {
      afterFailure++;
      if (afterFailure > SHRINK_BUDGET) return;
    }
    cases++;
    caseCounter++;
    const inputs: Array<[string, string]> = [];
    const ctx: CaseContext = { caseNo: caseCounter, record: (label, text) => inputs.push([label, text]) };
    try {
      await body(value, ctx);
    } catch (error) {
      last = { caseNo: ctx.caseNo, inputs, error };
      throw error;
    }
  });
  const details = await fc.check(property, {
    numRuns: options.runs ?? RUNS,
    ...(SEED !== undefined ? { seed: SEED } : {}),
    ...(PATH !== undefined ? { path: PATH } : {}),
  });
  if (details.failed) {
    await options.onFailure?.().catch(() => undefined);
    const lines = [
      `property failed after ${details.numRuns} case(s), shrunk ${details.numShrinks} time(s)`,
      `replay: ${options.replay ? `JSPLAN_TEST_SERVERS=${options.replay.line} ` : ""}JSPLAN_PROPERTY_SEED=${details.seed} JSPLAN_PROPERTY_PATH=${details.counterexamplePath ?? ""}${options.replay ? ` node --test ${options.replay.file}` : ""}`,
    ];
    if (last) {
      lines.push(`shrunk case ${last.caseNo}:`);
      for (const [label, text] of last.inputs) lines.push(`--- ${label} ---`, text.trimEnd());
      lines.push("--- error ---", messageOf(last.error));
    } else {
      lines.push(`error: ${messageOf(details.errorInstance)}`);
    }
    assert.fail(lines.join("\n"));
  }
  return { cases };
}

// --- manifests -------------------------------------------------------------------------------------------

/** `${` is interpolation in a manifest; `$${` is a literal `${`. */
function escapeStrings(v: unknown): unknown {
  if (typeof v === "string") return v.replaceAll("${", () => "$${");
  if (Array.isArray(v)) return v.map(escapeStrings);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v as Obj).map(([k, x]) => [k, escapeStrings(x)]));
  }
  return v;
}

/** A manifest as the YAML a user would write (strings that look like `${X}` escaped). */
export function yamlOf(manifest: Obj): string {
  return stringify(escapeStrings(manifest), { lineWidth: 0 });
}

/** Loads a manifest as jsplan's loader does; fails (the generator is wrong, or the validator) on any error. */
export function assertLoads(text: string) {
  const loaded = loadSources([{ path: "manifest.yaml", text }], {});
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  assert.ok(
    loaded.desired && errors.length === 0,
    `jsplan's loader rejects the generated manifest (fix the generator, or jsplan's validator):\n${errors
      .map((d) => `  ${d.pos ? `${d.pos.line}:${d.pos.col} ` : ""}${d.address ?? ""} ${d.message}`)
      .join("\n")}`,
  );
  return loaded.desired!;
}

// --- the CLI ---------------------------------------------------------------------------------------------

export interface ApplyOutput extends ApplyResult {
  readonly plan_summary: Plan["summary"];
}

export interface ApplyRun {
  readonly code: number;
  readonly result: ApplyOutput | undefined;
  readonly output: string;
}

async function applyJson(args: readonly string[], stdin?: string): Promise<ApplyRun> {
  const r = await runCli(args, stdin === undefined ? {} : { stdin });
  let result: ApplyOutput | undefined;
  try {
    result = JSON.parse(r.stdout) as ApplyOutput;
  } catch {
    result = undefined;
  }
  return { code: r.code, result, output: `${r.stderr}${r.stdout}` };
}

/** `jsplan apply - --auto-approve --format json [args]` with the manifest on stdin. */
export function applyText(url: string, manifest: string, args: readonly string[] = []): Promise<ApplyRun> {
  return applyJson(["apply", "-", "-s", url, "--auto-approve", "--format", "json", ...args], manifest);
}

/** A readable account of failed steps and silent adjustments. */
export function describeApply(run: ApplyRun): string {
  if (!run.result) return `exit ${run.code}:\n${run.output}`;
  const lines = [`exit ${run.code}; ${JSON.stringify(run.result.summary)}`];
  for (const r of run.result.results) {
    if (r.status !== "succeeded") {
      lines.push(
        `  ${r.action} ${r.address}: ${r.status}${r.error ? ` — ${r.error.code ?? ""} ${r.error.description}` : ""}${r.reason ? ` (${r.reason})` : ""}${r.changed ? ` (${r.changed.join("; ")})` : ""}`,
      );
    }
    for (const a of r.adjusted ?? []) {
      lines.push(
        `  ${r.action} ${r.address}: the server stored ${a.path} as ${JSON.stringify(a.stored)}, not ${JSON.stringify(a.sent)}`,
      );
    }
  }
  if (run.code !== 0 && run.result.results.every((r) => r.status === "succeeded")) lines.push(run.output);
  return lines.join("\n");
}

/**
 * The apply succeeded, every step succeeded, and the server stored what was sent: no step reports a silent
 * adjustment (which would be a false warning, or a difference the next plan shows).
 */
export function assertApplied(run: ApplyRun, context: string): void {
  const ok =
    run.code === 0 &&
    run.result !== undefined &&
    run.result.results.every((r) => r.status === "succeeded" && !r.adjusted?.length);
  assert.ok(ok, `${context}: ${describeApply(run)}`);
}

export type Saved = { ok: true; file: string; plan: SavedPlan } | { ok: false; output: string };

/** `jsplan plan - --out FILE`: the saved plan (the exact plan that `apply --plan` carries out), or why not. */
export async function savePlan(url: string, manifest: string, dir: string): Promise<Saved> {
  const file = path.join(dir, `plan-${process.hrtime.bigint()}.json`);
  const r = await runCli(["plan", "-", "-s", url, "--out", file, "--no-color"], { stdin: manifest });
  if (r.code !== 0 && r.code !== 2) return { ok: false, output: `exit ${r.code}:\n${r.stderr}${r.stdout}` };
  return { ok: true, file, plan: JSON.parse(await readFile(file, "utf8")) as SavedPlan };
}

/** `jsplan apply --plan FILE --auto-approve --allow-destroy --format json`. */
export function applySaved(url: string, file: string): Promise<ApplyRun> {
  return applyJson([
    "apply",
    "--plan",
    file,
    "-s",
    url,
    "--auto-approve",
    "--allow-destroy",
    "--format",
    "json",
  ]);
}

/** A temporary folder for the duration of `fn`. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "jsplan-property-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The acting changes of a plan, readable. */
export function describePlan(plan: Plan): string {
  const lines = plan.changes
    .filter((c) => c.action !== "no-op")
    .map(
      (c) =>
        `  ${c.action} ${c.address}${c.diff.length ? `: ${c.diff.map((d) => `${d.path} ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}${d.forces_replace ? " (forces replace)" : ""}`).join("; ")}` : ""}`,
    );
  return lines.length > 0 ? lines.join("\n") : "  (no changes)";
}

export function assertNoChanges(plan: Plan, context: string): void {
  const acting = plan.changes.filter((c) => c.action !== "no-op");
  assert.equal(acting.length, 0, `${context}: the plan is not empty:\n${describePlan(plan)}`);
}

// --- the server ------------------------------------------------------------------------------------------

interface ApiReply {
  error?: { err_code: number; description: string };
  streams?: string[] | null;
  total?: number;
}

async function api(nc: NatsConnection, suffix: string, body?: unknown): Promise<ApiReply> {
  const msg = await nc.request(`$JS.API.${suffix}`, body === undefined ? undefined : JSON.stringify(body), {
    timeout: 20_000,
  });
  return msg.json<ApiReply>();
}

/** Creates a stream with a raw request (as an application would, without jsplan). */
export async function createStream(nc: NatsConnection, config: Obj): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const r = await api(nc, `STREAM.CREATE.${config.name}`, config);
    // 10049: the server removed the account's store folders of the last case's streams in the background,
    // under this create's feet (see JetStreamWriter.createStream); a server race, not this test's topic.
    if (r.error?.err_code === 10049 && attempt < 3) {
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      continue;
    }
    assert.ok(!r.error, `STREAM.CREATE.${config.name}: ${r.error?.err_code} ${r.error?.description}`);
    return;
  }
}

/** Every stream's name. */
export async function streamNames(nc: NatsConnection): Promise<string[]> {
  const names: string[] = [];
  for (;;) {
    const page = await api(nc, "STREAM.NAMES", { offset: names.length });
    assert.ok(!page.error, `STREAM.NAMES: ${page.error?.description}`);
    const got = page.streams ?? [];
    names.push(...got);
    if (got.length === 0 || names.length >= (page.total ?? 0)) return names;
  }
}

/** Deletes every stream (and with them their consumers, buckets and object stores): the next case starts clean. */
export async function deleteEverything(nc: NatsConnection): Promise<void> {
  const names = await streamNames(nc);
  // Mirrors and sourcing streams first does not matter to the server; delete concurrently.
  await Promise.all(
    names.map(async (name) => {
      const r = await api(nc, `STREAM.DELETE.${name}`);
      if (r.error && r.error.err_code !== 10059) {
        throw new Error(`cleanup: STREAM.DELETE.${name}: ${r.error.err_code} ${r.error.description}`);
      }
    }),
  );
  const left = await streamNames(nc);
  assert.deepEqual(left, [], "cleanup left streams behind");
}

/** Runs `fn`, then deletes everything on the server; an error of `fn` wins over one of the cleanup. */
export async function thenClean(nc: NatsConnection, fn: () => Promise<void>): Promise<void> {
  let failed = false;
  try {
    await fn();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    try {
      await deleteEverything(nc);
    } catch (e) {
      // A failed case's own error is the one to report; a cleanup failure after success is an error itself.
      // biome-ignore lint/correctness/noUnsafeFinally: rethrowing the cleanup error only when fn succeeded
      if (!failed) throw e;
    }
  }
}
