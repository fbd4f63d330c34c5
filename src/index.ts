// jsplan's programmatic API: the same stages the CLI uses, for applications that reconcile their own
// streams at start-up and for test suites that need a known JetStream layout.
//
//   import { reconcile } from "jsplan";
//   const result = await reconcile({ manifest: "jetstream.yaml", connection: { servers: ["nats://127.0.0.1:4222"] } });
//
// or stage by stage:
//
//   import { connect, load, observe, plan, apply, renderPlan } from "jsplan";
//   const loaded = await load(["jetstream.yaml"]);            // never throws for bad input: see loaded.diagnostics
//   const session = await connect({ servers: ["nats://127.0.0.1:4222"] });
//   try {
//     const outcome = plan({ desired: loaded.desired!, observed: await observe(session) });
//     if (outcome.plan) console.log(renderPlan(outcome.plan, "text"));
//     const result = await apply(outcome.plan!, session, { allowDestroy: false });
//   } finally {
//     await session.close();
//   }

import type { ApplyResult } from "./apply/result.js";
import { DEFAULT_TIMEOUT_MS } from "./connection/defaults.js";
import { openSession, type Session } from "./connection/session.js";
import type { ConnectionSettings } from "./connection/settings.js";
import { type LoadResult, loadManifests, loadSources } from "./load/load.js";
import { readStdin } from "./load/sources.js";
import type { SourceFile } from "./load/yaml-document.js";
import type { DesiredState } from "./model/desired.js";
import type { Diagnostic } from "./model/diagnostic.js";
import type { ObservedState } from "./model/observed.js";
import type { Plan } from "./model/plan.js";
import type { PlanOutcome } from "./plan/plan.js";
import { type ApplyOptions, applySession } from "./reconcile/applying.js";
import { ManifestInvalid, PlanRefused } from "./reconcile/errors.js";
import { closeAll, observeSession, planFrom, planSession } from "./reconcile/planning.js";
import { type MarkdownOptions, renderPlanMarkdown } from "./render/markdown.js";
import { PLAIN } from "./render/style.js";
import { renderPlanText } from "./render/text.js";
import { jsplanVersion } from "./version.js";

export type { ApplyResult, StepResult, StepStatus } from "./apply/result.js";
export type { Session } from "./connection/session.js";
export type { ConnectionSettings } from "./connection/settings.js";
export type { DesiredState } from "./model/desired.js";
export type { Diagnostic, SourcePos } from "./model/diagnostic.js";
export type { ConsumerConfig, StreamConfig } from "./model/jetstream.js";
export type { ObservedState } from "./model/observed.js";
export type { Action, Change, FieldChange, Plan, PlanTarget, Step } from "./model/plan.js";
export type { PlannedSession, PlanRequest } from "./reconcile/planning.js";
export type { MarkdownOptions } from "./render/markdown.js";
export type { LoadResult, PlanOutcome, SourceFile };

/** Manifest files or directories (as on the command line), or manifest texts. */
export type ManifestInput = readonly string[] | { readonly files: readonly SourceFile[] };

export interface LoadOptions {
  /** For `${VAR}` interpolation; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Relative paths are resolved against it; default process.cwd(). */
  readonly cwd?: string;
}

/** Loads and checks manifests, offline. Problems are in `diagnostics`; `desired` is set when there are no errors. */
export async function load(input: ManifestInput, options: LoadOptions = {}): Promise<LoadResult> {
  const env = options.env ?? process.env;
  if ("files" in input) return loadSources(input.files, env);
  return loadManifests(input, { cwd: options.cwd ?? process.cwd(), env, readStdin });
}

/** Connects to NATS and checks that JetStream answers. Close the session when done. */
export async function connect(
  settings: Partial<ConnectionSettings> & { servers: readonly string[] },
): Promise<Session> {
  return openSession({ timeoutMs: DEFAULT_TIMEOUT_MS, ...settings });
}

/**
 * Reads the live state of the account: streams, durable consumers, buckets (through list calls). Given the
 * desired state, also the keys of the KV buckets that declare `entries` (the plan needs them).
 */
export async function observe(session: Session, desired?: DesiredState): Promise<ObservedState> {
  return observeSession(session, desired);
}

/**
 * Desired + observed state → the plan (pure). Errors are in `diagnostics` and leave `plan` unset; `warnings`
 * (e.g. those of loading) are carried into the plan, as the CLI does.
 */
export function plan(input: {
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  readonly targets?: readonly string[];
  readonly warnings?: readonly Diagnostic[];
}): PlanOutcome {
  return planFrom(input);
}

/** The plan as text, JSON or markdown; `markdown` takes the size limit and where the full plan is. */
export function renderPlan(
  p: Plan,
  format: "text" | "markdown" | "json" = "text",
  markdown: MarkdownOptions = {},
): string {
  if (format === "json") return `${JSON.stringify(p, null, 2)}\n`;
  return format === "markdown" ? renderPlanMarkdown(p, markdown) : renderPlanText(p, PLAIN);
}

export type { DriftEntry, DriftPicture, DriftReport } from "./model/drift.js";
export type { ApplyOptions } from "./reconcile/applying.js";
export { ApplyLocked, ApplyRefused } from "./reconcile/errors.js";
export { Watcher, type WatchHooks, type WatchOptions } from "./reconcile/watch.js";

/** Carries out a plan on the session's server; a result for every step. Throws ApplyRefused before any call. */
export async function apply(p: Plan, session: Session, options: ApplyOptions = {}): Promise<ApplyResult> {
  return applySession(p, session, session.account.limits ?? {}, options);
}

export interface ReconcileOptions extends ApplyOptions, LoadOptions {
  readonly manifest: ManifestInput | string;
  readonly connection: Partial<ConnectionSettings> & { servers: readonly string[] };
  /** How long to wait for another apply's lock, in ms (default 0: ApplyLocked at once). */
  readonly lockTimeoutMs?: number;
  /** Run without the account's apply lock (like --no-lock): another apply could interleave its steps. */
  readonly noLock?: boolean;
}

export interface ReconcileResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly plan?: Plan;
  readonly result?: ApplyResult;
}

/**
 * Load, connect, plan and apply in one call, e.g. at an application's start-up: the same session as
 * `jsplan apply --auto-approve`. Manifest or plan errors come back in `diagnostics` with nothing applied.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const input = typeof options.manifest === "string" ? [options.manifest] : options.manifest;
  let planned: Awaited<ReturnType<typeof planSession>>;
  try {
    planned = await planSession({
      manifest:
        "files" in input
          ? { files: input.files }
          : { paths: input, cwd: options.cwd ?? process.cwd(), readStdin },
      env: options.env ?? process.env,
      connection: () => ({ timeoutMs: DEFAULT_TIMEOUT_MS, ...options.connection }),
      // The same lock as jsplan apply: taken before the state is read, released at the end.
      ...(options.noLock ? { withoutLock: true } : { lock: { waitMs: options.lockTimeoutMs ?? 0 } }),
    });
  } catch (err) {
    if (err instanceof ManifestInvalid || err instanceof PlanRefused) return { diagnostics: err.diagnostics };
    throw err;
  }
  const { plan: p, warnings } = planned;
  try {
    const result = p.steps.length > 0 ? await apply(p, planned.session, options) : undefined;
    return { diagnostics: warnings, plan: p, ...(result ? { result } : {}) };
  } finally {
    await closeAll(planned);
  }
}

export { jsplanVersion as version };
