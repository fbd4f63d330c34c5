// Saved plans (`plan --out FILE`, `apply --plan FILE`): what is written, how it is read back, and the check
// that the server is still in the state the plan was made from.

import { readFile, writeFile } from "node:fs/promises";
import { canonicalConsumer } from "../jetstream/canonical-consumer.js";
import { canonicalStream } from "../jetstream/canonical-stream.js";
import { diffConfigs } from "../jetstream/field-diff.js";
import type { SourceFile } from "../load/yaml-document.js";
import { formatPath } from "../model/field-path.js";
import type { ConsumerConfig, StreamConfig } from "../model/jetstream.js";
import type { ObservedState } from "../model/observed.js";
import type { Change, Plan, SavedPlan } from "../model/plan.js";
import { parseVersion, type Version } from "../model/version.js";
import { checkSteps } from "../plan/preflight/index.js";
import { SavedPlanRefused } from "./errors.js";
import { fingerprintAt, liveConfigAt, manifestDigest } from "./fingerprint.js";

/** The plan with what `apply --plan` needs to tell whether it is still current. */
export function toSavedPlan(
  plan: Plan,
  observed: ObservedState,
  files: readonly SourceFile[],
  createdAt: Date,
): SavedPlan {
  return {
    ...plan,
    saved: {
      created_at: createdAt.toISOString(),
      manifest_sha256: manifestDigest(files),
      manifest_files: files.map((f) => f.path),
      // Every resource the plan covers, not only those with a step: a saved plan is for the state it was
      // made from, and a different state (or a different server) must make it stale.
      fingerprints: Object.fromEntries(
        plan.changes.map((c) => [c.address, fingerprintAt(observed, c.address)]),
      ),
    },
  };
}

/** Writes a saved plan, readable by its owner only (it holds the configs). */
export async function writeSavedPlan(file: string, saved: SavedPlan): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  } catch (err) {
    throw new SavedPlanRefused(
      "unreadable",
      `cannot write the plan to ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

export async function readSavedPlan(file: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new SavedPlanRefused(
      "unreadable",
      `cannot read the saved plan ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let plan: SavedPlan;
  try {
    plan = JSON.parse(text) as SavedPlan;
  } catch {
    throw new SavedPlanRefused(
      "not-a-plan",
      `${file} is not a saved plan (not JSON); make one with jsplan plan --out ${file}`,
    );
  }
  const major = String(plan?.format_version ?? "").split(".")[0];
  if (major !== "1" || !plan.saved || !Array.isArray(plan.steps) || !Array.isArray(plan.changes)) {
    throw new SavedPlanRefused(
      "not-a-plan",
      `${file} is not a saved plan this jsplan can apply (format_version ${plan?.format_version ?? "missing"}); make one with jsplan plan --out`,
    );
  }
  return upgrade(plan);
}

/** A 1.0 plan in the shape of 1.1: reasons without codes, warnings without code and path. */
function upgrade(plan: SavedPlan): SavedPlan {
  return {
    ...plan,
    changes: plan.changes.map((c) =>
      c.reason_details
        ? c
        : ({ ...c, reason_details: c.reasons.map((message) => ({ code: "", message })) } as Change),
    ),
    warnings: plan.warnings.map((w) => ({ ...w, code: w.code ?? "", path: w.path ?? null })),
  };
}

/** Throws SavedPlanRefused("stale") unless the server is in the state the saved plan was made from. */
export function checkSavedPlan(saved: SavedPlan, observed: ObservedState, file: string): void {
  const problems = [...serverProblems(saved, observed)];
  const version = parseVersion(observed.server.version);
  for (const [address, then] of Object.entries(saved.saved.fingerprints)) {
    if (then === fingerprintAt(observed, address)) continue;
    const change = saved.changes.find((c) => c.address === address);
    problems.push(
      `${address} changed since the plan was made${describeDrift(change?.before ?? null, address, observed, version)}`,
    );
  }
  if (problems.length > 0) {
    throw new SavedPlanRefused(
      "stale",
      `Saved plan ${file} is stale; nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}\nMake a new plan with jsplan plan --out ${file}.`,
      problems,
    );
  }
  // The resources of the plan are as they were, but the rest of the account may not be (another stream
  // now holds the room, or the limits changed): the same preflight as the plan's, on today's state.
  const limits = checkSteps(observed, saved).findings.lines();
  if (limits.length > 0) {
    throw new SavedPlanRefused(
      "stale",
      `Saved plan ${file} no longer fits the account's limits; nothing was changed:\n${limits.map((p) => `  - ${p}`).join("\n")}\nMake a new plan with jsplan plan --out ${file}.`,
      limits,
    );
  }
}

/** A saved plan may only run against the server it was made for. */
function serverProblems(saved: SavedPlan, observed: ObservedState): string[] {
  const problems: string[] = [];
  const s = observed.server;
  if (
    s.version !== saved.server.version ||
    (s.cluster ?? null) !== saved.server.cluster ||
    (s.domain ?? null) !== saved.server.domain
  ) {
    problems.push(
      `the plan was made for nats-server ${saved.server.version}${saved.server.cluster ? ` in cluster ${saved.server.cluster}` : ""}, and this is ${s.version}${s.cluster ? ` in cluster ${s.cluster}` : ""}`,
    );
  }
  // A standalone server's name, when set in its configuration, identifies it; an unset one is its random
  // ID, which a restart changes. (In a cluster, the node jsplan happens to reach differs between runs; the
  // cluster's name is compared above.)
  const named = (x: { name?: string | null; id?: string | null }) =>
    x.name && x.name !== x.id ? x.name : null;
  const savedName = named(saved.server);
  const nowName = named({ name: s.serverName ?? null, id: s.serverId ?? null });
  if (!s.cluster && savedName !== null && nowName !== null && savedName !== nowName) {
    problems.push(`the plan was made on server ${savedName}, and this is ${nowName}`);
  }
  return problems;
}

/** How a resource differs from what the plan saw: which fields, or that it appeared or went away. */
function describeDrift(
  before: Record<string, unknown> | null,
  address: string,
  observed: ObservedState,
  version: Version,
): string {
  const live = liveConfigAt(observed, address);
  if (!before && live) return ": it exists now";
  if (before && !live) return ": it no longer exists";
  if (!before || !live) return "";
  const now = address.startsWith("consumer.")
    ? canonicalConsumer(live as ConsumerConfig, { version })
    : canonicalStream(live as StreamConfig, { version });
  const fields = diffConfigs(before, now).map((d) => formatPath(d.segments));
  return fields.length > 0 ? ` (${fields.join(", ")})` : "";
}
