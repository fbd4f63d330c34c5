// Saved plans (`plan --out FILE`, `apply --plan FILE`): what is written, how it is read back, and the check
// that the server is still in the state the plan was made from.

import { constants } from "node:fs";
import { lstat, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Session } from "../connection/session.js";
import { canonicalConsumer } from "../jetstream/canonical-consumer.js";
import { canonicalStream } from "../jetstream/canonical-stream.js";
import { diffConfigs } from "../jetstream/field-diff.js";
import type { SourceFile } from "../load/yaml-document.js";
import { formatPath } from "../model/field-path.js";
import type { ConsumerConfig, StreamConfig } from "../model/jetstream.js";
import type { ObservedState } from "../model/observed.js";
import type { Plan, SavedManifest, SavedPlan } from "../model/plan.js";
import { parseVersion, type Version } from "../model/version.js";
import { checkSteps } from "../plan/preflight/index.js";
import { SavedPlanRefused } from "./errors.js";
import { fingerprintAt, liveConfigAt, manifestDigest } from "./fingerprint.js";
import { withEntries } from "./planning.js";
import { rederive } from "./saved-manifest.js";

/** The plan with what `apply --plan` needs to tell whether it is still current. */
export function toSavedPlan(
  plan: Plan,
  observed: ObservedState,
  files: readonly SourceFile[],
  createdAt: Date,
  record: SavedManifest,
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
      ...record,
    },
  };
}

/** The largest plan file apply reads: far above any real plan, well below what exhausts memory. */
export const MAX_PLAN_BYTES = 256 * 1024 * 1024;

/**
 * Writes a saved plan, readable by its owner only (it holds the configs and the manifest). Never through a
 * symbolic link, and never over a file that is not a jsplan plan: the file is written next to the target
 * and renamed over it, so a reader sees the old plan or the new one, never half of one.
 */
export async function writeSavedPlan(file: string, saved: SavedPlan): Promise<void> {
  await checkOverwritable(file);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fh = await open(
      tmp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      await fh.writeFile(`${JSON.stringify(saved, null, 2)}\n`);
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new SavedPlanRefused(
      "unreadable",
      `cannot write the plan to ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

async function checkOverwritable(file: string): Promise<void> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(file);
  } catch {
    return; // nothing there (or nothing we may look at: the write says so)
  }
  const refuse = (why: string) =>
    new SavedPlanRefused("unreadable", `cannot write the plan to ${file}: ${why}; nothing was written`);
  if (st.isSymbolicLink()) {
    throw refuse("it is a symbolic link, and jsplan does not write through links (give the file's own path)");
  }
  if (!st.isFile()) throw refuse("it is not a regular file");
  let isPlan = false;
  try {
    isPlan = st.size <= MAX_PLAN_BYTES && looksSaved(JSON.parse(await readFile(file, "utf8")));
  } catch {
    isPlan = false;
  }
  if (!isPlan) {
    throw refuse(
      "it exists and is not a jsplan plan, so jsplan does not overwrite it (remove it or choose another path)",
    );
  }
}

function looksSaved(v: unknown): boolean {
  const o = v as { format_version?: unknown; saved?: unknown } | null;
  return typeof o?.format_version === "string" && typeof o.saved === "object" && o.saved !== null;
}

export async function readSavedPlan(file: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readBounded(file);
  } catch (err) {
    if (err instanceof SavedPlanRefused) throw err;
    throw new SavedPlanRefused(
      "unreadable",
      `cannot read the saved plan ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    throw new SavedPlanRefused(
      "not-a-plan",
      `${file} is not a saved plan (not JSON); make one with jsplan plan --out ${file}`,
    );
  }
  const problem = shapeProblem(plan);
  if (problem) throw new SavedPlanRefused("not-a-plan", `${file} ${problem}`);
  return plan as SavedPlan;
}

/**
 * Reads at most MAX_PLAN_BYTES (a device or a runaway file is refused, not read to the end); a file whose
 * first byte that is not white space is not `{` is refused after its first read, as it is no JSON object.
 */
async function readBounded(file: string): Promise<string> {
  const fh = await open(file, constants.O_RDONLY);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      if (total === 0 && !startsLikeJsonObject(buf.subarray(0, bytesRead))) {
        throw new SavedPlanRefused(
          "not-a-plan",
          `${file} is not a saved plan jsplan made (it is not JSON); nothing was changed`,
        );
      }
      total += bytesRead;
      if (total > MAX_PLAN_BYTES) {
        throw new SavedPlanRefused(
          "not-a-plan",
          `${file} is larger than ${MAX_PLAN_BYTES / 1024 / 1024} MiB, so it is not a saved plan jsplan made; nothing was changed`,
        );
      }
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
    }
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    await fh.close();
  }
}

