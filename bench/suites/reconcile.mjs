// plan and apply, per size (N streams × 10 consumers), each against baselines measured in the same run:
// - apply creating everything on an empty server, against the bare client creating the same objects at
//   its best concurrency, and against jsplan's own sequential execution;
// - plan with everything in sync, against (a) the list-API floor (the same list calls in a minimal
//   client script, at its best concurrency) and (b) one info request per stream and consumer at
//   parallelism 10, the way the Terraform provider reads state;
// - plan with 10% of the consumers drifted (changed by hand), against the same baselines;
// - apply correcting that drift, against the bare client sending the same updates;
// - at 1,000 streams, plan in sync again across a 20 ms round trip (bench/latency-proxy.mjs), where each
//   request costs what it costs between regions, against the same two baselines through the same proxy,
//   and apply creating everything through the same proxy against the bare client at concurrency 32.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { connect } from "@nats-io/transport-node";
import { manifestText } from "../generate.mjs";
import { fmtMs, jsplanBin, median, root, runOnce, timeCommand } from "../lib.mjs";
import { startBenchServer } from "../server.mjs";

/** bench/latency-proxy.mjs in a child process (the timed commands block this one's event loop). */
async function startLatencyProxy(targetPort, delayMs) {
  const child = spawn(
    process.execPath,
    [path.join(root, "bench/latency-proxy.mjs"), String(targetPort), String(delayMs)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout.setEncoding("utf8").once("data", (d) => resolve(Number(String(d).trim())));
  });
  return { url: `nats://127.0.0.1:${port}`, stop: () => child.kill() };
}

const env = { ...process.env, NATS_CONTEXT: "", NATS_URL: "", CI: "1" };
const label = (size) => `${size.toLocaleString("en")} × 10`;

/** Runs `command` against an empty server behind a 20 ms round trip; its wall time. */
async function throughProxy(command) {
  const s = await startBenchServer();
  const proxy = await startLatencyProxy(new URL(s.url).port, 10);
  try {
    return runOnce(process.execPath, command(proxy.url), { env }).ms;
  } finally {
    proxy.stop();
    s.stop();
  }
}

/** apply creating everything across a 20 ms round trip, against the bare client at concurrency 32. */
async function farApply(size, manifest, planFile) {
  const jsplan = [];
  const bare = [];
  for (let i = 0; i < 2; i++) {
    jsplan.push(
      await throughProxy((u) => [jsplanBin, "apply", manifest, "-s", u, "--auto-approve", "--quiet"]),
    );
    bare.push(await throughProxy((u) => [path.join(root, "bench/bare-create.mjs"), u, planFile, "32"]));
  }
  const ms = median(jsplan);
  const baseMs = median(bare);
  return {
    name: `apply, create, ${label(size)}, 20 ms round trip`,
    median: ms,
    baseline: "bare client, concurrency 32",
    baselineMedian: baseMs,
    goal: "≤ 1.0×",
    met: ms <= baseMs,
  };
}

/** Sets ack_wait of every tenth consumer to 45s behind jsplan's back; returns the update bodies used. */
async function drift(url, size) {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const bodies = [];
  try {
    const work = [];
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < 10; j++) if ((i * 10 + j) % 10 === 3) work.push([i, j]);
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < work.length) {
          const [i, j] = work[next++];
          const stream = `S${String(i).padStart(5, "0")}`;
          const info = (
            await nc.request(`$JS.API.CONSUMER.INFO.${stream}.c${j}`, undefined, { timeout: 30_000 })
          ).json();
          const config = { ...info.config, ack_wait: 45_000_000_000 };
          const r = (
            await nc.request(
              `$JS.API.CONSUMER.CREATE.${stream}.c${j}`,
              JSON.stringify({ stream_name: stream, config, action: "update" }),
              { timeout: 30_000 },
            )
          ).json();
          if (r.error) throw new Error(JSON.stringify(r.error));
          bodies.push({ stream, name: `c${j}`, config: { ...info.config, ack_wait: 30_000_000_000 } });
        }
      }),
    );
  } finally {
    await nc.close();
  }
  return bodies;
}

