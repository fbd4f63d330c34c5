// Progress of an apply: on a terminal, a live bar under the finished steps; in CI logs (no terminal, or
// CI set), one plain line per finished step, so that logs read well and nothing is redrawn.

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

export function progressFor(
  stream: Writer,
  env: Readonly<Record<string, string | undefined>>,
  total: number,
  style: Style,
  quiet: boolean,
  /** Steps not executed get a line each only with --verbose; the report at the end counts them by cause. */
  verbose = false,
): Progress {
  const live = stream.isTTY && !env.CI;
  let count = 0;
  let failed = 0;
  const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
  const bar = () => {
    const filled = total === 0 ? width : Math.round((count / total) * width);
    const failures = failed > 0 ? style.red(` ${failed} failed`) : "";
    return `\r\u001b[2K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${count}/${total} steps${failures}`;
  };
  return {
    finished(r) {
      count++;
      if (r.status === "failed") failed++;
      const show = r.status === "not_executed" ? verbose : !quiet || r.status !== "succeeded";
      if (live) {
        stream.write(`\r\u001b[2K${show ? `${stepLine(r, style)}\n` : ""}${bar()}`);
      } else if (show) {
        stream.write(`${stepLine(r, style)}\n`);
      }
    },
    done() {
      if (live) stream.write("\r\u001b[2K");
    },
  };
}
