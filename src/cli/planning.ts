// The CLI's side of the sessions in src/reconcile: the arguments they take, and their typed errors as
// output and an exit code. Each failure ends with a clear message and exit 1, and nothing on the server is
// touched.

import { ConnectionFailure } from "../connection/errors.js";
import { resolveNamedContext } from "../connection/resolve.js";
import type { Session } from "../connection/session.js";
import type { ConnectionSettings } from "../connection/settings.js";
import type { ObservedState } from "../model/observed.js";
import {
  ApplyLocked,
  ApplyRefused,
  ManifestInvalid,
  ObserveFailure,
  PlanRefused,
  SavedPlanRefused,
} from "../reconcile/errors.js";
import type { Lease, LockRequest } from "../reconcile/locking.js";
import { closeAll, connectAndObserve, type PlannedSession } from "../reconcile/planning.js";
import { type PlannedTargets, planTargets } from "../reconcile/planning-targets.js";
import { countBySeverity, plural, renderDiagnostics } from "../render/diagnostics.js";
import type { Style } from "../render/style.js";
import { CONNECTION_OPTIONS, type ConnectionFlags, resolveConnection } from "./connection-args.js";
import { ExitError } from "./exit-error.js";
import { failureJson } from "./failure-json.js";
import type { CliIO } from "./io.js";

export interface PlanningArgs {
  readonly paths: readonly string[];
  readonly targets: readonly string[];
  readonly connection: ConnectionFlags;
  /** Print where the time went (reading, loading, planning) to stderr. */
  readonly verbose?: boolean;
  /** Take the account's apply lock before reading the state (apply, unless --no-lock). */
  readonly lock?: LockRequest;
  /** apply --no-lock: plan for an apply that creates no lock stream. */
  readonly withoutLock?: boolean;
  /** Also print a failure as a JSON document on stdout (plan --format json). */
  readonly failureAsJson?: boolean;
}

export function connectionSettings(flags: ConnectionFlags, io: CliIO): ConnectionSettings {
  return resolveConnection(flags, io.env);
}

/** A session's typed error as the CLI reports it: the diagnostics or message on stderr, then exit 1. */
export function exitFor(err: unknown, io: CliIO, style: Style): never {
  if (err instanceof ManifestInvalid) {
    io.stderr.write(renderDiagnostics(err.diagnostics, style));
    const more = err.unlisted?.errors ?? 0;
    if (more > 0)
      io.stderr.write(`… and ${plural(more, "more error")}, not listed: fix the ones above first\n`);
    const errors = countBySeverity(err.diagnostics).errors + more;
    throw new ExitError(
      1,
      `${style.red("✗")} the manifest has ${plural(errors, "error")}; nothing was sent to the server`,
    );
  }
  if (err instanceof PlanRefused) {
    io.stderr.write(renderDiagnostics(err.diagnostics, style));
    const { errors } = countBySeverity(err.diagnostics);
    throw new ExitError(
      1,
      `${style.red("✗")} cannot plan: ${plural(errors, "error")}; nothing was changed on the server`,
    );
  }
  if (err instanceof ApplyRefused) {
    throw new ExitError(
      1,
      `${style.red("Apply refused")}; nothing was changed on the server:\n${err.problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  if (err instanceof SavedPlanRefused) {
    throw new ExitError(1, err.kind === "stale" ? err.message : `jsplan: ${err.message}`);
  }
  if (err instanceof ApplyLocked) {
    // A lock that cannot be set up says what to do in its own message (room, permission, --no-lock).
    const what =
      err.kind === "held"
        ? " To go on, wait for it to finish, or give --lock-timeout (e.g. --lock-timeout 5m) to wait for it."
        : " (--no-lock runs without the lock: another apply could then interleave its steps with these.)";
    throw new ExitError(1, `${style.red("Apply refused")}: ${err.message}; nothing was changed.${what}`);
  }
  if (err instanceof ConnectionFailure || err instanceof ObserveFailure) {
    throw new ExitError(1, `jsplan: ${err.message}`, { cause: err });
  }
  throw err;
}

/** Connects and reads the state, or exits with the reason. */
export async function observeOrExit(
  flags: ConnectionFlags,
  io: CliIO,
  style: Style,
  lock?: LockRequest,
): Promise<{ session: Session; observed: ObservedState; lease?: Lease }> {
  try {
    return await connectAndObserve(() => connectionSettings(flags, io), lock);
  } catch (err) {
    return exitFor(err, io, style);
  }
}

/** Loads, connects, observes and plans, or exits with the reason. The caller closes the session. */
export async function planOrExit(args: PlanningArgs, io: CliIO, style: Style): Promise<PlannedSession> {
  const planned = await planTargetsOrExit(args, io, style);
  const only = planned.targets[0]!;
  if (!planned.grouped) return only;
  await Promise.all(planned.targets.map((t) => closeAll(t)));
  throw new ExitError(1, `jsplan: ${MULTI_TARGET_REFUSED}`);
}

/** For commands that plan one target only. */
const MULTI_TARGET_REFUSED =
  "this command plans one target, and the manifest's files name natscli contexts (context:); run it without those files, or per context";

/**
 * Loads, connects to every target (the default one and each context the files name), observes and plans,
 * or exits with the reason. The caller closes the sessions.
 */
export async function planTargetsOrExit(
  args: PlanningArgs,
  io: CliIO,
  style: Style,
): Promise<PlannedTargets> {
  let planned: PlannedTargets;
  try {
    planned = await planTargets({
      manifest: { paths: args.paths, cwd: io.cwd, readStdin: (n) => io.readStdin(n) },
      env: io.env,
      connection: () => connectionSettings(args.connection, io),
      contextConnection: (name) => resolveNamedContext(name, args.connection, io.env),
      targets: args.targets,
      ...(args.lock ? { lock: args.lock } : {}),
      ...(args.withoutLock ? { withoutLock: true } : {}),
    });
  } catch (err) {
    const doc = args.failureAsJson ? failureJson(err) : undefined;
    if (doc) io.stdout.write(doc);
    return exitFor(err, io, style);
  }
  const flags = Object.keys(CONNECTION_OPTIONS).filter(
    (k) => k !== "timeout" && (args.connection as Record<string, unknown>)[k] !== undefined,
  );
  if (planned.grouped && flags.length > 0 && planned.targets.every((t) => t.context !== null)) {
    io.stderr.write(
      `${style.yellow("Warning")}: every manifest file names a natscli context (context:), so the connection flags (${flags.map((k) => `--${k}`).join(", ")}) are not used: they apply to files without context: only.\n`,
    );
  }
  if (args.verbose) {
    for (const { observed, session, files, timings } of planned.targets) {
      const ms = (t: number) => `${Math.round(t)} ms`;
      io.stderr.write(
        style.dim(
          `read ${plural(observed.streams.size, "stream")} and ${plural(observed.consumers.size, "durable consumer")} from ${session.where} by ${ms(timings.observed)}; ` +
            `loaded ${plural(files.length, "manifest file")} by ${ms(timings.loaded)}; planned by ${ms(timings.planned)}\n`,
        ),
      );
    }
  }
  return planned;
}
