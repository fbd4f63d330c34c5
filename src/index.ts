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

import { DEFAULT_APPLY_CONCURRENCY } from "./apply/defaults.js";
import { executePlan } from "./apply/execute.js";
import { gateProblems } from "./apply/gates.js";
import type { ApplyResult, StepResult } from "./apply/result.js";
import { JetStreamWriter } from "./apply/writer.js";
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
import { parseVersion } from "./model/version.js";
import { observe as observeState } from "./observe/observe.js";
import { buildPlan, type PlanOutcome } from "./plan/plan.js";
import { renderPlanMarkdown } from "./render/markdown.js";
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
export type { Action, Change, FieldChange, Plan, Step } from "./model/plan.js";
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

/** Reads the live state of the account: streams, durable consumers, buckets (through list calls). */
export async function observe(session: Session): Promise<ObservedState> {
  return observeState(session.api, session.info, session.account);
}

/** Desired + observed state → the plan (pure). Errors are in `diagnostics` and leave `plan` unset. */
export function plan(input: {
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  readonly targets?: readonly string[];
}): PlanOutcome {
  return buildPlan({ ...input, jsplanVersion: jsplanVersion() });
}

export function renderPlan(p: Plan, format: "text" | "markdown" | "json" = "text"): string {
  if (format === "json") return `${JSON.stringify(p, null, 2)}\n`;
  return format === "markdown" ? renderPlanMarkdown(p) : renderPlanText(p, PLAIN);
}

export interface ApplyOptions {
  /** Permit deletes and replaces. Without it, a plan with any is refused before the first call. */
  readonly allowDestroy?: boolean;
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onStep?: (result: StepResult) => void;
}

/** Refused before any call: the plan has blocked or (without allowDestroy) destructive steps. */
export class ApplyRefused extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`apply refused: ${problems.join("; ")}`);
    this.name = "ApplyRefused";
  }
}

/** Carries out a plan on the session's server; a result for every step. Throws ApplyRefused before any call. */
export async function apply(p: Plan, session: Session, options: ApplyOptions = {}): Promise<ApplyResult> {
  const problems = gateProblems(p, { allowDestroy: options.allowDestroy ?? false });
  if (problems.length > 0) throw new ApplyRefused(problems);
  const version = parseVersion(session.info.version);
  return executePlan(
    p,
    new JetStreamWriter(session.api, version, options.signal ? { signal: options.signal } : {}),
    {
      version,
      limits: (session.account.limits ?? {}) as ObservedState["limits"],
      concurrency: options.concurrency ?? DEFAULT_APPLY_CONCURRENCY,
      ...(options.signal ? { signal: options.signal } : {}),
      connectionLost: () => session.connectionLost(),
      ...(options.onStep ? { onFinish: options.onStep } : {}),
    },
  );
}

export interface ReconcileOptions extends ApplyOptions, LoadOptions {
  readonly manifest: ManifestInput | string;
  readonly connection: Partial<ConnectionSettings> & { servers: readonly string[] };
}

export interface ReconcileResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly plan?: Plan;
  readonly result?: ApplyResult;
}

/**
 * Load, connect, plan and apply in one call, e.g. at an application's start-up. Manifest or plan errors
 * come back in `diagnostics` with nothing applied.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const input = typeof options.manifest === "string" ? [options.manifest] : options.manifest;
  const loaded = await load(input, options);
  if (!loaded.desired) return { diagnostics: loaded.diagnostics };
  const session = await connect(options.connection);
  try {
    const outcome = plan({ desired: loaded.desired, observed: await observe(session) });
    if (!outcome.plan) return { diagnostics: [...loaded.diagnostics, ...outcome.diagnostics] };
    const result = outcome.plan.steps.length > 0 ? await apply(outcome.plan, session, options) : undefined;
    return { diagnostics: outcome.diagnostics, plan: outcome.plan, ...(result ? { result } : {}) };
  } finally {
    await session.close();
  }
}

export { jsplanVersion as version };
