#!/usr/bin/env node
// `npm run bench [suite...]`: runs the benchmark suites, prints one table and writes docs/benchmarks.md.
// Every time is the median of several runs, next to a baseline measured in the same run.
//   BENCH_SIZES=100,1000,5000   streams (each with 10 consumers) per measurement
//   BENCH_RUNS=5                runs per measurement (after a warm-up); large sizes use fewer
//   BENCH_NO_DOCS=1             do not write docs/benchmarks.md
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmtMs, printTable, root } from "./lib.mjs";

const SUITES = ["startup", "validate", "hostile", "reconcile"];
const wanted = process.argv.slice(2);
const suites = wanted.length > 0 ? wanted : SUITES;
const runs = Number(process.env.BENCH_RUNS ?? 5);
const sizes = (process.env.BENCH_SIZES ?? "100,1000,5000").split(",").map(Number);
const date = new Date().toISOString().slice(0, 10);
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model?.trim() ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, node ${process.version}`;
const serverVersion = readFileSync(path.join(root, ".cache/nats-server/2.15/VERSION"), "utf8").trim();

console.log(
  `jsplan benchmarks — ${date}; ${machine}; nats-server ${serverVersion}; sizes ${sizes.join(", ")} streams × 10 consumers`,
);
const rows = [];
for (const name of suites) {
  const suite = await import(`./suites/${name}.mjs`);
  const started = performance.now();
  const got = await suite.run({ runs, sizes });
  rows.push(...got);
  console.error(`(${name}: ${fmtMs(performance.now() - started)})`);
}
printTable(rows);

if (!process.env.BENCH_NO_DOCS && wanted.length === 0) {
  const table = [
    "| benchmark | jsplan | baseline | baseline time | ratio | peak memory | goal | met |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmtMs(r.median)} | ${r.baseline ?? ""} | ${r.baselineMedian === undefined ? "" : fmtMs(r.baselineMedian)} | ${r.baselineMedian === undefined ? "" : `${(r.median / r.baselineMedian).toFixed(2)}×`} | ${r.peakMb ? `${r.peakMb} MB` : ""} | ${r.goal ?? ""} | ${r.met === undefined ? "" : r.met ? "yes" : "**no**"} |`,
    ),
  ].join("\n");
  const notes = readFileSync(path.join(root, "bench/NOTES.md"), "utf8");
  const growth = growthTable(rows, sizes);
  writeFileSync(
    path.join(root, "docs/benchmarks.md"),
    `<!-- Written by npm run bench (bench/run.mjs); the text below the table comes from bench/NOTES.md. -->
# Benchmarks

Measured on ${date}: ${machine}; nats-server ${serverVersion} (a single server on loopback, file storage);
${sizes.join(", ")} streams with 10 durable consumers each. Times are the median of up to ${runs} runs of the whole
command, including Node.js start-up, next to a baseline measured in the same run; ratio = jsplan ÷ baseline.

${table}

${growth}

${notes}`,
  );
  console.log("\nWrote docs/benchmarks.md");
}

/**
 * How each measurement grows with the manifest: the rows named "…, N × 10" at every size, side by side, and
 * the factor from the smallest size to the largest (the manifest grows by the ratio of the sizes).
 */
function growthTable(rows, sizes) {
  if (sizes.length < 2) return "";
  const series = new Map();
  for (const r of rows) {
    const m = /^(.*), ([\d,]+) × 10(.*)$/.exec(r.name);
    if (!m) continue;
    const key = `${m[1]}${m[3]}`;
    const size = Number(m[2].replaceAll(",", ""));
    if (!series.has(key)) series.set(key, new Map());
    if (!series.get(key).has(size)) series.get(key).set(size, r.median);
  }
  const first = sizes[0];
  const last = sizes[sizes.length - 1];
  const lines = [
    `## Growth from ${first.toLocaleString("en")} to ${last.toLocaleString("en")} streams`,
    "",
    `Each row at every size (× 10 consumers); the last column is the time at ${last.toLocaleString("en")} over the time at ${first.toLocaleString("en")}, for ${last / first}× the resources.`,
    "",
    `| measurement | ${sizes.map((s) => s.toLocaleString("en")).join(" | ")} | growth |`,
    `|---|${sizes.map(() => "---").join("|")}|---|`,
  ];
  for (const [key, bySize] of series) {
    if (bySize.size < 2) continue;
    const cells = sizes.map((s) => (bySize.has(s) ? fmtMs(bySize.get(s)) : ""));
    const growth =
      bySize.has(first) && bySize.has(last) ? `${(bySize.get(last) / bySize.get(first)).toFixed(1)}×` : "";
    lines.push(`| ${key} | ${cells.join(" | ")} | ${growth} |`);
  }
  return lines.join("\n");
}
