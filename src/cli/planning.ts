// The part of `plan` and `apply` they share: load the manifest, connect, observe, plan. Each failure ends
// with a clear message and exit 1, and nothing on the server is touched.

import { loadManifests } from "../load/load.js";
import type { SourceFile } from "../load/yaml-document.js";
import type { DesiredState } from "../model/desired.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { ObservedState } from "../model/observed.js";
import type { Plan } from "../model/plan.js";
import { ConnectionFailure, openSession, type Session } from "../observe/connection.js";
import { JsApiError, JsTransportError } from "../observe/js-api.js";
import { observe } from "../observe/observe.js";
import { buildPlan } from "../plan/plan.js";
import { countBySeverity, plural, renderDiagnostics } from "../render/diagnostics.js";
import type { Style } from "../render/style.js";
import { jsplanVersion } from "../version.js";
import { type ConnectionFlags, resolveConnection } from "./connection-args.js";
import { ExitError } from "./exit-error.js";
import type { CliIO } from "./io.js";

export interface PlanningArgs {
  readonly paths: readonly string[];
  readonly targets: readonly string[];
  readonly connection: ConnectionFlags;
}

export interface Planned {
  readonly plan: Plan;
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  readonly files: readonly SourceFile[];
  readonly session: Session;
}

export async function loadOrExit(
  paths: readonly string[],
  io: CliIO,
  style: Style,
): Promise<{ desired: DesiredState; files: readonly SourceFile[]; warnings: Diagnostic[] }> {
  const loaded = await loadManifests(paths, { cwd: io.cwd, env: io.env, readStdin: (n) => io.readStdin(n) });
  const { errors } = countBySeverity(loaded.diagnostics);
  if (errors > 0 || !loaded.desired) {
    io.stderr.write(renderDiagnostics(loaded.diagnostics, style));
    throw new ExitError(
      1,
      `${style.red("✗")} the manifest has ${plural(errors, "error")}; nothing was sent to the server`,
    );
  }
  return {
    desired: loaded.desired,
    files: loaded.files,
    warnings: loaded.diagnostics.filter((d) => d.severity === "warning"),
  };
}

export async function connectOrExit(flags: ConnectionFlags, io: CliIO): Promise<Session> {
  const settings = resolveConnection(flags, io.env);
  try {
    return await openSession(settings);
  } catch (err) {
    if (err instanceof ConnectionFailure) throw new ExitError(1, `jsplan: ${err.message}`, { cause: err });
    throw err;
  }
}

export async function observeOrExit(session: Session): Promise<ObservedState> {
  try {
    return await observe(session.api, session.info, session.account);
  } catch (err) {
    throw new ExitError(1, `jsplan: reading the server's state failed: ${describeApiError(err)}`, {
      cause: err,
    });
  }
}

export function describeApiError(err: unknown): string {
  if (err instanceof JsApiError) return `${err.description} (error ${err.errCode})`;
  if (err instanceof JsTransportError) return err.message;
  return (err as Error)?.message ?? String(err);
}

/** Loads, connects, observes and plans. The session stays open for apply; the caller closes it. */
export async function computePlan(args: PlanningArgs, io: CliIO, style: Style): Promise<Planned> {
  const { desired, files, warnings } = await loadOrExit(args.paths, io, style);
  const session = await connectOrExit(args.connection, io);
  try {
    const observed = await observeOrExit(session);
    const outcome = buildPlan({
      desired,
      observed,
      jsplanVersion: jsplanVersion(),
      ...(args.targets.length > 0 ? { targets: args.targets } : {}),
      warnings,
    });
    if (!outcome.plan) {
      io.stderr.write(renderDiagnostics(outcome.diagnostics, style));
      const { errors } = countBySeverity(outcome.diagnostics);
      throw new ExitError(
        1,
        `${style.red("✗")} cannot plan: ${plural(errors, "error")}; nothing was changed on the server`,
      );
    }
    return { plan: outcome.plan, desired, observed, files, session };
  } catch (err) {
    await session.close();
    throw err;
  }
}
