// `jsplan watch [PATH...]`: keeps planning (at start, within a second of an advisory, every --interval) and
// prints each change of the drift picture once, as a line or a JSON object per line; with --apply it
// corrects the drift. The session is src/reconcile/watch.ts; this is the terminal, the metrics endpoint,
// the manifest's file watch and the signals around it.

import { type FSWatcher, watch as watchFiles } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { ConnectionSettings } from "../../connection/settings.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { DriftReport } from "../../model/drift.js";
import { Watcher, type WatchHooks } from "../../reconcile/watch.js";
import { renderDiagnostics } from "../../render/diagnostics.js";
import { driftJson, driftLine } from "../../render/drift.js";
import type { Style } from "../../render/style.js";
import type { ConnectionFlags } from "../connection-args.js";
import { ExitError } from "../exit-error.js";
import type { CliIO } from "../io.js";
import { connectionSettings } from "../planning.js";
import { WatchMetrics } from "../watch-metrics.js";

export interface WatchArgs {
  readonly paths: readonly string[];
  readonly connection: ConnectionFlags;
  readonly intervalMs: number;
  readonly apply: boolean;
  readonly allowDestroy: boolean;
  readonly concurrency: number;
  readonly lockTimeoutMs: number;
  readonly lockTtlMs?: number;
  readonly format: "text" | "json";
  readonly metricsListen?: { readonly host: string; readonly port: number };
}

type Emit = (type: string, text: string, data: Record<string, unknown>) => void;

export async function watchCommand(args: WatchArgs, io: CliIO, style: Style): Promise<number> {
  const metrics = new WatchMetrics(args.intervalMs);
  const emit: Emit = (type, text, data) => {
    if (args.format === "json")
      io.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), type, ...data })}\n`);
    else io.stdout.write(`${text}\n`);
  };
  let settings: ConnectionSettings;
  try {
    settings = connectionSettings(args.connection, io);
  } catch (err) {
    throw new ExitError(1, `jsplan: ${(err as Error).message}`);
  }
  const watcher = new Watcher({
    paths: args.paths,
    cwd: io.cwd,
    env: io.env,
    connection: () => settings,
    intervalMs: args.intervalMs,
    hooks: hooksFor(args, io, style, metrics, emit),
    ...(args.apply
      ? {
          apply: {
            allowDestroy: args.allowDestroy,
            concurrency: args.concurrency,
            lockTimeoutMs: args.lockTimeoutMs,
            ...(args.lockTtlMs !== undefined ? { lockTtlMs: args.lockTtlMs } : {}),
          },
        }
      : {}),
  });
  let stopping: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => {
    stopping = resolve;
  });
  const removeInterrupt = io.onInterrupt(() => stopping?.(), { hangup: false });
  const removeHangup = io.onHangup?.(() => void watcher.reload());
  const http = args.metricsListen
    ? await metrics.listen(args.metricsListen.host, args.metricsListen.port).catch((err: Error) => {
        removeInterrupt();
        removeHangup?.();
        throw new ExitError(
          1,
          `jsplan: cannot serve metrics on ${args.metricsListen!.host}:${args.metricsListen!.port}: ${err.message}`,
        );
      })
    : undefined;
  if (http)
    emit("metrics", `Metrics on http://${hostPort(http.address)}/metrics and /healthz`, {
      listen: hostPort(http.address),
    });
  const files = await followFiles(args.paths, io.cwd, () => void watcher.reload());
  try {
    await Promise.race([watcher.start(), stopped]);
    if (!watcher.hasManifest) return 1;
    await stopped;
    emit("stopping", "Stopping: steps in flight finish…", {});
    await watcher.stop();
    emit("stopped", "Stopped.", {});
    return 0;
  } finally {
    for (const f of files) f.close();
    removeInterrupt();
    removeHangup?.();
    await watcher.stop();
    if (http) await new Promise<void>((resolve) => http.server.close(() => resolve()));
  }
}