export async function run({ runs, sizes }) {
  const rows = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-bench-reconcile-"));
  let bestConcurrency = 32;
  for (const size of sizes) {
    const big = size >= 5000;
    const manifest = path.join(dir, `m${size}.yaml`);
    writeFileSync(manifest, manifestText(size, 10));

    // --- apply: create everything ------------------------------------------------------------------
    const planFile = path.join(dir, `plan${size}.json`);
    {
      const s = await startBenchServer();
      runOnce(
        process.execPath,
        [jsplanBin, "plan", manifest, "-s", s.url, "--format", "json", "--out", planFile],
        { env },
      );
      s.stop();
    }
    const createRuns = big ? 1 : Math.min(runs, 3);
    const creates = [];
    let createPeak;
    let populated;
    for (let i = 0; i < createRuns; i++) {
      const s = await startBenchServer();
      const r = runOnce(
        process.execPath,
        [jsplanBin, "apply", manifest, "-s", s.url, "--auto-approve", "--quiet"],
        { env },
      );
      creates.push(r.ms);
      createPeak = Math.max(createPeak ?? 0, r.peakMb ?? 0) || undefined;
      if (i === createRuns - 1) populated = s;
      else s.stop();
    }
    const sweep = big ? [bestConcurrency] : [16, 32, 64];
    const bare = {};
    for (const c of sweep) {
      const times = [];
      for (let i = 0; i < createRuns; i++) {
        const s = await startBenchServer();
        times.push(
          runOnce(process.execPath, [path.join(root, "bench/bare-create.mjs"), s.url, planFile, String(c)], {
            env,
          }).ms,
        );
        s.stop();
      }
      bare[c] = median(times);
    }
    const [bestC, bareMs] = Object.entries(bare).sort((a, b) => a[1] - b[1])[0];
    if (size === 1000 || sizes.length === 1) bestConcurrency = Number(bestC);
    const createMs = median(creates);
    rows.push({
      name: `apply, create, ${label(size)}`,
      median: createMs,
      baseline: `bare client, concurrency ${bestC}`,
      baselineMedian: bareMs,
      peakMb: createPeak,
      ...(size === 1000 ? { goal: "≤ 1.2×", met: createMs <= 1.2 * bareMs } : {}),
    });
    if (!big) {
      const s = await startBenchServer();
      const seq = runOnce(
        process.execPath,
        [jsplanBin, "apply", manifest, "-s", s.url, "--auto-approve", "--quiet", "--concurrency", "1"],
        { env },
      );
      s.stop();
      rows.push({
        name: `apply, create, ${label(size)}`,
        median: createMs,
        baseline: "jsplan, one step at a time",
        baselineMedian: seq.ms,
      });
    }

    // --- plan, in sync ---------------------------------------------------------------------------------
    const url = populated.url;
    const n = big ? Math.min(runs, 3) : runs;
    const plan = timeCommand(
      process.execPath,
      [jsplanBin, "plan", manifest, "-s", url, "--detailed-exitcode"],
      { runs: n, env },
    );
    const floors = {};
    for (const c of [16, 32, 64])
      floors[c] = median(
        timeCommand(process.execPath, [path.join(root, "bench/floor-list.mjs"), url, String(c)], {
          runs: n,
          env,
        }),
      );
    const [floorC, floorMs] = Object.entries(floors).sort((a, b) => a[1] - b[1])[0];
    const perResource = median(
      timeCommand(process.execPath, [path.join(root, "bench/per-resource-info.mjs"), url, "10"], {
        runs: Math.max(1, Math.floor(n / 2)),
        env,
      }),
    );
    const planMs = median(plan);
    rows.push({
      name: `plan, in sync, ${label(size)}`,
      median: planMs,
      baseline: `(a) list-API floor, concurrency ${floorC}`,
      baselineMedian: floorMs,
      peakMb: plan.peakMb,
      ...(size === 1000 ? { goal: "≤ 1.5×", met: planMs <= 1.5 * floorMs } : {}),
    });
    rows.push({
      name: `plan, in sync, ${label(size)}`,
      median: planMs,
      baseline: "(b) info per resource, ×10",
      baselineMedian: perResource,
      ...(size === 1000 ? { goal: "(b) ≥ 3× jsplan", met: perResource >= 3 * planMs } : {}),
    });

    // --- plan across a network: the same, with a 20 ms round trip (a delaying proxy) --------------------
    if (size === 1000 || sizes.length === 1) {
      const proxy = await startLatencyProxy(new URL(url).port, 10);
      try {
        const far = proxy.url;
        const farPlan = timeCommand(
          process.execPath,
          [jsplanBin, "plan", manifest, "-s", far, "--detailed-exitcode"],
          { runs: Math.min(n, 3), env },
        );
        const farFloor = median(
          timeCommand(process.execPath, [path.join(root, "bench/floor-list.mjs"), far, String(floorC)], {
            runs: Math.min(n, 3),
            env,
          }),
        );
        const farInfo = median(
          timeCommand(process.execPath, [path.join(root, "bench/per-resource-info.mjs"), far, "10"], {
            runs: 1,
            env,
          }),
        );
        const farMs = median(farPlan);
        const name = `plan, in sync, ${label(size)}, 20 ms round trip`;
        rows.push({
          name,
          median: farMs,
          baseline: `(a) list-API floor, concurrency ${floorC}`,
          baselineMedian: farFloor,
        });
        rows.push({ name, median: farMs, baseline: "(b) info per resource, ×10", baselineMedian: farInfo });
      } finally {
        proxy.stop();
      }
      rows.push(await farApply(size, manifest, planFile));
    }

    // --- plan and apply with 10% drift -----------------------------------------------------------------
    const bodies = await drift(url, size);
    const bodiesFile = path.join(dir, `updates${size}.json`);
    writeFileSync(bodiesFile, JSON.stringify(bodies));
    const planDrift = timeCommand(
      process.execPath,
      [jsplanBin, "plan", manifest, "-s", url, "--detailed-exitcode"],
      { runs: n, env, expectCodes: [2] },
    );
    rows.push({
      name: `plan, 10% drift, ${label(size)}`,
      median: median(planDrift),
      baseline: `(a) list-API floor, concurrency ${floorC}`,
      baselineMedian: floorMs,
      peakMb: planDrift.peakMb,
    });
    const updates = [];
    const bareUpdates = [];
    for (let i = 0; i < (big ? 1 : Math.min(runs, 3)); i++) {
      updates.push(
        runOnce(process.execPath, [jsplanBin, "apply", manifest, "-s", url, "--auto-approve", "--quiet"], {
          env,
        }).ms,
      );
      await drift(url, size);
      bareUpdates.push(
        runOnce(
          process.execPath,
          [path.join(root, "bench/bare-update.mjs"), url, bodiesFile, String(bestConcurrency)],
          { env },
        ).ms,
      );
      await drift(url, size);
    }
    rows.push({
      name: `apply, 10% updates, ${label(size)}`,
      median: median(updates),
      baseline: `bare client updates, concurrency ${bestConcurrency}`,
      baselineMedian: median(bareUpdates),
    });
    populated.stop();
    console.error(`(${label(size)} done: create ${fmtMs(createMs)}, plan ${fmtMs(planMs)})`);
  }
  return rows;
}