function startsLikeJsonObject(head: Buffer): boolean {
  for (const byte of head) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b;
  }
  // Only white space so far: a later read decides (JSON.parse refuses what is not an object).
  return true;
}

/** What makes a parsed file unusable as a saved plan, in words; null when its shape is right. */
function shapeProblem(v: unknown): string | null {
  const fix = "make a new one with jsplan plan --out";
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o !== "object" || Array.isArray(o))
    return `is not a saved plan (not a JSON object); ${fix}`;
  const major = String(o.format_version ?? "").split(".")[0];
  if (major !== "1" || typeof o.saved !== "object" || o.saved === null) {
    return `is not a saved plan this jsplan can apply (format_version ${String(o.format_version ?? "missing")}${o.saved ? "" : ", no saved section"}); ${fix}`;
  }
  const saved = o.saved as Record<string, unknown>;
  if (!Array.isArray(saved.sources)) {
    return `was saved by an older jsplan, which did not record the manifest; apply --plan plans again from the manifest a plan records, so ${fix}`;
  }
  const server = o.server as Record<string, unknown> | undefined;
  const wrong: string[] = [];
  if (typeof server?.version !== "string") wrong.push("server.version");
  if (!Array.isArray(o.steps)) wrong.push("steps");
  if (!Array.isArray(o.changes)) wrong.push("changes");
  if (typeof saved.fingerprints !== "object" || saved.fingerprints === null) wrong.push("saved.fingerprints");
  if (!saved.sources.every((f) => typeof f?.path === "string" && typeof f?.text === "string")) {
    wrong.push("saved.sources");
  }
  const vars = saved.variables as Record<string, unknown> | undefined;
  if (
    !vars ||
    typeof vars !== "object" ||
    !Object.values(vars).every(
      (x) =>
        x === null ||
        typeof x === "string" ||
        (typeof x === "object" && typeof (x as { sha256?: unknown }).sha256 === "string"),
    )
  ) {
    wrong.push("saved.variables");
  }
  if (!Array.isArray(saved.targets) || !saved.targets.every((t) => typeof t === "string")) {
    wrong.push("saved.targets");
  }
  return wrong.length > 0
    ? `is not a complete saved plan (${wrong.join(", ")} missing or malformed); ${fix}`
    : null;
}

/**
 * The plan to carry out: made again from the manifest the saved plan records and the server's state now.
 * Throws SavedPlanRefused("stale") when the server or the re-derived plan differs from the file.
 */
export async function rederiveSavedPlan(
  saved: SavedPlan,
  observed: ObservedState,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  session?: Session,
): Promise<Plan> {
  checkSavedPlan(saved, observed, file);
  const again = await rederive(
    saved,
    saved.saved,
    observed,
    env,
    session ? (desired, state) => withEntries(session, state, desired) : undefined,
  );
  if (!again.ok) throw staleRefusal(file, again.problems);
  return again.plan;
}

function staleRefusal(file: string, problems: readonly string[]): SavedPlanRefused {
  return new SavedPlanRefused(
    "stale",
    `Saved plan ${file} is stale; nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}\nMake a new plan with jsplan plan --out ${file}.`,
    problems,
  );
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
  if (problems.length > 0) throw staleRefusal(file, problems);
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
    // Name the domain whenever either side has one: it may be the only difference.
    const domains = saved.server.domain !== null || (s.domain ?? null) !== null;
    const server = (version: string, cluster: string | null, domain: string | null) =>
      `${version}${cluster ? ` in cluster ${cluster}` : ""}${domains ? (domain ? ` in JetStream domain ${domain}` : " without a JetStream domain") : ""}`;
    problems.push(
      `the plan was made for nats-server ${server(saved.server.version, saved.server.cluster, saved.server.domain)}, and this is ${server(s.version, s.cluster ?? null, s.domain ?? null)}`,
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
