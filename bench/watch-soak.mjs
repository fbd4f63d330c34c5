#!/usr/bin/env node
// Soak and latency of `jsplan watch`'s session (node --expose-gc bench/watch-soak.mjs [cycles] [streams]):
//  - soak: CYCLES plan cycles (default 2000) against STREAMS streams with 2 consumers each (default 100),
//    one after the other; the heap after a full GC is sampled every 100 cycles, and the trend of the second
//    half is fitted by least squares (bytes per 1,000 cycles): flat memory means no growth trend;
//  - latency: a hand change of a stream, 20 times: the time until the watch session reports the drift
//    (advisory-driven, the interval being 1 h), next to the baseline of the same session's full plan cycle.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { manifestText } from "./generate.mjs";
import { fmtMs, jsplanBin, median, root } from "./lib.mjs";
import { startBenchServer } from "./server.mjs";

if (typeof global.gc !== "function") {
  console.error("run with node --expose-gc bench/watch-soak.mjs");
  process.exit(2);
}
const cycles = Number(process.argv[2] ?? 2000);
const streams = Number(process.argv[3] ?? 100);
const { Watcher } = await import(path.join(root, "dist/src/reconcile/watch.js"));

const server = await startBenchServer();
const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-soak-"));
const file = path.join(dir, "jsplan.yaml");
writeFileSync(file, manifestText(streams, 2));
execFileSync(process.execPath, [jsplanBin, "apply", file, "-s", server.url, "--auto-approve", "--quiet"]);

let planned = 0;
let onPlan = () => {};
const watcher = new Watcher({
  paths: [file],
  cwd: dir,
  env: {},
  connection: () => ({ servers: [server.url], timeoutMs: 5000 }),
  intervalMs: 3_600_000,
  hooks: {
    onPlanned: (e) => {
      planned++;
      onPlan(e);
    },
    onPlanFailed: ({ error }) => {
      throw error;
    },
  },
});
const nextPlan = () => new Promise((resolve) => (onPlan = resolve));
const first = nextPlan();
await watcher.start();
await first;

// Soak.
const samples = [];
const cycleMs = [];
const t0 = performance.now();
for (let i = 1; i <= cycles; i++) {
  const p = nextPlan();
  const s = performance.now();
  watcher.trigger("interval");
  await p;
  cycleMs.push(performance.now() - s);
  if (i % 100 === 0) {
    global.gc();
    samples.push([i, process.memoryUsage().heapUsed]);
  }
}
const soakMs = performance.now() - t0;
const half = samples.slice(Math.floor(samples.length / 2));
const mx = half.reduce((a, [x]) => a + x, 0) / half.length;
const my = half.reduce((a, [, y]) => a + y, 0) / half.length;
const slope =
  half.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / half.reduce((a, [x]) => a + (x - mx) ** 2, 0);

// Latency: a hand change until the session reports it.
const nc = await connect({ servers: server.url });
const jsm = await jetstreamManager(nc);
const latencies = [];
for (let i = 0; i < 20; i++) {
  const si = await jsm.streams.info("S00000");
  const reported = new Promise((resolve) => {
    onPlan = (e) => {
      if (e.reports.length > 0) resolve();
    };
  });
  const s = performance.now();
  await jsm.streams.update("S00000", { ...si.config, max_age: (i % 2 === 0 ? 2 : 1) * 86_400e9 });
  await reported;
  latencies.push(performance.now() - s);
}
await nc.close();
await watcher.stop();
server.stop();
rmSync(dir, { recursive: true, force: true });

const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;
console.log(
  `jsplan watch soak — nats-server ${server.version}; ${streams} streams × 2 consumers; ${planned} plans`,
);
console.log(`  ${cycles} cycles in ${fmtMs(soakMs)}; a cycle: median ${fmtMs(median(cycleMs))}`);
console.log(`  heap after GC: ${samples.map(([i, b]) => `${i}: ${mb(b)}`).join(", ")}`);
console.log(`  trend of the second half: ${((slope * 1000) / 1024).toFixed(1)} KiB per 1,000 cycles`);
console.log(
  `  hand change → drift reported: median ${fmtMs(median(latencies))} (max ${fmtMs(Math.max(...latencies))}); ratio to a full plan cycle ${(median(latencies) / median(cycleMs)).toFixed(2)}×`,
);
