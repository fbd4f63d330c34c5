// `jsplan plan` on a server holding 1,000 streams with 10 consumers each, all in sync, against
// (a) the bare floor: the same list calls made by a minimal client script, and
// (b) one info request per stream and per consumer at parallelism 10, the Terraform provider's way.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { manifestText } from "../generate.mjs";
import { jsplanBin, median, root, timeCommand } from "../lib.mjs";
import { startBenchServer } from "../server.mjs";

export async function run({ runs, streams = Number(process.env.BENCH_STREAMS ?? 1000), consumers = 10 }) {
  const server = await startBenchServer();
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-bench-plan-"));
    const file = path.join(dir, "manifest.yaml");
    writeFileSync(file, manifestText(streams, consumers));
    const env = { ...process.env, NATS_URL: server.url, NATS_CONTEXT: "", CI: "1" };
    const applied = spawnSync(process.execPath, [jsplanBin, "apply", file, "--auto-approve", "--quiet"], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    if (applied.status !== 0)
      throw new Error(`populating the server failed: ${String(applied.stderr).slice(0, 2000)}`);
    const plan = median(
      timeCommand(process.execPath, [jsplanBin, "plan", file, "--detailed-exitcode"], { runs, env }),
    );
    const floor = median(
      timeCommand(process.execPath, [path.join(root, "bench/floor-list.mjs"), server.url, "32"], {
        runs,
        env,
      }),
    );
    const perResource = median(
      timeCommand(process.execPath, [path.join(root, "bench/per-resource-info.mjs"), server.url, "10"], {
        runs: Math.max(3, Math.floor(runs / 2)),
        env,
      }),
    );
    const label = `${streams.toLocaleString("en")} streams × ${consumers} consumers`;
    return [
      {
        name: `plan, in sync, ${label}`,
        median: plan,
        baseline: "(a) list-API floor",
        baselineMedian: floor,
        goal: "≤ 1.2×",
        met: plan <= 1.2 * floor,
      },
      {
        name: `plan, in sync, ${label}`,
        median: plan,
        baseline: "(b) info per resource, ×10",
        baselineMedian: perResource,
        goal: "≥ 3× faster",
        met: perResource >= 3 * plan,
      },
    ];
  } finally {
    server.stop();
  }
}
