// jsplan apply on a 3-node cluster with R3 streams when a node is SIGKILLed (on the newest server line) or
// frozen (on both lines) mid-apply. The victim is the worst one for jsplan: the node it is connected to (given as its
// only URL, so it must find the others itself) and the meta leader. The apply either completes (two nodes
// are a quorum) or fails cleanly with a report that matches the cluster; with the node still down a second
// apply ends cleanly too; once the node is back, the next apply converges and the plan is empty.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Plan } from "../../src/model/plan.js";
import { SUPPORTED_LINES, serverLines, withCluster } from "../harness/index.js";
import { applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import {
  applyJsonOf,
  assertCleanExit,
  checkReport,
  faultAfter,
  liveState,
  manifest,
  reportFromJson,
  runJsplan,
  streams,
  WRITES,
} from "./support.js";

const OWNER = "faults-cluster";
const V1 = manifest(OWNER, streams("S", 0, 6, { description: "v1", replicas: 3 }));
/** S0..S5 updated, T0..T5 created, all R3, two consumers each: 36 steps. */
const V2 = manifest(OWNER, [
  ...streams("S", 0, 6, { description: "v2", replicas: 3, consumers: 2 }),
  ...streams("T", 0, 6, { description: "v2", replicas: 3, consumers: 2 }),
]);
const FAULT_AFTER = 10;

const newest = serverLines().at(-1) ?? SUPPORTED_LINES.at(-1)!;
const oldest = serverLines()[0] ?? SUPPORTED_LINES[0]!;

describe(`apply on a 3-node nats-server ${newest} cluster when a node dies mid-apply`, () => {
  it(
    "the meta leader, which jsplan is connected to, is SIGKILLed: clean end, true report, convergence",
    {
      timeout: 240_000,
    },
    (t) =>
      withCluster(t, { line: newest, name: "faults" }, async (cluster) => {
        const all = cluster.urls.join(",");
        await applyOk(all, V1, []);
        const plan: Plan = await planOf(all, V2);
        assert.equal(plan.steps.length, 36);
        const victim = await cluster.metaLeader();
        assert.ok(victim, "the cluster has a meta leader");
        const survivors = cluster.servers.filter((s) => s !== victim);
        const trigger = await faultAfter(survivors[0]!, WRITES, FAULT_AFTER, () => victim.kill("SIGKILL"));
        const run = await runJsplan(
          [
            ...["apply", "-", "-s", victim.url, "--auto-approve", "--allow-destroy"],
            ...["--concurrency", "4", "--timeout", "3s", "--format", "json"],
          ],
          V2,
          150_000,
        );
        await trigger.settle();
        assert.ok(trigger.fired, `${victim.name} was killed while the apply ran`);
        t.diagnostic(`apply ended with exit ${run.code} after ${run.ms} ms`);
        // A write whose leader died is confirmed with the new leader (elections take seconds), so the bound is
        // wider than on a single server.
        assertCleanExit(run, [0, 1], 120_000);
        const result = applyJsonOf(run);
        if (run.code === 1)
          assert.ok(result.stopped || result.summary.failed > 0, "an incomplete apply says why");
        // Read from a survivor once every stream and consumer has a leader again (two nodes are a quorum).
        const tally = checkReport(plan, reportFromJson(result), await liveState(survivors[0]!));
        t.diagnostic(
          `report: ${JSON.stringify(tally)}${result.stopped ? `, stopped: ${result.stopped}` : ""}`,
        );
        for (const r of result.results.filter((x) => x.status === "failed")) {
          t.diagnostic(`${r.address} failed after ${r.duration_ms} ms: ${r.error?.description}`);
        }
        assert.deepEqual(result.summary, tally, "the summary counts the results");

        await t.test(
          "with the node still down, another apply ends cleanly (converged or explained)",
          async (t) => {
            const again = await runJsplan(
              [
                "apply",
                "-",
                "-s",
                survivors.map((s) => s.url).join(","),
                "--auto-approve",
                "--timeout",
                "3s",
              ],
              V2,
              150_000,
            );
            t.diagnostic(
              `exit ${again.code} after ${again.ms} ms: ${again.stdout.trim().split("\n").at(-1)}`,
            );
            assertCleanExit(again, [0, 1], 120_000);
          },
        );

        await victim.restart();
        await cluster.waitReady();
        await applyOk(all, V2, ["--allow-destroy", "--lock-timeout", "60s"]);
        assertEmpty(await planOf(all, V2), "after the node is back");
      }),
  );
});

// The frozen node on both lines; on the oldest jsplan is given only that node's URL and must find the others
// through what the cluster advertises (connect_urls), on the newest every URL.
for (const [line, given] of [
  [oldest, "only its URL"],
  [newest, "every URL"],
] as const) {
  describe(`apply on a 3-node nats-server ${line} cluster whose node is frozen mid-apply`, () => {
    it(
      `the node jsplan is connected to is frozen (SIGSTOP) and resumed, jsplan given ${given}: it moves on to the others; the report is true`,
      {
        timeout: 240_000,
      },
      (t) =>
        withCluster(t, { line, name: `frozen-${line}` }, async (cluster) => {
          const all = cluster.urls.join(",");
          await applyOk(all, V1, []);
          const plan: Plan = await planOf(all, V2);
          const victim = await cluster.metaLeader();
          assert.ok(victim, "the cluster has a meta leader");
          const survivors = cluster.servers.filter((s) => s !== victim);
          let resume: Promise<void> | undefined;
          const trigger = await faultAfter(survivors[0]!, WRITES, FAULT_AFTER, async () => {
            await victim.pause();
            // Frozen long enough for the client to give up on it (pings every 2 s, two missed), then back.
            resume = new Promise((r) => setTimeout(r, 8000)).then(() => victim.resume());
          });
          // The frozen node's URL first: the one jsplan starts on.
          const urls =
            given === "only its URL" ? victim.url : [victim.url, ...survivors.map((s) => s.url)].join(",");
          const run = await runJsplan(
            [
              ...["apply", "-", "-s", urls, "--auto-approve", "--allow-destroy"],
              ...["--concurrency", "4", "--timeout", "3s", "--format", "json"],
            ],
            V2,
            150_000,
          );
          await trigger.settle();
          await resume;
          assert.ok(trigger.fired, `${victim.name} was frozen while the apply ran`);
          t.diagnostic(`apply ended with exit ${run.code} after ${run.ms} ms`);
          assertCleanExit(run, [0, 1], 120_000);
          const result = applyJsonOf(run);
          await cluster.waitReady();
          const tally = checkReport(plan, reportFromJson(result), await liveState(survivors[0]!));
          t.diagnostic(
            `report: ${JSON.stringify(tally)}${result.stopped ? `, stopped: ${result.stopped}` : ""}`,
          );
          assert.deepEqual(result.summary, tally, "the summary counts the results");
          // While a node is frozen the others may answer a step with a refusal (no leader yet, 10008): a failure
          // the server said, reported as such. What matters is that every status is true of the cluster (above).
          for (const r of result.results.filter((x) => x.status === "failed")) {
            t.diagnostic(`${r.address} failed after ${r.duration_ms} ms: ${r.error?.description}`);
            assert.ok(r.error?.code, `${r.address}: a failure is the server's answer, with its code`);
          }
          await applyOk(all, V2, ["--allow-destroy", "--lock-timeout", "60s"]);
          assertEmpty(await planOf(all, V2), "after the node is back");
        }),
    );
  });
}
