// `jsplan plan` when the server fails while it reads the live state (issue 7, part 2), on the oldest and the
// newest server line: frozen by SIGSTOP (the connection stays open, nothing answers; also before jsplan
// connects) and SIGKILLed. The plan must give up within its request timeouts with one clear line, print no
// partial plan, exit 1 even with --detailed-exitcode, and change nothing; once the server is back the plan
// is right and apply converges.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serverLines, withServer } from "../harness/index.js";
import { applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import { assertCleanExit, CONSUMER_LISTS, faultAfter, manifest, runJsplan, streams } from "./support.js";

/**
 * Enough streams with a consumer that reading them takes a few hundred CONSUMER.LIST requests (32 in
 * flight): the fault, fired on the first one, lands with most of the reading still to do.
 */
const STREAMS = 200;

for (const line of serverLines()) {
  describe(`plan on nats-server ${line} when the server fails mid-read`, () => {
    it(
      "frozen, then killed, while plan reads the consumers: it fails promptly and cleanly; afterwards apply converges",
      {
        timeout: 240_000,
      },
      (t) =>
        withServer(t, { line }, async (server) => {
          const v1 = manifest("faults-plan", streams("S", 0, STREAMS, { description: "v1", consumers: 1 }));
          const v2 = manifest("faults-plan", streams("S", 0, STREAMS, { description: "v2", consumers: 1 }));
          const args = ["plan", "-", "-s", server.url, "--detailed-exitcode"];

          await t.test("frozen before plan connects: exit 1 within the connect timeout", async (t) => {
            await server.pause();
            try {
              const run = await runJsplan([...args, "--timeout", "2s"], v2);
              t.diagnostic(`plan gave up after ${run.ms} ms: ${run.stderr.trim()}`);
              assertCleanExit(run, 1);
              // The time it waited: the 2 s timeout, and on a loaded machine a little more.
              assert.match(run.stderr, /^jsplan: cannot connect to nats:\/\/127\.0\.0\.1:\d+: .*\b2\.\ds/m);
              assert.equal(run.stdout, "");
            } finally {
              await server.resume();
            }
          });

          await applyOk(server, v1, []);

          await t.test(
            "frozen (SIGSTOP): no answer within --timeout, three reads, then exit 1",
            async (t) => {
              const trigger = await faultAfter(server, CONSUMER_LISTS, 1, () => server.pause());
              try {
                const run = await runJsplan([...args, "--timeout", "2s"], v2);
                await trigger.settle();
                t.diagnostic(`plan gave up after ${run.ms} ms (${trigger.seen} CONSUMER.LIST requests seen)`);
                assert.ok(trigger.fired, "the server was frozen while the plan read it");
                assertCleanExit(run, 1);
                assert.match(
                  run.stderr,
                  /^jsplan: reading the server's state failed: no answer on \$JS\.API\.\S+ within 2s$/m,
                );
                assert.equal(run.stdout, "", "no partial plan is printed");
                // Reads are retried on a timeout (3 attempts): the whole wait is bounded by a few timeouts.
                assert.ok(run.ms >= 2000, `it waited for its timeout (${run.ms} ms)`);
              } finally {
                await trigger.settle().catch(() => undefined);
                await server.resume();
              }
            },
          );

          await t.test("killed (SIGKILL): exit 1 at once, naming the lost connection", async (t) => {
            const trigger = await faultAfter(server, CONSUMER_LISTS, 1, () => server.kill("SIGKILL"));
            try {
              const run = await runJsplan([...args, "--timeout", "5s"], v2);
              await trigger.settle();
              t.diagnostic(`plan gave up after ${run.ms} ms (${trigger.seen} CONSUMER.LIST requests seen)`);
              assert.ok(trigger.fired, "the server was killed while the plan read it");
              assertCleanExit(run, 1);
              assert.match(
                run.stderr,
                /^jsplan: reading the server's state failed: the connection to the server was lost\b.*$/m,
              );
              assert.equal(run.stdout, "", "no partial plan is printed");
            } finally {
              await trigger.settle().catch(() => undefined);
              await server.restart();
            }
          });

          await t.test(
            "after the restart: nothing was changed, the plan is right, apply converges",
            async () => {
              assertEmpty(await planOf(server, v1), "for the manifest applied before the faults");
              const plan = await planOf(server, v2);
              assert.equal(plan.steps.length, STREAMS, "one update per stream");
              assert.ok(plan.steps.every((s) => s.action === "update" && s.address.startsWith("stream.")));
              await applyOk(server, v2, []);
              assertEmpty(await planOf(server, v2), "after the apply");
            },
          );
        }),
    );
  });
}
