// Several accounts in one run: manifest files that name a natscli context (`context: NAME`) are planned
// against that context's account, each target with its own session, owner, apply lock and preflight (the
// single-target session of planning.ts, once per target). Without `context:` in any file this is
// planSession itself, unchanged.

import { ConnectionFailure } from "../connection/errors.js";
import { listContexts } from "../connection/natscli-context.js";
import { resolveNamedContext } from "../connection/resolve.js";
import type { ConnectionSettings } from "../connection/settings.js";
import { streamNameOf } from "../jetstream/buckets.js";
import { loadSourcesInterleaved } from "../load/load.js";
import { type LoadedTarget, namesContexts } from "../load/targets.js";
import type { SourceFile } from "../load/yaml-document.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "../model/diagnostic.js";
import type { ObservedState } from "../model/observed.js";
import { ApplyLocked, ManifestInvalid, ObserveFailure } from "./errors.js";
import {
  closeAll,
  connectAndObserve,
  type PlannedSession,
  type PlanRequest,
  planOnSession,
  planRead,
  readManifest,
} from "./planning.js";

export interface TargetsRequest extends PlanRequest {
  /**
   * The settings of a context a file names; by default the context alone (see resolveNamedContext). The
   * default target keeps `connection`.
   */
  readonly contextConnection?: (name: string) => ConnectionSettings;
}

/** One target's planned session: the natscli context its files name, or null for the default target. */
export interface PlannedTarget extends PlannedSession {
  readonly context: string | null;
}

export interface PlannedTargets {
  /** True when any file names a context: the plan is shown grouped by target (even with only one). */
  readonly grouped: boolean;
  /** The default target first (when there is one), then each context in the order the files name it. */
  readonly targets: readonly PlannedTarget[];
}

