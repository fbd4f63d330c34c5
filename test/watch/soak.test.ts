// A bounded soak of the watch session (issue 17): 1,000 plan cycles against 100 streams with 2 consumers
// each, on the newest line, the heap sampled after a full GC every 100 cycles. A session that kept anything
// per cycle (a picture, a plan, a listener) would grow by megabytes over the run; the fitted trend of the
// second half must stay under 1 MiB per 1,000 cycles. (bench/watch-soak.mjs runs the same for longer.)

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Watcher } from "../../src/reconcile/watch.js";
import { type NatsServer, serverLines, startServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { bigManifest } from "../support/spawn.js";
import { manifestDir } from "./support.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const CYCLES = 1000;
const line = serverLines().at(-1)!;

describe(`watch over ${CYCLES} plan cycles, nats-server ${line}`, () => {
  let server: NatsServer;
  const m = manifestDir(bigManifest(100, 2));
  before(async () => {
    server = await startServer({ line });
    const applied = await runCli(["apply", m.file, "-s", server.url, "--auto-approve", "--quiet"]);
    assert.equal(applied.code, 0, applied.stderr);
  });
  after(async () => {
    await server?.stop();
    m.remove();
  });

  it("keeps its memory flat", { timeout: 180_000 }, async () => {
    let resolvePlan: () => void = () => {};
    let failure: unknown;
    const watcher = new Watcher({
      paths: [m.file],
      cwd: m.dir,
      env: {},
      connection: () => ({ servers: [server.url], timeoutMs: 5000 }),
      intervalMs: 3_600_000,
      hooks: {
        onPlanned: () => resolvePlan(),
        onPlanFailed: ({ error }) => {
          failure = error;
          resolvePlan();
        },
      },
    });
    const next = () => new Promise<void>((r) => (resolvePlan = r));
    const first = next();
    await watcher.start();
    await first;
    const samples: Array<[number, number]> = [];
    try {
      for (let i = 1; i <= CYCLES; i++) {
        const p = next();
        watcher.trigger("interval");
        await p;
        assert.equal(failure, undefined);
        if (i % 100 === 0) {
          gc();
          samples.push([i, process.memoryUsage().heapUsed]);
        }
      }
    } finally {
      await watcher.stop();
    }
    const half = samples.slice(samples.length / 2);
    const mx = half.reduce((a, [x]) => a + x, 0) / half.length;
    const my = half.reduce((a, [, y]) => a + y, 0) / half.length;
    const slope =
      half.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / half.reduce((a, [x]) => a + (x - mx) ** 2, 0);
    const perThousand = slope * 1000;
    const mb = samples.map(([i, b]) => `${i}: ${(b / 2 ** 20).toFixed(1)} MB`).join(", ");
    assert.ok(
      perThousand < 2 ** 20,
      `heap grows ${(perThousand / 1024).toFixed(0)} KiB per 1,000 cycles: ${mb}`,
    );
  });
});
