// One apply at a time per account: the lease in JetStream. Two applies started together (one waits at its
// prompt while the other starts): the second fails at once naming the first, or waits with --lock-timeout
// and then runs; plan says an apply is running; --no-lock runs anyway and says what it risks. A jsplan
// killed with SIGKILL leaves a lease that expires on its own within its TTL; SIGTERM mid-apply ends like
// Ctrl-C, with a report of every step, and releases the lock at once. The lock's stream never shows up.

import assert from "node:assert/strict";
import { describe } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connectTo, type NatsServer, serverLines, serverTest } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { assertEmpty, planOf } from "../support/jsplan.js";
import { bigManifest, spawnJsplan } from "../support/spawn.js";

const manifest = (names: string[]) =>
  `version: 1\nowner: team-a\nstreams:\n${names.map((n) => `  - name: ${n}\n    subjects: ["${n.toLowerCase()}.>"]`).join("\n")}\n`;

for (const line of serverLines()) {
  describe(`nats-server ${line}: one apply at a time`, () => {
    serverTest(
      "while an apply waits at its prompt, a second fails naming it, plan says so, and a waiting one runs after",
      { line },
      async (_t, server) => {
        const s = ["-s", server.url];
        let second: Awaited<ReturnType<typeof runCli>> | undefined;
        let planned: Awaited<ReturnType<typeof runCli>> | undefined;
        let unlocked: Awaited<ReturnType<typeof runCli>> | undefined;
        let waiting: Promise<Awaited<ReturnType<typeof runCli>>> | undefined;
        const first = await runCli(["apply", "-", ...s], {
          stdin: manifest(["ONE"]),
          tty: true,
          answers: [
            async () => {
              second = await runCli(["apply", "-", ...s, "--auto-approve"], { stdin: manifest(["TWO"]) });
              planned = await runCli(["plan", "-", ...s], { stdin: manifest(["ONE"]) });
              unlocked = await runCli(["apply", "-", ...s, "--auto-approve", "--no-lock"], {
                stdin: manifest(["ONE", "FREE"]),
              });
              waiting = runCli(["apply", "-", ...s, "--auto-approve", "--lock-timeout", "60s"], {
                stdin: manifest(["ONE", "FREE", "LATER"]),
              });
              await new Promise((r) => setTimeout(r, 1500));
              return "yes";
            },
          ],
        });
        assert.equal(first.code, 0, first.stderr);
        assert.equal(second?.code, 1);
        assert.match(
          second!.stderr,
          /Apply refused: another jsplan apply holds the lock of this account \(owner team-a, host .+, process \d+, since .+\); nothing was changed\. To go on, wait for it to finish, or give --lock-timeout/,
        );
        assert.equal(planned?.code, 0, planned?.stderr);
        assert.match(planned!.stderr + planned!.stdout, /another jsplan apply is running in this account/);
        assert.equal(unlocked?.code, 0, unlocked?.stderr);
        assert.match(unlocked!.stderr, /--no-lock: this apply does not take the account's apply lock/);
        const later = await waiting!;
        assert.equal(later.code, 0, later.stderr);
        assert.match(
          later.stderr,
          /Waiting up to 60s for the apply lock, held by another jsplan apply \(owner team-a/,
        );

        const nc = await connectTo(server);
        try {
          const jsm = await jetstreamManager(nc);
          await assert.rejects(jsm.streams.info("TWO"), "the refused apply changed nothing");
          for (const n of ["ONE", "FREE", "LATER"]) assert.equal((await jsm.streams.info(n)).config.name, n);
        } finally {
          await nc.close();
        }
        const after = await planOf(server, manifest(["ONE", "FREE", "LATER"]));
        assertEmpty(after, "the lock's own stream is not a resource");
        assert.deepEqual(after.unmanaged, []);
        assert.deepEqual(after.warnings, [], "nobody holds the lock now");
        const exported = await runCli(["export", ...s]);
        assert.doesNotMatch(exported.stdout, /JSPLAN_LEASE/);
      },
    );

    serverTest(
      "SIGKILL leaves a lease that expires within its TTL; SIGTERM reports every step and releases it at once",
      { line, timeout: 120_000 },
      async (t, server) => {
        const s = ["-s", server.url];
        const env = { JSPLAN_LOCK_TTL: "3s" };
        const m = bigManifest(60, 2);
        const killed = await spawnJsplan(
          ["apply", "-", ...s, "--auto-approve", "--concurrency", "1"],
          m,
          (err, child) => {
            if ((err.match(/✓/g)?.length ?? 0) >= 10) child.kill("SIGKILL");
          },
          env,
        );
        assert.equal(killed.code, null, "killed");
        const refused = await runCli(["apply", "-", ...s, "--auto-approve"], { stdin: m, env });
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /another jsplan apply holds the lock of this account \(owner big/);
        const started = performance.now();
        const next = await runCli(["apply", "-", ...s, "--auto-approve", "--lock-timeout", "30s"], {
          stdin: m,
          env,
        });
        t.diagnostic(
          `the lease of the killed run went after ${Math.round(performance.now() - started)} ms (TTL 3 s)`,
        );
        assert.equal(next.code, 0, next.stderr);
        assert.match(next.stderr, /Waiting up to 30s for the apply lock/);

        // 60 more streams with their consumers: 180 steps, stopped by SIGTERM after 10.
        await interruptedMidApply(server, "SIGTERM", bigManifest(120, 2), 180, env);
      },
    );

    serverTest(
      "SIGHUP (a closed terminal, a cancelled CI job) ends an apply as SIGTERM does: every step reported, lock released",
      { line, timeout: 120_000 },
      async (_t, server) => {
        await interruptedMidApply(server, "SIGHUP", bigManifest(40, 2), 120, { JSPLAN_LOCK_TTL: "3s" });
      },
    );
  });
}

/**
 * An apply of `steps` steps, sent `signal` once after 10 of them: it ends with exit 1 and a report that
 * counts every step once (done, or not executed by cause), true to the server, and it releases the lock at
 * once (the next apply runs without waiting).
 */
async function interruptedMidApply(
  server: NatsServer,
  signal: NodeJS.Signals,
  manifest: string,
  steps: number,
  env: Record<string, string>,
): Promise<void> {
  const s = ["-s", server.url];
  let sent = false;
  const stopped = await spawnJsplan(
    ["apply", "-", ...s, "--auto-approve", "--concurrency", "1"],
    manifest,
    (err, child) => {
      // Once: a second signal is someone who will not wait, and ends jsplan at once.
      if (!sent && (err.match(/✓/g)?.length ?? 0) >= 10) {
        sent = true;
        child.kill(signal);
      }
    },
    env,
  );
  assert.equal(stopped.code, 1, stopped.stderr.slice(-1000));
  assert.match(stopped.stderr, /Interrupted/);
  assert.match(stopped.stdout, /Apply incomplete \(interrupted\)/);
  const done = (stopped.stderr.match(/✓/g) ?? []).length;
  // Not one line per step: counted by cause at the end.
  assert.doesNotMatch(stopped.stderr, /^- \S+ not executed/m);
  const notRun = Number(
    /^Not executed \((\d+)\):\n {2}\d+ steps?: interrupted$/m.exec(stopped.stderr)?.[1] ?? 0,
  );
  assert.ok(notRun > 0, "steps not started are reported as not executed");
  const plan = await planOf(server, manifest);
  assert.equal(done + notRun, steps, `every step is reported once (${done} done, ${notRun} not)`);
  assert.equal(plan.steps.length, notRun, "the report matches the server");
  const right = await runCli(["apply", "-", ...s, "--auto-approve"], { stdin: manifest, env });
  assert.equal(right.code, 0, `the lock was released at once: ${right.stderr}`);
  assertEmpty(await planOf(server, manifest));
}
