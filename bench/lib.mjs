// Shared helpers for the benchmark suites: timing whole commands (with their peak memory), medians, and
// the results table.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const jsplanBin = path.join(root, "bin", "jsplan.js");
const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs a command once and returns its wall time in ms and, where GNU time is installed, its peak resident
 * memory in MB.
 */
export function runOnce(command, args, { cwd = root, env = process.env, expectCodes = [0] } = {}) {
  const argv = GNU_TIME ? [GNU_TIME, ["-f", "JSPLAN_BENCH_MAXRSS=%M", command, ...args]] : [command, args];
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv[1], {
    cwd,
    env,
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - t0;
  const stderr = String(r.stderr ?? "");
  if (!expectCodes.includes(r.status)) {
    throw new Error(`${command} ${args.join(" ")} exited ${r.status}: ${stderr.slice(0, 1000)}`);
  }
  const kb = /JSPLAN_BENCH_MAXRSS=(\d+)/.exec(stderr)?.[1];
  return { ms, peakMb: kb ? Math.round(Number(kb) / 1024) : undefined };
}

/** Runs a command `runs` times (after one warm-up); the wall times and the highest peak memory. */
export function timeCommand(command, args, { runs = 5, warmup = true, ...opts } = {}) {
  const times = [];
  let peakMb;
  for (let i = warmup ? 0 : 1; i <= runs; i++) {
    const r = runOnce(command, args, opts);
    if (i > 0) {
      times.push(r.ms);
      if (r.peakMb !== undefined) peakMb = Math.max(peakMb ?? 0, r.peakMb);
    }
  }
  return Object.assign(times, { peakMb });
}

/**
 * Runs several commands in turn, `runs` rounds (after one warm-up round), so that a machine whose speed
 * drifts (a shared one) slows each of them alike: the wall times of each, with its highest peak memory.
 */
export function timeInTurn(commands, { runs = 5 } = {}) {
  const out = commands.map(() => Object.assign([], { peakMb: undefined }));
  for (let i = 0; i <= runs; i++) {
    commands.forEach(([command, args, opts], k) => {
      const r = runOnce(command, args, opts);
      if (i === 0) return;
      out[k].push(r.ms);
      if (r.peakMb !== undefined) out[k].peakMb = Math.max(out[k].peakMb ?? 0, r.peakMb);
    });
  }
  return out;
}

export function fmtMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export function printTable(rows) {
  const headers = ["benchmark", "jsplan", "baseline", "baseline time", "ratio", "peak MB", "goal", "met"];
  const table = rows.map((r) => [
    r.name,
    fmtMs(r.median),
    r.baseline ?? "",
    r.baselineMedian === undefined ? "" : fmtMs(r.baselineMedian),
    r.baselineMedian === undefined ? "" : `${(r.median / r.baselineMedian).toFixed(2)}×`,
    r.peakMb ?? "",
    r.goal ?? "",
    r.met === undefined ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...table.map((row) => String(row[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of table) console.log(line(row));
}
