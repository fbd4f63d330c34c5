// The part of `plan` and `apply` they share: load the manifest, connect, observe, plan. Each failure ends
// with a clear message and exit 1, and nothing on the server is touched.

import { ConnectionFailure } from "../connection/errors.js";
import { JsApiError, JsTransportError } from "../connection/js-api.js";
import { openSession, type Session } from "../connection/session.js";
import { loadSourcesInterleaved } from "../load/load.js";
import { readSources } from "../load/sources.js";
import type { SourceFile } from "../load/yaml-document.js";
import type { DesiredState } from "../model/desired.js";
import { type Diagnostic, sortDiagnostics } from "../model/diagnostic.js";
import type { ObservedState } from "../model/observed.js";
import type { Plan } from "../model/plan.js";
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
  /** Print where the time went (reading, loading, planning) to stderr. */
  readonly verbose?: boolean;
}

export interface Planned {
  readonly plan: Plan;
  readonly desired: DesiredState;
  readonly observed: ObservedState;
  readonly files: readonly SourceFile[];
  readonly session: Session;
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
    // A permission error names the refused subject; say what jsplan needs as a whole, once.
    const needs =
      err instanceof JsTransportError && err.kind === "permission"
        ? `; jsplan needs publish permission on ${session.api.options.prefix}.> and subscribe permission on _INBOX.>`
        : "";
    throw new ExitError(1, `jsplan: reading the server's state failed: ${describeApiError(err)}${needs}`, {
      cause: err,
    });
  }
}

export function describeApiError(err: unknown): string {
  if (err instanceof JsApiError) return `${err.description} (error ${err.errCode})`;
  if (err instanceof JsTransportError) return err.message;
  return (err as Error)?.message ?? String(err);
}

/**
 * Loads, connects, observes and plans. Reading the server's state starts first, so that its requests are
 * on their way while the manifest is parsed and checked. A manifest error still wins over a connection
 * error: it is the one to fix first, and it is found without the server. The session stays open for apply;
 * the caller closes it.
 */
export async function computePlan(args: PlanningArgs, io: CliIO, style: Style): Promise<Planned> {
  const started = performance.now();
  const read = await readSources(args.paths, { cwd: io.cwd, readStdin: (n) => io.readStdin(n) });
  if (countBySeverity(read.diagnostics).errors > 0) failManifest(read.diagnostics, io, style);
  let observedAt = 0;
  const reading = connectOrExit(args.connection, io).then(async (session) => {
    try {
      const observed = await observeOrExit(session);
      observedAt = performance.now();
      return { session, observed };
    } catch (err) {
      await session.close();
      throw err;
    }
  });
  // Neither may reject unseen while the other is awaited.
  const live = reading.then(
    (v) => ({ ok: true as const, ...v }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  const loaded = await loadSourcesInterleaved(read.files, io.env);
  const loadedAt = performance.now();
  const diagnostics = sortDiagnostics([...read.diagnostics, ...loaded.diagnostics]);
  if (countBySeverity(diagnostics).errors > 0 || !loaded.desired) {
    const r = await live;
    if (r.ok) await r.session.close();
    failManifest(diagnostics, io, style);
  }
  const r = await live;
  if (!r.ok) throw r.err;
  const { session, observed } = r;
  const desired = loaded.desired!;
  const files = loaded.files;
  const warnings = diagnostics.filter((d) => d.severity === "warning");
  try {
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
    if (args.verbose) {
      const ms = (t: number) => `${Math.round(t - started)} ms`;
      io.stderr.write(
        style.dim(
          `read ${plural(observed.streams.size, "stream")} and ${plural(observed.consumers.size, "durable consumer")} from ${session.where} by ${ms(observedAt)}; ` +
            `loaded ${plural(files.length, "manifest file")} by ${ms(loadedAt)}; planned by ${ms(performance.now())}\n`,
        ),
      );
    }
    return { plan: outcome.plan, desired, observed, files, session };
  } catch (err) {
    await session.close();
    throw err;
  }
}

function failManifest(diagnostics: readonly Diagnostic[], io: CliIO, style: Style): never {
  io.stderr.write(renderDiagnostics(diagnostics, style));
  const { errors } = countBySeverity(diagnostics);
  throw new ExitError(
    1,
    `${style.red("✗")} the manifest has ${plural(errors, "error")}; nothing was sent to the server`,
  );
}
