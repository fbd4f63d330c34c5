// `jsplan apply` when the server fails after some steps succeeded (issue 7, part 2), on the oldest and the
// newest server line: SIGKILLed, and frozen by SIGSTOP (no answers, the connection stays open).
// test/apply/apply.test.ts shows that a kill ends the apply; here every step of the report is held against
// what the server really holds afterwards, with updates, creates and deletes in the plan. Each run must exit
// 1 promptly with a clean message and a report where every step appears once: done steps are on the server,
// steps not executed did not happen, failed ones may have; the next apply converges.

import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { describe, it, type TestContext } from "node:test";
import { type NatsServer, serverLines, withServer } from "../harness/index.js";
import { applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import {
  assertCleanExit,
  assertFinalLine,
  checkReport,
  faultAfter,
  type JsplanRun,
  liveState,
  manifest,
  reportFromText,
  runJsplan,
  streams,
  type Tally,
  WRITES,
} from "./support.js";

const OWNER = "faults-apply";
/** Before: S0..S11 (to update) and D0..D3 (owned, absent from the next manifest: to delete). */
const V1 = manifest(OWNER, [
  ...streams("S", 0, 12, { description: "v1" }),
  ...streams("D", 0, 4, { description: "v1" }),
]);
/** After: S0..S11 updated and T0..T11 created, two consumers on each, D0..D3 deleted: 76 steps. */
const V2 = manifest(OWNER, [
  ...streams("S", 0, 12, { description: "v2", consumers: 2 }),
  ...streams("T", 0, 12, { description: "v2", consumers: 2 }),
]);
/** The fault lands on the 20th write; two steps in flight at once leave most of the plan to do. */
const FAULT_AFTER = 20;

interface Outcome {
  readonly run: JsplanRun;
  readonly tally: Tally;
}

/**
 * Applies V1, then V2 with `fault` fired mid-apply; `recover` brings the server back; then the report is
 * checked against the server, and the next apply must converge.
 */
async function applyWithFault(
  t: TestContext,
  server: NatsServer,
  fault: () => Promise<unknown>,
  recover: () => Promise<unknown>,
  extraArgs: readonly string[],
): Promise<Outcome> {
  await applyOk(server, V1, []);
  const plan = await planOf(server, V2);
  assert.equal(plan.steps.length, 76, "12 updates, 12 creates, 4 deletes, 48 consumers");
  const trigger = await faultAfter(server, WRITES, FAULT_AFTER, fault);
  let run: JsplanRun;
  try {
    run = await runJsplan(
      [
        "apply",
        "-",
        "-s",
        server.url,
        "--auto-approve",
        "--allow-destroy",
        "--concurrency",
        "2",
        ...extraArgs,
      ],
      V2,
    );
    await trigger.settle();
  } finally {
    await trigger.settle().catch(() => undefined);
    await recover();
  }
  t.diagnostic(
    `apply gave up after ${run.ms} ms; the fault came on write ${FAULT_AFTER} of ${trigger.seen} seen`,
  );
  assert.ok(trigger.fired, "the fault came while the apply ran");
  assertCleanExit(run, 1);
  const tally = checkReport(plan, reportFromText(run.stderr), await liveState(server));
  t.diagnostic(`report: ${JSON.stringify(tally)}`);
  assert.ok(tally.succeeded >= FAULT_AFTER - 2, "the steps before the fault are reported done");
  assert.ok(tally.not_executed > 0, "the steps after the fault are reported not executed");

  // The run that met the fault may not have released its lock: it expires within its TTL (30 s).
  await applyOk(server, V2, ["--allow-destroy", "--lock-timeout", "60s"]);
  assertEmpty(await planOf(server, V2), "after the next apply");
  return { run, tally };
}

for (const line of serverLines()) {
  describe(`apply on nats-server ${line} when the server fails mid-apply`, () => {
    it(
      "killed (SIGKILL): exit 1 at once, the report matches the server after a restart, apply converges",
      {
        timeout: 120_000,
      },
      (t) =>
        withServer(t, { line }, async (server) => {
          const { run, tally } = await applyWithFault(
            t,
            server,
            () => server.kill("SIGKILL"),
            () => server.restart(),
            ["--timeout", "5s"],
          );
          assertFinalLine(run.stdout, tally, /^the connection to the server was lost$/);
          // The steps in flight got no answer: they may or may not have been done, and say so.
          const failedLines = run.stderr.split("\n").filter((l) => l.startsWith("✗"));
          assert.equal(
            tally.failed,
            0,
            `a step without an answer is not reported as failed:\n${failedLines.join("\n")}`,
          );
          for (const unknown of run.stderr.split("\n").filter((l) => l.startsWith("?"))) {
            assert.match(
              unknown,
              /^\? \S+ \w+: no answer came \(\d+ms\); it may or may not have been \w+ \(the connection to the server was lost/,
            );
          }
        }),
    );

    it(
      "frozen (SIGSTOP): exit 1 within a few request timeouts, the report matches the server, apply converges",
      {
        timeout: 120_000,
      },
      (t) =>
        withServer(t, { line }, async (server) => {
          const { run, tally } = await applyWithFault(
            t,
            server,
            () => server.pause(),
            () => server.resume(),
            // Writes are confirmed and sent again for up to 4 timeouts (a cluster electing a new leader looks
            // the same as a frozen server): 2 s keeps the wait short; the bound scales with --timeout.
            ["--timeout", "2s"],
          );
          assertFinalLine(run.stdout, tally, /^the server stopped answering$/);
          // The steps in flight when the server froze were writing (their outcome is unknown) or reading their
          // resource before writing (not executed): either way they say no answer came.
          assert.match(
            run.stderr,
            /^(\? \S+ \w+: no answer came|- \S+ not executed: it could not be read before the step: no answer)/m,
          );
          assert.equal(tally.failed, 0, "and not reported as failed");
          assert.ok(run.ms >= 2000, `it waited for its timeout (${run.ms} ms)`);
          const unknown = run.stderr.split("\n").filter((l) => l.startsWith("?"));
          for (const l of unknown) {
            assert.match(
              l,
              /^\? \S+ \w+: no answer came \(\d+ms\); it may or may not have been \w+ \(no answer on \$JS\.API\.\S+ within 2s(, nor to \d+ more requests? in \d+s)?\)$/,
            );
          }
          // A step without an answer may have been carried out: the hint says how to find out.
          if (unknown.length > 0) {
            assert.match(
              run.stderr,
              /hint: the server did not answer in time: .* run jsplan plan to see what was done/,
            );
          }
        }),
    );

    it(
      "frozen (SIGSTOP), then Ctrl-C: the write in flight gets its one timeout, not its repeats; exit 1",
      {
        timeout: 120_000,
      },
      (t) =>
        withServer(t, { line }, async (server) => {
          const m = manifest(OWNER, streams("I", 0, 6, { description: "v1", consumers: 1 }));
          const plan = await planOf(server, m);
          let child: ChildProcess | undefined;
          let interruptedAt = 0;
          const trigger = await faultAfter(server, WRITES, 3, async () => {
            await server.pause();
            interruptedAt = performance.now();
            child?.kill("SIGINT");
          });
          let run: JsplanRun;
          const spawnedAt = performance.now();
          try {
            // The default timeout (5 s), with its confirm-and-repeat bound of 20 s that Ctrl-C must cut short.
            run = await runJsplan(
              ["apply", "-", "-s", server.url, "--auto-approve", "--concurrency", "1"],
              m,
              undefined,
              (c) => {
                child = c;
              },
            );
            await trigger.settle();
          } finally {
            await trigger.settle().catch(() => undefined);
            await server.resume();
          }
          assert.ok(trigger.fired && interruptedAt > 0, "Ctrl-C came while the server was frozen");
          const afterInterrupt = Math.round(spawnedAt + run.ms - interruptedAt);
          t.diagnostic(`apply exited ${afterInterrupt} ms after Ctrl-C`);
          assertCleanExit(run, 1);
          assert.match(run.stderr, /Interrupted: no new steps are started; waiting for those in flight/);
          assert.ok(afterInterrupt < 15_000, `exited ${afterInterrupt} ms after Ctrl-C (its timeout is 5 s)`);
          const tally = checkReport(plan, reportFromText(run.stderr), await liveState(server));
          assertFinalLine(run.stdout, tally, /^interrupted$/);
          assert.ok(tally.not_executed > 0, "the steps after Ctrl-C are not executed");
          for (const l of run.stderr.split("\n").filter((x) => x.startsWith("?"))) {
            assert.match(
              l,
              /^\? \S+ \w+: no answer came \(\d+ms\); it may or may not have been \w+ \(no answer on \$JS\.API\.\S+ within 5s\)$/,
            );
          }
          await applyOk(server, m, ["--lock-timeout", "60s"]);
          assertEmpty(await planOf(server, m), "after the next apply");
        }),
    );
  });
}