function hostPort(a: { address: string; port: number; family: string }): string {
  return a.family === "IPv6" ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

function hooksFor(args: WatchArgs, io: CliIO, style: Style, metrics: WatchMetrics, emit: Emit): WatchHooks {
  const report = (r: DriftReport) => {
    if (args.format === "json") io.stdout.write(`${driftJson(r, new Date())}\n`);
    else io.stdout.write(`${driftLine(r, style)}\n`);
  };
  const diagnostics = (list: readonly Diagnostic[]) =>
    args.format === "json"
      ? { diagnostics: list.map((d) => ({ ...d, pos: undefined, ...(d.pos ?? {}) })) }
      : {};
  let firstPlan = true;
  return {
    onManifest: ({ valid, diagnostics: list, first }) => {
      metrics.manifest(valid);
      if (valid && first) return;
      if (valid) return emit("manifest-reloaded", "Manifest reloaded.", {});
      if (args.format === "text") io.stderr.write(renderDiagnostics(list, style));
      emit(
        "manifest-invalid",
        first
          ? `${style.red("✗")} the manifest has errors; nothing to watch`
          : `${style.red("✗")} the edited manifest has errors: the last valid manifest stays in force`,
        diagnostics(list),
      );
    },
    onConnection: ({ state, message }) => {
      metrics.connected(state === "connected");
      if (state === "connected") emit("connected", "Connected.", {});
      else if (state === "disconnected")
        emit("disconnected", style.yellow("Disconnected from the server: reconnecting…"), {});
      else
        emit("unavailable", style.yellow(`Cannot reach the server (${message}): trying again…`), { message });
    },
    onPlanned: ({ picture, reports }) => {
      metrics.planned(picture, Date.now());
      if (firstPlan && picture.size === 0) emit("in-sync", "No drift: the server matches the manifest.", {});
      firstPlan = false;
      for (const r of reports) report(r);
    },
    onPlanFailed: ({ error, diagnostics: list }) => {
      metrics.planFailed(list !== undefined);
      if (list && args.format === "text") io.stderr.write(renderDiagnostics(list, style));
      const text = list ? "the plan was refused (see the errors above)" : (error as Error).message;
      emit("plan-failed", `${style.red("✗")} no plan: ${text}`, {
        message: text,
        ...(list ? diagnostics(list) : {}),
      });
    },
    onLeftAlone: ({ addresses, reason }) => {
      const why = {
        destructive: "destructive: run watch with --allow-destroy to correct it",
        contested:
          "contested: it was changed back after repeated corrections; left alone for 30 minutes or until the manifest changes",
        backoff: "its correction failed; trying again later",
      }[reason];
      emit("left-alone", `${style.yellow("left alone")}: ${addresses.join(", ")}: ${why}`, {
        addresses,
        reason,
      });
    },
    onApplied: ({ result }) => {
      metrics.steps(result.results.map((r) => r.status));
      for (const r of result.results) {
        const error = r.error ? `: ${r.error.code ?? ""} ${r.error.description}`.trimEnd() : "";
        const mark = r.status === "succeeded" ? style.green("✓") : style.red("✗");
        emit("step", `${mark} corrected ${r.address} (${r.action}): ${r.status}${error}`, {
          address: r.address,
          action: r.action,
          status: r.status,
          ...(r.error ? { error: r.error } : {}),
        });
      }
    },
    onApplyFailed: ({ error }) =>
      emit("apply-failed", `${style.red("✗")} correction not made: ${(error as Error).message}`, {
        message: (error as Error).message,
      }),
  };
}

/** Watches the manifest's files (their folders, so that an editor's replace-by-rename is seen). */
async function followFiles(
  paths: readonly string[],
  cwd: string,
  onChange: () => void,
): Promise<FSWatcher[]> {
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, 150);
  };
  const out: FSWatcher[] = [];
  for (const p of paths.length > 0 ? paths : ["jsplan.yaml"]) {
    const full = path.resolve(cwd, p);
    const isDir = await stat(full).then(
      (s) => s.isDirectory(),
      () => false,
    );
    const dir = isDir ? full : path.dirname(full);
    const name = path.basename(full);
    try {
      const w = watchFiles(dir, { recursive: isDir }, (_event, file) => {
        if (isDir || file === null || String(file) === name) changed();
      });
      w.unref();
      out.push(w);
    } catch {
      // A folder that cannot be watched: SIGHUP still reloads.
    }
  }
  return out;
}
