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

const SUITES = ["startup", "validate", "reconcile"];
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
  writeFileSync(
    path.join(root, "docs/benchmarks.md"),
    `<!-- Written by npm run bench (bench/run.mjs); the text below the table comes from bench/NOTES.md. -->
# Benchmarks

Measured on ${date}: ${machine}; nats-server ${serverVersion} (a single server on loopback, file storage);
${sizes.join(", ")} streams with 10 durable consumers each. Times are the median of up to ${runs} runs of the whole
command, including Node.js start-up, next to a baseline measured in the same run; ratio = jsplan ÷ baseline.

${table}

${notes}`,
  );
  console.log("\nWrote docs/benchmarks.md");
}
