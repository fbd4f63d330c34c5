// `jsplan apply` creating N streams with 10 consumers each on an empty server, against the bare client
// creating the same objects at its best concurrency, and against jsplan's own sequential execution.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { manifestText } from "../generate.mjs";
import { fmtMs, jsplanBin, median, root } from "../lib.mjs";
import { startBenchServer } from "../server.mjs";

function timed(args, env) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${String(r.stderr).slice(0, 1000)}`);
  return ms;
}

/** Runs `fn(url)` on a fresh, empty server each time and returns the median time. */
async function onFreshServers(runs, fn) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const server = await startBenchServer();
    try {
      times.push(fn(server.url));
    } finally {
      server.stop();
    }
  }
  return median(times);
}

export async function run({ runs, streams = Number(process.env.BENCH_STREAMS ?? 1000), consumers = 10 }) {
  const n = Math.max(1, Math.min(runs, Number(process.env.BENCH_APPLY_RUNS ?? 3)));
  const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-bench-apply-"));
  const manifest = path.join(dir, "manifest.yaml");
  writeFileSync(manifest, manifestText(streams, consumers));
  const planFile = path.join(dir, "plan.json");
  const env = { ...process.env, NATS_CONTEXT: "", CI: "1" };
  // The exact configs jsplan sends, for the bare client to send too.
  {
    const server = await startBenchServer();
    const r = spawnSync(
      process.execPath,
      [jsplanBin, "plan", manifest, "-s", server.url, "--format", "json"],
      { env, maxBuffer: 1 << 30 },
    );
    server.stop();
    writeFileSync(planFile, r.stdout);
  }
  const bare = {};
  for (const c of [16, 32, 64, 128]) {
    bare[c] = await onFreshServers(n, (url) =>
      timed([path.join(root, "bench/bare-create.mjs"), url, planFile, String(c)], env),
    );
  }
  const [bestC, bestMs] = Object.entries(bare).sort((a, b) => a[1] - b[1])[0];
  const jsplan = await onFreshServers(n, (url) =>
    timed([jsplanBin, "apply", manifest, "-s", url, "--auto-approve", "--quiet"], env),
  );
  const sequential = await onFreshServers(1, (url) =>
    timed([jsplanBin, "apply", manifest, "-s", url, "--auto-approve", "--quiet", "--concurrency", "1"], env),
  );
  const label = `${streams.toLocaleString("en")} streams × ${consumers} consumers`;
  console.log(
    `bare client by concurrency: ${Object.entries(bare)
      .map(([c, ms]) => `${c}: ${fmtMs(ms)}`)
      .join(", ")}`,
  );
  return [
    {
      name: `apply, create ${label}`,
      median: jsplan,
      baseline: `bare client, best (concurrency ${bestC})`,
      baselineMedian: bestMs,
      goal: "≤ 1.2×",
      met: jsplan <= 1.2 * bestMs,
    },
    {
      name: `apply, create ${label}`,
      median: jsplan,
      baseline: "jsplan, sequential (1 run)",
      baselineMedian: sequential,
    },
  ];
}
