#!/usr/bin/env node
// `npm run bench [suite...]`: runs the benchmark suites and prints one table. Times are medians of
// several runs; each result is shown next to a baseline measured in the same run.
//   BENCH_RUNS=7   runs per measurement (after a warm-up)
import os from "node:os";
import { printTable } from "./lib.mjs";

const SUITES = ["validate", "plan"];
const wanted = process.argv.slice(2);
const suites = wanted.length > 0 ? wanted : SUITES;
const runs = Number(process.env.BENCH_RUNS ?? 7);

console.log(
  `jsplan benchmarks — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}`,
);
const rows = [];
for (const name of suites) {
  const suite = await import(`./suites/${name}.mjs`);
  rows.push(...(await suite.run({ runs })));
}
printTable(rows);
