// jsplan when the network between it and the server fails (issue 7, part 2): a TCP proxy from the harness
// sits between jsplan and a real server and drops every connection mid-run. A blip (restored at once) is
// ridden out: jsplan reconnects and finishes, or stops cleanly; an outage longer than its reconnect attempts
// ends the run with exit 1 naming the lost connection. Either way the report (JSON here) matches the server
// and the next apply converges.

import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import type { Plan } from "../../src/model/plan.js";
import { type NatsServer, serverLines, startProxy, type TcpProxy, withServer } from "../harness/index.js";
import { applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import {
  type ApplyJson,
  applyJsonOf,
  assertCleanExit,
  CONSUMER_LISTS,
  checkReport,
  faultAfter,
  type JsplanRun,
  liveState,
  manifest,
  reportFromJson,
  runJsplan,
  streams,
  WRITES,
} from "./support.js";

const OWNER = "faults-network";
const V1 = manifest(OWNER, [
  ...streams("S", 0, 12, { description: "v1" }),
  ...streams("D", 0, 4, { description: "v1" }),
]);
const V2 = manifest(OWNER, [
  ...streams("S", 0, 12, { description: "v2", consumers: 2 }),
  ...streams("T", 0, 12, { description: "v2", consumers: 2 }),
]);
const FAULT_AFTER = 20;

/** Sets up V1 directly, then applies V2 through `proxy` (JSON report) with `fault` fired mid-apply. */
async function applyThroughProxy(
  t: TestContext,
  server: NatsServer,
  proxy: TcpProxy,
  fault: () => Promise<unknown> | undefined,
): Promise<{ run: JsplanRun; result: ApplyJson; plan: Plan }> {
  await applyOk(server, V1, []);
  const plan = await planOf(server, V2);
  const trigger = await faultAfter(server, WRITES, FAULT_AFTER, fault);
  const run = await runJsplan(
    [
      ...["apply", "-", "-s", proxy.url, "--auto-approve", "--allow-destroy"],
      ...["--concurrency", "2", "--timeout", "2s", "--format", "json"],
    ],
    V2,
  );
  await trigger.settle();
  assert.ok(trigger.fired, "the connections were cut while the apply ran");
  t.diagnostic(
    `apply ended with exit ${run.code} after ${run.ms} ms; ${proxy.accepted} connections accepted`,
  );
  assertCleanExit(run, [0, 1]);
  return { run, result: applyJsonOf(run), plan };
}

/** The JSON report is consistent with itself and true of the server; the next apply converges. */
async function checkAndConverge(
  t: TestContext,
  server: NatsServer,
  plan: Plan,
  run: JsplanRun,
  result: ApplyJson,
) {
  const tally = checkReport(plan, reportFromJson(result), await liveState(server));
  t.diagnostic(`report: ${JSON.stringify(tally)}${result.stopped ? `, stopped: ${result.stopped}` : ""}`);
  assert.deepEqual(result.summary, tally, "the summary counts the results");
  if (run.code === 0) {
    assert.deepEqual(tally, {
      succeeded: plan.steps.length,
      failed: 0,
      not_executed: 0,
      changed: 0,
      unknown: 0,
    });
  } else {
    assert.ok(result.stopped, "an incomplete apply says why it stopped");
    assert.ok(tally.failed + tally.not_executed + tally.unknown > 0);
  }
  // The run that met the fault may not have released its lock: it expires within its TTL (30 s).
  await applyOk(server, V2, ["--allow-destroy", "--lock-timeout", "60s"]);
  assertEmpty(await planOf(server, V2), "after the next apply");
}

for (const line of serverLines()) {
  describe(`jsplan through a failing network to nats-server ${line}`, () => {
    it(
      "all connections dropped mid-apply and restored at once: jsplan reconnects; report and convergence hold",
      {
        timeout: 120_000,
      },
      (t) =>
        withServer(t, { line }, async (server) => {
          const proxy = await startProxy(server);
          try {
            const { run, result, plan } = await applyThroughProxy(t, server, proxy, () => {
              proxy.cut();
              proxy.restore();
              return undefined;
            });
            assert.ok(proxy.accepted >= 2, "jsplan connected again after the cut");
            if (run.code !== 0) {
              assert.match(
                result.stopped ?? "",
                /^(the server stopped answering|the connection to the server was lost)$/,
              );
            }
            await checkAndConverge(t, server, plan, run, result);
          } finally {
            await proxy.close();
          }
        }),
    );

    it(
      "all connections dropped mid-apply for longer than jsplan's reconnect attempts: exit 1, connection lost",
      {
        timeout: 120_000,
      },
      (t) =>
        withServer(t, { line }, async (server) => {
          const proxy = await startProxy(server);
          try {
            const { run, result, plan } = await applyThroughProxy(t, server, proxy, () => {
              proxy.cut();
              return undefined;
            });
            proxy.restore();
            assert.equal(run.code, 1, run.stderr);
            assert.equal(result.stopped, "the connection to the server was lost");
            for (const r of result.results.filter((x) => x.status === "failed")) {
              assert.match(
                r.error?.description ?? "",
                /^the connection to the server was lost\b/,
                JSON.stringify(r),
              );
            }
            // Even with --format json, the failed steps are named on stderr for a human reading the log.
            assert.match(run.stderr, /not executed: the connection to the server was lost/);
            await checkAndConverge(t, server, plan, run, result);
          } finally {
            await proxy.close();
          }
        }),
    );

    it(
      "all connections dropped mid-plan and restored at once: the reads are retried and the plan is right",
      {
        timeout: 120_000,
      },
      (t) =>
        withServer(t, { line }, async (server) => {
          const v1 = manifest(OWNER, streams("S", 0, 100, { description: "v1", consumers: 1 }));
          const v2 = manifest(OWNER, streams("S", 0, 100, { description: "v2", consumers: 1 }));
          await applyOk(server, v1, []);
          const expected = await planOf(server, v2);
          const proxy = await startProxy(server);
          try {
            const trigger = await faultAfter(server, CONSUMER_LISTS, 1, () => {
              proxy.cut();
              proxy.restore();
              return undefined;
            });
            const run = await runJsplan(
              ["plan", "-", "-s", proxy.url, "--timeout", "2s", "--format", "json", "--detailed-exitcode"],
              v2,
            );
            await trigger.settle();
            assert.ok(trigger.fired, "the connections were cut while the plan read the server");
            t.diagnostic(
              `plan ended with exit ${run.code} after ${run.ms} ms; ${proxy.accepted} connections accepted`,
            );
            assertCleanExit(run, 2);
            const plan = JSON.parse(run.stdout) as Plan;
            assert.deepEqual(plan.steps, expected.steps, "the same steps as without the fault");
            assert.deepEqual(plan.summary, expected.summary);
            assert.ok(proxy.accepted >= 2, "jsplan connected again after the cut");
          } finally {
            await proxy.close();
          }
        }),
    );
  });
}
