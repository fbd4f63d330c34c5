// Driving jsplan against a real test server the way a user does: through the CLI, in-process.

import assert from "node:assert/strict";
import type { Plan } from "../../src/model/plan.js";
import { type CliResult, runCli } from "./cli.js";

export interface Target {
  readonly url: string;
}

function urlOf(target: Target | string): string {
  return typeof target === "string" ? target : target.url;
}

/** `jsplan plan - --format json` with the manifest on stdin; fails the test unless it exits 0 or 2. */
export async function planOf(
  target: Target | string,
  manifest: string,
  args: readonly string[] = [],
): Promise<Plan> {
  const r = await runCli(["plan", "-", "-s", urlOf(target), "--format", "json", ...args], {
    stdin: manifest,
  });
  assert.ok(r.code === 0 || r.code === 2, `plan failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as Plan;
}

/** `jsplan apply - --auto-approve --allow-destroy` with the manifest on stdin. */
export async function applyManifest(
  target: Target | string,
  manifest: string,
  args: readonly string[] = ["--allow-destroy"],
): Promise<CliResult> {
  // Suites run cases at once against one server (one account): each apply waits its turn for the lock.
  const lock = args.some((a) => a === "--no-lock" || a === "--lock-timeout")
    ? []
    : ["--lock-timeout", "120s"];
  return runCli(["apply", "-", "-s", urlOf(target), "--auto-approve", ...lock, ...args], { stdin: manifest });
}

/** Applies and asserts success. */
export async function applyOk(
  target: Target | string,
  manifest: string,
  args?: readonly string[],
): Promise<CliResult> {
  const r = await applyManifest(target, manifest, args);
  assert.equal(r.code, 0, `apply failed:\n${r.stderr}${r.stdout}`);
  return r;
}

/** The plan has nothing to do. */
export function assertEmpty(plan: Plan, context = ""): void {
  const acting = plan.changes.filter((c) => c.action !== "no-op");
  assert.deepEqual(
    acting.map((c) => ({ address: c.address, action: c.action, diff: c.diff })),
    [],
    `expected an empty plan${context ? ` ${context}` : ""}`,
  );
}
