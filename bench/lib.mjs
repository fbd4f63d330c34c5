// Shared helpers for the benchmark suites: timing whole commands, medians, and a results table.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const jsplanBin = path.join(root, "bin", "jsplan.js");

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command `runs` times (after one warm-up) and returns the wall times in ms. */
export function timeCommand(command, args, { runs = 7, cwd = root, env = process.env, expectCode = 0 } = {}) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(command, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    const ms = performance.now() - t0;
    if (r.status !== expectCode) {
      throw new Error(
        `${command} ${args.join(" ")} exited ${r.status}: ${r.stderr?.toString().slice(0, 500)}`,
      );
    }
    if (i > 0) times.push(ms);
  }
  return times;
}

/** Times an async function `runs` times (after one warm-up). */
export async function timeAsync(fn, { runs = 5 } = {}) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    await fn();
    if (i > 0) times.push(performance.now() - t0);
  }
  return times;
}

export function fmtMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export function printTable(rows) {
  const headers = ["benchmark", "median", "baseline", "baseline median", "ratio", "goal", "met"];
  const table = rows.map((r) => [
    r.name,
    fmtMs(r.median),
    r.baseline ?? "",
    r.baselineMedian === undefined ? "" : fmtMs(r.baselineMedian),
    r.baselineMedian === undefined ? "" : `${(r.median / r.baselineMedian).toFixed(2)}×`,
    r.goal ?? "",
    r.met === undefined ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...table.map((row) => String(row[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of table) console.log(line(row));
}
