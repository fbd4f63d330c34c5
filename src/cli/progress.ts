// Progress of an apply: on a terminal, a live bar under the finished steps with the rate, the time elapsed
// and left, and the failures so far; in CI logs (no terminal, or CI set), one plain line per finished step
// and every 10 seconds a plain progress line, so that logs read well and nothing is redrawn.

import type { StepResult } from "../apply/result.js";
import type { Style } from "../render/style.js";
import type { Writer } from "./io.js";

const VERB: Record<StepResult["action"], string> = {
  create: "created",
  update: "updated",
  replace: "replaced",
  delete: "deleted",
};

export function stepLine(r: StepResult, style: Style): string {
  const time = style.dim(`(${r.duration_ms}ms)`);
  switch (r.status) {
    case "succeeded": {
      const adjusted = r.adjusted?.length
        ? style.yellow(`  server adjusted: ${r.adjusted.map((a) => a.path).join(", ")}`)
        : "";
      return `${style.green("✓")} ${r.address} ${VERB[r.action]} ${time}${adjusted}`;
    }
    case "failed": {
      const code = r.error?.code ? ` (${r.error.code})` : "";
      const hint = r.error?.hint ? `\n    ${style.dim(`hint: ${r.error.hint}`)}` : "";
      return `${style.red("✗")} ${r.address} ${r.action} failed ${time}: ${r.error?.description ?? "unknown error"}${code}${hint}`;
    }
    case "changed":
      return `${style.yellow("!")} ${r.address} changed since the plan was made, so it was not ${VERB[r.action]}: ${(r.changed ?? []).join("; ")}`;
    case "unknown": {
      const hint = r.error?.hint ? `\n    ${style.dim(`hint: ${r.error.hint}`)}` : "";
      return `${style.yellow("?")} ${r.address} ${r.action}: no answer came ${time}; it may or may not have been ${VERB[r.action]}${r.error ? ` (${r.error.description})` : ""}${hint}`;
    }
    default:
      return `${style.yellow("-")} ${r.address} not executed: ${r.reason ?? "not reached"}`;
  }
}

const READ_BACK: Record<NonNullable<StepResult["read_back"]>, string> = {
  done: "it was done",
  not_done: "it was not done",
  half_done: "the old one was deleted, and the new one was not created",
};

/** After the run: what reading back a step without an answer showed. */
export function readBackLine(r: StepResult, style: Style): string {
  const mark = r.read_back === "done" ? style.green("✓") : style.red("✗");
  return `  ${mark} read back: ${r.address} ${r.action}: ${READ_BACK[r.read_back!]}`;
}

export interface Progress {
  finished(r: StepResult): void;
  done(): void;
}

/** Seconds as `0:07`, `2:03`, `1:02:03`. */
export function clockTime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** How far an apply is: `420/1800 steps (23%) · 12.3/s · 0:34 elapsed · ~1:52 left · 2 failed`. */
export function progressStats(count: number, total: number, failed: number, elapsedMs: number): string {
  const secs = elapsedMs / 1000;
  const parts = [`${count}/${total} steps${total > 0 ? ` (${Math.floor((count / total) * 100)}%)` : ""}`];
  if (secs >= 1 && count > 0) {
    const rate = count / secs;
    parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`);
  }
  parts.push(`${clockTime(secs)} elapsed`);
  if (secs >= 1 && count > 0 && count < total)
    parts.push(`~${clockTime(((total - count) * secs) / count)} left`);
  if (failed > 0) parts.push(`${failed} failed`);
  return parts.join(" · ");
}

/** In a log (no terminal): a progress line at most this often, between the step lines. */
export const LOG_PROGRESS_EVERY_MS = 10_000;

export function progressFor(
  stream: Writer,
  env: Readonly<Record<string, string | undefined>>,
  total: number,
  style: Style,
  quiet: boolean,
  options: {
    /** Steps not executed get a line each only with --verbose; the report at the end counts them by cause. */
    readonly verbose?: boolean;
    readonly clock?: () => number;
  } = {},
): Progress {
  const verbose = options.verbose ?? false;
  const clock = options.clock ?? (() => performance.now());
  const live = stream.isTTY && !env.CI;
  let count = 0;
  let failed = 0;
  const started = clock();
  let lastLine = started;
  const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 70));
  const bar = () => {
    const filled = total === 0 ? width : Math.round((count / total) * width);
    const stats = progressStats(count, total, failed, clock() - started);
    const text = failed > 0 ? stats.replace(/ · (\d+) failed$/, (m) => style.red(m)) : stats;
    return `\r\u001b[2K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}`;
  };
  return {
    finished(r) {
      count++;
      if (r.status === "failed") failed++;
      const show = r.status === "not_executed" ? verbose : !quiet || r.status !== "succeeded";
      if (live) {
        stream.write(`\r\u001b[2K${show ? `${stepLine(r, style)}\n` : ""}${bar()}`);
        return;
      }
      if (show) stream.write(`${stepLine(r, style)}\n`);
      const now = clock();
      if (!quiet && now - lastLine >= LOG_PROGRESS_EVERY_MS && count < total) {
        lastLine = now;
        stream.write(`${style.dim(`progress: ${progressStats(count, total, failed, now - started)}`)}\n`);
      }
    },
    done() {
      if (live) stream.write("\r\u001b[2K");
    },
  };
}