/** A quick look for a top-level `context:` key: without one, the manifest is planned exactly as before. */
const CONTEXT_KEY = /^(?:\{\s*)?["']?context["']?[ \t]*:/m;

/** Plans every target; all sessions are closed again if any target fails. The caller closes them after. */
export async function planTargets(req: TargetsRequest): Promise<PlannedTargets> {
  const read = await readManifest(req.manifest);
  if (!read.files.some((f) => CONTEXT_KEY.test(f.text))) {
    return { grouped: false, targets: [{ ...(await planRead(read, req)), context: null }] };
  }
  const started = performance.now();
  const loaded = await loadSourcesInterleaved(read.files, req.env);
  const loadedAt = performance.now() - started;
  const diagnostics = sortDiagnostics([...read.diagnostics, ...loaded.diagnostics]);
  if (hasErrors(diagnostics) || !loaded.targets) throw new ManifestInvalid(diagnostics, loaded.unlisted);
  const targets = loaded.targets;
  const settings = settingsOfTargets(targets, req);
  // Every target's state is read at the same time; a failure of one closes the others.
  const live = await Promise.all(
    targets.map((_t, i) =>
      connectAndObserve(settings[i]!, req.lock).then(
        (v) => ({ ok: true as const, ...v }),
        (err: unknown) => ({ ok: false as const, err }),
      ),
    ),
  );
  const opened = live.flatMap((r) => (r.ok ? [r] : []));
  const failed = live.find((r) => !r.ok);
  if (failed && !failed.ok) {
    await Promise.all(opened.map((r) => closeAll(r)));
    const t = targets[live.indexOf(failed)]!;
    const same = sameAccount(failed.err, live, targets);
    if (same) throw same;
    throw t.context === null ? failed.err : namingContext(failed.err, t.context);
  }
  const scoped = scopeTargets(req.targets ?? [], targets, opened);
  const planned: PlannedTarget[] = [];
  let at = 0;
  try {
    for (; at < targets.length; at++) {
      const t = targets[at]!;
      const r = opened[at]!;
      const observedAt = performance.now() - started;
      const addresses = scoped[at];
      if (addresses?.length === 0) {
        // --target names nothing of this target: it is left out of the run.
        await closeAll(r);
        continue;
      }
      const input = { desired: t.desired, files: t.files, warnings: warningsOf(t.files, diagnostics, at) };
      const one = await planOnSession(r, input, { ...req, ...(addresses ? { targets: addresses } : {}) });
      const timings = { observed: observedAt, loaded: loadedAt, planned: performance.now() - started };
      planned.push({ ...one, timings, context: t.context });
    }
  } catch (err) {
    // planOnSession closed the one it could not plan; close the planned ones and those not reached.
    await Promise.all([...planned, ...opened.slice(at + 1)].map((r) => closeAll(r)));
    throw err;
  }
  return { grouped: namesContexts(targets), targets: planned };
}

/**
 * The connection settings of each target, before any connection: a context a file names that cannot be
 * used is a manifest error at its `context:` key, naming the contexts there are.
 */
function settingsOfTargets(targets: readonly LoadedTarget[], req: TargetsRequest): ConnectionSettings[] {
  const problems: Diagnostic[] = [];
  const resolve = req.contextConnection ?? ((name: string) => resolveNamedContext(name, {}, req.env));
  const settings = targets.map((t) => {
    if (t.context === null) return req.connection();
    try {
      return resolve(t.context);
    } catch (err) {
      problems.push({
        severity: "error",
        ...(t.pos ? { pos: t.pos } : {}),
        code: "manifest.context",
        message: contextProblem(err, req.env),
      });
      return undefined;
    }
  });
  if (problems.length > 0) throw new ManifestInvalid(problems);
  return settings as ConnectionSettings[];
}

function contextProblem(err: unknown, env: Readonly<Record<string, string | undefined>>): string {
  const message = (err as Error)?.message ?? String(err);
  if (!/not found/.test(message)) return message;
  const there = listContexts(env);
  return `${message.replace(/; list the contexts.*$/, "")}; ${
    there.length > 0
      ? `the contexts there are: ${there.join(", ")}`
      : "there are no natscli contexts (create one with `nats context save NAME`)"
  }`;
}

/**
 * `--target` over several targets: each target plans the addresses it declares or its server holds (the
 * same address in two accounts is targeted in both); a target with none of them is left out; an address
 * in no target stays in every one, whose plan then says that it is unknown. Undefined without --target.
 */
function scopeTargets(
  addresses: readonly string[],
  targets: readonly LoadedTarget[],
  opened: readonly { readonly observed: ObservedState }[],
): (string[] | undefined)[] {
  if (addresses.length === 0) return targets.map(() => undefined);
  const mine = targets.map((t, i) => {
    const d = t.desired;
    const declared = new Set(
      [...d.streams, ...d.consumers, ...d.keyValues, ...d.objectStores].map((r) => r.address),
    );
    const observed = opened[i]!.observed;
    return addresses.filter((a) => {
      const stream = streamNameOf(a);
      return (
        declared.has(a) || observed.consumers.has(a) || (stream !== undefined && observed.streams.has(stream))
      );
    });
  });
  const nowhere = addresses.filter((a) => !mine.some((m) => m.includes(a)));
  return mine.map((m) => (nowhere.length > 0 ? [...m, ...nowhere] : m));
}

/**
 * Two targets that reach the same account would each take its apply lock, and the second finds the
 * first's: say so, rather than "another apply holds the lock".
 */
function sameAccount(
  err: unknown,
  live: readonly ({ ok: true; lease?: { holder: { id: string } } | undefined } | { ok: false })[],
  targets: readonly LoadedTarget[],
): ManifestInvalid | undefined {
  if (!(err instanceof ApplyLocked) || !err.holder) return undefined;
  const holderId = err.holder.id;
  const first = live.findIndex((r) => r.ok && r.lease?.holder.id === holderId);
  const second = live.findIndex((r) => !r.ok);
  if (first < 0) return undefined;
  const name = (t: LoadedTarget) => (t.context === null ? "the default target" : `context "${t.context}"`);
  const [a, b] = [targets[first]!, targets[second]!];
  return new ManifestInvalid([
    {
      severity: "error",
      ...((b.pos ?? a.pos) ? { pos: (b.pos ?? a.pos)! } : {}),
      code: "manifest.context-same-account",
      message: `${name(a)} and ${name(b)} reach the same account (the second found the first's apply lock); put that account's files under one context`,
    },
  ]);
}

/** A connection or reading failure of a named target says which target it is. */
function namingContext(err: unknown, context: string): unknown {
  if (err instanceof ConnectionFailure)
    return new ConnectionFailure(`context "${context}": ${err.message}`, { cause: err });
  if (err instanceof ObserveFailure)
    return new ObserveFailure(`context "${context}": ${err.message}`, { cause: err });
  return err;
}

/** A target's warnings: those in its files; one about no file goes with the first target. */
function warningsOf(
  files: readonly SourceFile[],
  diagnostics: readonly Diagnostic[],
  index: number,
): Diagnostic[] {
  const own = new Set(files.map((f) => f.path));
  return diagnostics.filter((d) => (d.pos ? own.has(d.pos.file) : index === 0));
}
