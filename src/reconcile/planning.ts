// The planning session, shared by `jsplan plan`, `jsplan apply` and the API: read the manifest, connect
// and read the server's state at the same time, then plan. A manifest error wins over a connection error
// (it is the one to fix first, and it is found without the server). The session stays open for an apply;
// the caller closes it.

import { JsApiError, JsTransportError } from "../connection/js-api.js";
import { openSession, type Session } from "../connection/session.js";
import type { ConnectionSettings } from "../connection/settings.js";
import { loadSourcesInterleaved } from "../load/load.js";
import { readSources } from "../load/sources.js";
import type { SourceFile } from "../load/yaml-document.js";
import type { DesiredState } from "../model/desired.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "../model/diagnostic.js";
import type { ObservedState } from "../model/observed.js";
import type { Plan } from "../model/plan.js";
import { observe } from "../observe/observe.js";
import { buildPlan } from "../plan/plan.js";
import { jsplanVersion } from "../version.js";
import { ManifestInvalid, ObserveFailure, PlanRefused } from "./errors.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Where the manifest comes from: paths to read (files, directories, `-`), or texts already read. */
export type ManifestSource =
  | {
      readonly paths: readonly string[];
      readonly cwd: string;
      readonly readStdin: (maxBytes: number) => Promise<Buffer>;
    }
  | { readonly files: readonly SourceFile[] };

export interface PlanRequest {
  readonly manifest: ManifestSource;
  readonly env: Env;
  /**
   * The connection settings, worked out when the session connects: a problem with them (a bad timeout, a
   * missing context) comes after a manifest error, like any connection problem.
   */
  readonly connection: () => ConnectionSettings;
  /** Limit the plan to these addresses and what they need (`--target`). */
  readonly targets?: readonly string[];
}

export interface PlannedSession {
  readonly plan: Plan;
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  readonly files: readonly SourceFile[];
  /** The warnings of loading and planning, sorted by place (also in the plan). */
  readonly warnings: readonly Diagnostic[];
  readonly session: Session;
  /** Milliseconds from the start: state read, manifest loaded, plan made. */
  readonly timings: { readonly observed: number; readonly loaded: number; readonly planned: number };
}

/** The plan of desired against observed state, with the warnings of loading carried into it. */
export function planFrom(input: {
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  readonly targets?: readonly string[] | undefined;
  readonly warnings?: readonly Diagnostic[];
}) {
  return buildPlan({
    desired: input.desired,
    observed: input.observed,
    jsplanVersion: jsplanVersion(),
    ...(input.targets && input.targets.length > 0 ? { targets: input.targets } : {}),
    ...(input.warnings ? { warnings: input.warnings } : {}),
  });
}

/** Reads the account's state; a failure says what went wrong and what jsplan needs. */
export async function observeSession(session: Session): Promise<ObservedState> {
  try {
    return await observe(session.api, session.info, session.account);
  } catch (err) {
    // A permission error names the refused subject; say what jsplan needs as a whole, once.
    const needs =
      err instanceof JsTransportError && err.kind === "permission"
        ? `; jsplan needs publish permission on ${session.api.options.prefix}.> and subscribe permission on _INBOX.>`
        : "";
    throw new ObserveFailure(`reading the server's state failed: ${describeApiError(err)}${needs}`, {
      cause: err,
    });
  }
}

export function describeApiError(err: unknown): string {
  if (err instanceof JsApiError) return `${err.description} (error ${err.errCode})`;
  if (err instanceof JsTransportError) return err.message;
  return (err as Error)?.message ?? String(err);
}

/** Opens a session and reads the state; the session is closed again if reading fails. */
export async function connectAndObserve(
  settings: ConnectionSettings | (() => ConnectionSettings),
): Promise<{ session: Session; observed: ObservedState }> {
  const session = await openSession(typeof settings === "function" ? settings() : settings);
  try {
    return { session, observed: await observeSession(session) };
  } catch (err) {
    await session.close();
    throw err;
  }
}

export async function planSession(req: PlanRequest): Promise<PlannedSession> {
  const started = performance.now();
  const read =
    "files" in req.manifest
      ? { files: [...req.manifest.files], diagnostics: [] }
      : await readSources(req.manifest.paths, req.manifest);
  if (hasErrors(read.diagnostics)) throw new ManifestInvalid(read.diagnostics);
  let observedAt = 0;
  // Reading the server's state starts first, so that its requests are on their way while the manifest is
  // parsed and checked. Neither may reject unseen while the other is awaited.
  const live = connectAndObserve(req.connection).then(
    (v) => {
      observedAt = performance.now() - started;
      return { ok: true as const, ...v };
    },
    (err: unknown) => ({ ok: false as const, err }),
  );
  const loaded = await loadSourcesInterleaved(read.files, req.env);
  const loadedAt = performance.now() - started;
  const diagnostics = sortDiagnostics([...read.diagnostics, ...loaded.diagnostics]);
  if (hasErrors(diagnostics) || !loaded.desired) {
    const r = await live;
    if (r.ok) await r.session.close();
    throw new ManifestInvalid(diagnostics, loaded.unlisted);
  }
  const r = await live;
  if (!r.ok) throw r.err;
  const { session, observed } = r;
  const outcome = planFrom({
    desired: loaded.desired,
    observed,
    targets: req.targets,
    warnings: diagnostics.filter((d) => d.severity === "warning"),
  });
  if (!outcome.plan) {
    await session.close();
    throw new PlanRefused(outcome.diagnostics);
  }
  return {
    plan: outcome.plan,
    desired: loaded.desired,
    observed,
    files: loaded.files,
    warnings: outcome.diagnostics,
    session,
    timings: { observed: observedAt, loaded: loadedAt, planned: performance.now() - started },
  };
}
