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
import { type Diagnostic, hasErrors, type SourcePos, sortDiagnostics } from "../model/diagnostic.js";
import type { ObservedState } from "../model/observed.js";
import type { Plan, PlanTarget } from "../model/plan.js";
import { readEntries } from "../observe/entries.js";
import { observe } from "../observe/observe.js";
import { buildPlan } from "../plan/plan.js";
import { jsplanVersion } from "../version.js";
import { ManifestInvalid, ObserveFailure, PlanRefused } from "./errors.js";
import { type Lease, type LockRequest, lockSession } from "./locking.js";

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
  /** Take the account's apply lock before reading the state (apply does; plan does not). */
  readonly lock?: LockRequest;
  /**
   * An apply without the lock (--no-lock): the preflight does not count the lock's stream that a locking
   * apply would create (one that exists is counted, as it is there).
   */
  readonly withoutLock?: boolean;
}

export interface PlannedSession {
  readonly plan: Plan;
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  readonly files: readonly SourceFile[];
  /** The warnings of loading and planning, sorted by place (also in the plan). */
  readonly warnings: readonly Diagnostic[];
  readonly session: Session;
  /** The apply lock, when the request asked for it: release it before closing the session. */
  readonly lease?: Lease;
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

/** Where a plan is made: the URLs (without credentials) and the context. */
export function targetOf(session: Session): PlanTarget {
  return { url: session.where.replace(/\*\*\*@/g, ""), context: session.context, account: null };
}

/**
 * Reads the account's state (with the keys of the buckets whose manifest declares entries, when the
 * manifest is given); a failure says what went wrong and what jsplan needs.
 */
export async function observeSession(session: Session, desired?: DesiredState): Promise<ObservedState> {
  try {
    const observed = await observe(session.api, session.info, session.account);
    return desired ? await withEntries(session, observed, desired) : observed;
  } catch (err) {
    throw observeFailure(err, session);
  }
}

/** The state with the keys of every bucket whose manifest declares `entries` (none read when none does). */
export async function withEntries(
  session: Session,
  observed: ObservedState,
  desired: DesiredState,
): Promise<ObservedState> {
  return withBucketEntries(
    session,
    observed,
    desired.keyValues.filter((b) => b.entries !== undefined).map((b) => b.name),
  );
}

/** The state with the keys of these buckets (export --with-entries reads those it exports). */
export async function withBucketEntries(
  session: Session,
  observed: ObservedState,
  buckets: readonly string[],
): Promise<ObservedState> {
  if (buckets.length === 0) return observed;
  try {
    return { ...observed, entries: await readEntries(session.api, buckets) };
  } catch (err) {
    throw observeFailure(err, session);
  }
}

function observeFailure(err: unknown, session: Session): ObserveFailure {
  if (err instanceof ObserveFailure) return err;
  // A permission error names the refused subject; say what jsplan needs as a whole, once.
  const needs =
    err instanceof JsTransportError && err.kind === "permission"
      ? `; jsplan needs publish permission on ${session.api.options.prefix}.> and subscribe permission on _INBOX.>`
      : "";
  return new ObserveFailure(`reading the server's state failed: ${describeApiError(err)}${needs}`, {
    cause: err,
  });
}

export function describeApiError(err: unknown): string {
  if (err instanceof JsApiError) return `${err.description} (error ${err.errCode})`;
  if (err instanceof JsTransportError) return err.message;
  return (err as Error)?.message ?? String(err);
}

/**
 * Opens a session and reads the state (after taking the apply lock, when asked); the session is closed
 * and the lock released again if anything fails.
 */
export async function connectAndObserve(
  settings: ConnectionSettings | (() => ConnectionSettings),
  lock?: LockRequest,
): Promise<{ session: Session; observed: ObservedState; lease?: Lease }> {
  const session = await openSession(typeof settings === "function" ? settings() : settings);
  let lease: Lease | undefined;
  try {
    if (lock) lease = await lockSession(session, lock);
    const observed = await observeSession(session);
    if (!lease) return { session, observed };
    // The lock this run holds is not "an apply is running".
    const own = observed.lease?.holder?.id === lease.holder.id;
    return {
      session,
      observed: own ? { ...observed, lease: { present: true, holder: null } } : observed,
      lease,
    };
  } catch (err) {
    await lease?.release();
    await session.close();
    throw err;
  }
}

/** The manifest's files as read (or as given); a file that cannot be read ends the session at once. */
export async function readManifest(
  manifest: ManifestSource,
): Promise<{ files: SourceFile[]; diagnostics: Diagnostic[] }> {
  const read =
    "files" in manifest
      ? { files: [...manifest.files], diagnostics: [] }
      : await readSources(manifest.paths, manifest);
  if (hasErrors(read.diagnostics)) throw new ManifestInvalid(read.diagnostics);
  return read;
}

export async function planSession(req: PlanRequest): Promise<PlannedSession> {
  return planRead(await readManifest(req.manifest), req);
}

/** planSession once the files are read. */
export async function planRead(
  read: { readonly files: readonly SourceFile[]; readonly diagnostics: readonly Diagnostic[] },
  req: PlanRequest,
): Promise<PlannedSession> {
  const started = performance.now();
  let observedAt = 0;
  // Reading the server's state starts first, so that its requests are on their way while the manifest is
  // parsed and checked. Neither may reject unseen while the other is awaited.
  const live = connectAndObserve(req.connection, req.lock).then(
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
    if (r.ok) await closeAll(r);
    throw new ManifestInvalid(diagnostics, loaded.unlisted);
  }
  const named = oneTargetOnly(loaded.targets ?? []);
  if (named.length > 0) {
    const r = await live;
    if (r.ok) await closeAll(r);
    throw new ManifestInvalid(named);
  }
  const r = await live;
  if (!r.ok) throw r.err;
  const planned = await planOnSession(
    r,
    { desired: loaded.desired, files: loaded.files, warnings: diagnostics },
    req,
  );
  return {
    ...planned,
    timings: { observed: observedAt, loaded: loadedAt, planned: performance.now() - started },
  };
}

/**
 * A session of one target cannot take files that name natscli contexts: their resources would go to the
 * wrong account. An error at each `context:` key (planTargets plans them).
 */
export function oneTargetOnly(
  targets: readonly { readonly context: string | null; readonly pos?: SourcePos }[],
  what = "this session plans one target (the connection given)",
): Diagnostic[] {
  return targets.flatMap((t) =>
    t.context === null
      ? []
      : [
          {
            severity: "error" as const,
            ...(t.pos ? { pos: t.pos } : {}),
            code: "manifest.context-unsupported",
            message: `${what}, and this file names the natscli context "${t.context}"; remove \`context:\`, or plan it with jsplan plan or apply (which plan every target)`,
          },
        ],
  );
}

/** What one target declares, with the warnings of loading its files. */
export interface TargetInput {
  readonly desired: DesiredState;
  readonly files: readonly SourceFile[];
  readonly warnings: readonly Diagnostic[];
}

/** The plan of one target once its state is read; the session is closed when it cannot be planned. */
export async function planOnSession(
  r: { readonly session: Session; readonly observed: ObservedState; readonly lease?: Lease | undefined },
  input: TargetInput,
  req: Pick<PlanRequest, "targets" | "withoutLock">,
): Promise<Omit<PlannedSession, "timings">> {
  const { session, lease } = r;
  let observed = req.withoutLock ? withoutPredictedLock(r.observed) : r.observed;
  try {
    observed = await withEntries(session, observed, input.desired);
  } catch (err) {
    await closeAll(r);
    throw err;
  }
  lease?.describeOwner(input.desired.owner ?? null);
  const outcome = planFrom({
    desired: input.desired,
    observed,
    targets: req.targets,
    warnings: input.warnings.filter((d) => d.severity === "warning"),
  });
  if (!outcome.plan) {
    await closeAll(r);
    throw new PlanRefused(outcome.diagnostics);
  }
  return {
    plan: { ...outcome.plan, target: targetOf(session) },
    desired: input.desired,
    observed,
    files: input.files,
    warnings: outcome.diagnostics,
    session,
    ...(lease ? { lease } : {}),
  };
}

/** Releases the lock (if held) and closes the session. */
export async function closeAll(s: { readonly session: Session; readonly lease?: Lease | undefined }) {
  await s.lease?.release();
  await s.session.close();
}

/** The state as an apply without the lock meets it: no lock stream to be created. */
export function withoutPredictedLock(observed: ObservedState): ObservedState {
  if (!observed.lease || observed.lease.present) return observed;
  const { lease: _none, ...rest } = observed;
  return rest;
}
