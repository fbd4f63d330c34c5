// Shared helpers of the export tests: `jsplan export` and `jsplan validate` driven through the CLI, the
// export → plan round trip, raw JetStream API requests (so that the server, not jsplan, decides what a
// client created), and the Go client's KV stream config.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { parse } from "yaml";
import type { Change, Plan } from "../../src/model/plan.js";
import { type CliResult, runCli } from "../support/cli.js";
import { planOf } from "../support/jsplan.js";

export type Obj = Record<string, unknown>;

export const NS = 1;
export const MS = 1_000_000;
export const S = 1_000_000_000;
export const MIN = 60 * S;
export const H = 60 * MIN;

export interface Exported extends CliResult {
  /** The exported YAML (stdout, or the --out file). */
  readonly yaml: string;
  /** The manifest, parsed. */
  readonly manifest: Obj;
}

/** `jsplan export -s URL ...args`; fails the test unless it exits 0. */
export async function exportOf(url: string, args: readonly string[] = []): Promise<Exported> {
  const r = await runCli(["export", "-s", url, ...args]);
  assert.equal(r.code, 0, `export failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  return { ...r, yaml: r.stdout, manifest: (parse(r.stdout) ?? {}) as Obj };
}

/** `jsplan export --out FILE` into a temporary folder; the file's text. */
export async function exportToFile(url: string, args: readonly string[] = []): Promise<Exported> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "jsplan-export-"));
  const file = path.join(dir, "exported.yaml");
  try {
    const r = await runCli(["export", "-s", url, "--out", file, ...args]);
    assert.equal(r.code, 0, `export --out failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
    const yaml = await readFile(file, "utf8");
    return { ...r, yaml, manifest: (parse(yaml) ?? {}) as Obj };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `jsplan validate -` of a manifest; fails the test unless it is valid. */
export async function assertValid(yaml: string, context = ""): Promise<void> {
  const r = await runCli(["validate", "-"], { stdin: yaml });
  assert.equal(
    r.code,
    0,
    `the exported manifest does not validate${context ? ` (${context})` : ""}:\n${r.stderr}${r.stdout}\n--- manifest ---\n${yaml}`,
  );
}

/** Changes that do something (not no-op). */
export function acting(plan: Plan): Change[] {
  return plan.changes.filter((c) => c.action !== "no-op");
}

/** A readable account of a plan's acting changes, for assertion messages. */
export function describePlan(plan: Plan): string {
  const lines = acting(plan).map(
    (c) =>
      `${c.action} ${c.address}${c.diff.length ? `: ${c.diff.map((d) => `${d.path} ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`).join("; ")}` : ""}${c.reasons.length ? ` (${c.reasons.join("; ")})` : ""}`,
  );
  return lines.length > 0 ? lines.join("\n") : "(no changes)";
}

/** Export, validate the export, plan it: the plan and the export. */
export async function roundTrip(
  url: string,
  exportArgs: readonly string[] = [],
): Promise<{ exported: Exported; plan: Plan }> {
  const exported = await exportOf(url, exportArgs);
  await assertValid(exported.yaml);
  const plan = await planOf(url, exported.yaml);
  return { exported, plan };
}

/** The round trip shows no changes; the message names the changes and shows the export. */
export function assertNoChanges(plan: Plan, exported: Exported, context = ""): void {
  assert.deepEqual(
    acting(plan).map((c) => c.address),
    [],
    `export → plan${context ? ` (${context})` : ""} is not empty:\n${describePlan(plan)}\n--- exported manifest ---\n${exported.yaml}--- stderr ---\n${exported.stderr}`,
  );
}

/** The diff only adds jsplan.owner to the metadata (as the key, or as the whole metadata when none was set). */
export function stampsOwnerOnly(
  diff: ReadonlyArray<{ path: string; before?: unknown; after?: unknown }>,
  owner: string,
): boolean {
  return (
    diff.length === 1 &&
    ((diff[0]!.path === 'metadata["jsplan.owner"]' &&
      diff[0]!.before === undefined &&
      diff[0]!.after === owner) ||
      (diff[0]!.path === "metadata" &&
        diff[0]!.before === undefined &&
        JSON.stringify(diff[0]!.after) === JSON.stringify({ "jsplan.owner": owner })))
  );
}

export function changeAt(plan: Plan, address: string): Change {
  const c = plan.changes.find((x) => x.address === address);
  assert.ok(c, `the plan has no change for ${address}: ${plan.changes.map((x) => x.address).join(", ")}`);
  return c;
}

// --- raw JetStream API ------------------------------------------------------------------------------

export interface ApiError {
  readonly code: number;
  readonly err_code: number;
  readonly description: string;
}

/** One raw `$JS.API.<suffix>` request; fails the test when the server refuses. */
export async function jsApiOk(nc: NatsConnection, suffix: string, body?: unknown): Promise<Obj> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const msg = await nc.request(`$JS.API.${suffix}`, payload, { timeout: 15_000 });
  const parsed = msg.json<Obj & { error?: ApiError }>();
  assert.ok(
    !parsed.error,
    `$JS.API.${suffix} failed: ${parsed.error?.err_code} "${parsed.error?.description}"\n${payload ?? ""}`,
  );
  return parsed;
}

export async function streamConfig(nc: NatsConnection, name: string): Promise<Obj> {
  return (await jsApiOk(nc, `STREAM.INFO.${name}`)).config as Obj;
}

/**
 * The stream config the Go client (nats.go jetstream/kv.go prepareKeyValueConfig, which `nats kv add` uses)
 * sends for a KV bucket: deny_delete, an explicit duplicate window, discard new, direct gets.
 */
export function goKvStreamConfig(
  bucket: string,
  o: {
    history?: number;
    ttl?: number;
    description?: string;
    maxBytes?: number;
    maxValueSize?: number;
    storage?: "file" | "memory";
    compression?: boolean;
    metadata?: Record<string, string>;
  } = {},
): Obj {
  const ttl = o.ttl ?? 0;
  return {
    name: `KV_${bucket}`,
    ...(o.description ? { description: o.description } : {}),
    subjects: [`$KV.${bucket}.>`],
    max_msgs_per_subject: o.history ?? 1,
    max_bytes: o.maxBytes ?? -1,
    max_age: ttl,
    max_msg_size: o.maxValueSize ?? -1,
    storage: o.storage ?? "file",
    num_replicas: 1,
    allow_rollup_hdrs: true,
    deny_delete: true,
    duplicate_window: ttl > 0 && ttl < 2 * MIN ? ttl : 2 * MIN,
    max_msgs: -1,
    max_consumers: -1,
    allow_direct: true,
    compression: o.compression ? "s2" : "none",
    discard: "new",
    ...(o.metadata ? { metadata: o.metadata } : {}),
  };
}

/** A manifest as YAML: JSON is valid YAML. */
export function yaml(manifest: Obj): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** "2.15.1" is at least "2.11.0". */
export function versionAtLeast(version: string, min: string): boolean {
  const parseV = (v: string) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1, 4).map(Number);
  const a = parseV(version);
  const b = parseV(min);
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}
