// The programmatic API (`import { ... } from "jsplan"`) against real servers: an application reconciling
// its own streams at start-up, stage by stage and in one call, with the same safety gates as the CLI.

import assert from "node:assert/strict";
import { describe } from "node:test";
import {
  ApplyLocked,
  ApplyRefused,
  apply,
  connect,
  load,
  observe,
  plan,
  reconcile,
  renderPlan,
  version,
} from "../../src/index.js";
import { serverLines, serverTest } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { planOf } from "../support/jsplan.js";

const manifest = (maxAge: string, withAudit = true) => `version: 1
owner: app
streams:
  - name: EVENTS
    subjects: ["events.>"]
    max_age: ${maxAge}
    consumers:
      - name: worker
        ack_policy: explicit
${withAudit ? '  - name: AUDIT\n    subjects: ["audit.>"]\n' : ""}`;

const files = (text: string) => ({ files: [{ path: "app.yaml", text }] });

for (const line of serverLines()) {
  describe(`nats-server ${line}: the programmatic API`, () => {
    serverTest("reconcile creates what is missing and is then a no-op", { line }, async (_t, server) => {
      const first = await reconcile({
        manifest: files(manifest("1d")),
        connection: { servers: [server.url] },
      });
      assert.deepEqual(first.diagnostics, []);
      assert.equal(first.result?.summary.succeeded, 3, JSON.stringify(first.result));
      assert.equal(first.result?.summary.failed, 0);

      const second = await reconcile({
        manifest: files(manifest("1d")),
        connection: { servers: [server.url] },
      });
      assert.equal(second.result, undefined, "nothing to do, nothing applied");
      assert.ok(second.plan?.changes.every((c) => c.action === "no-op"));
      // The CLI agrees with what the API did.
      const cli = await planOf(server, manifest("1d"));
      assert.ok(cli.changes.every((c) => c.action === "no-op"));
    });

    serverTest(
      "stage by stage: load, connect, observe, plan, render, apply",
      { line },
      async (_t, server) => {
        await reconcile({ manifest: files(manifest("1d")), connection: { servers: [server.url] } });
        const loaded = await load(files(manifest("30d")));
        assert.ok(loaded.desired, JSON.stringify(loaded.diagnostics));
        const session = await connect({ servers: [server.url] });
        try {
          const outcome = plan({ desired: loaded.desired, observed: await observe(session) });
          assert.ok(outcome.plan);
          assert.equal(outcome.plan.jsplan_version, version());
          const text = renderPlan(outcome.plan, "text");
          assert.match(text, /~ stream\.EVENTS will be updated in place/);
          assert.match(text, /max_age: +1d → 30d/);
          assert.match(renderPlan(outcome.plan, "markdown"), /stream\.EVENTS/);
          assert.equal(
            JSON.parse(renderPlan(outcome.plan, "json")).format_version,
            outcome.plan.format_version,
          );

          const seen: string[] = [];
          const result = await apply(outcome.plan, session, { onStep: (s) => seen.push(s.address) });
          assert.deepEqual(
            result.results.map((r) => [r.address, r.action, r.status]),
            [["stream.EVENTS", "update", "succeeded"]],
          );
          assert.deepEqual(seen, ["stream.EVENTS"]);
          const after = plan({ desired: loaded.desired, observed: await observe(session) });
          assert.ok(after.plan?.changes.every((c) => c.action === "no-op"));
        } finally {
          await session.close();
        }
      },
    );

    serverTest(
      "reconcile takes the apply lock: refused while jsplan apply holds it, unless noLock",
      { line },
      async (_t, server) => {
        let refused: unknown;
        let unlocked: Awaited<ReturnType<typeof reconcile>> | undefined;
        const held = await runCli(["apply", "-", "-s", server.url], {
          stdin: "version: 1\nowner: cli\nstreams:\n  - name: CLI\n    subjects: [cli.>]\n",
          tty: true,
          answers: [
            async () => {
              refused = await reconcile({
                manifest: files(manifest("1d")),
                connection: { servers: [server.url] },
              }).catch((e: unknown) => e);
              unlocked = await reconcile({
                manifest: files(manifest("1d")),
                connection: { servers: [server.url] },
                noLock: true,
              });
              return "yes";
            },
          ],
        });
        assert.equal(held.code, 0, held.stderr);
        assert.ok(refused instanceof ApplyLocked, String(refused));
        assert.equal(refused.kind, "held");
        assert.match(refused.message, /another jsplan apply holds the lock of this account/);
        assert.equal(unlocked?.result?.summary.succeeded, 3, "with noLock it runs");
      },
    );

    serverTest("a delete needs allowDestroy; refused before any call", { line }, async (_t, server) => {
      await reconcile({ manifest: files(manifest("1d")), connection: { servers: [server.url] } });
      const smaller = files(manifest("1d", false));
      await assert.rejects(
        reconcile({ manifest: smaller, connection: { servers: [server.url] } }),
        (e: unknown) => e instanceof ApplyRefused && /stream\.AUDIT/.test(e.problems.join("\n")),
      );
      const still = await planOf(server, manifest("1d"));
      assert.ok(
        still.changes.every((c) => c.action === "no-op"),
        "AUDIT is still there after the refusal",
      );

      const done = await reconcile({
        manifest: smaller,
        connection: { servers: [server.url] },
        allowDestroy: true,
      });
      assert.deepEqual(
        done.result?.results.map((r) => [r.address, r.action, r.status]),
        [["stream.AUDIT", "delete", "succeeded"]],
      );
    });

    serverTest(
      "a bad manifest comes back as diagnostics, with nothing applied",
      { line },
      async (_t, server) => {
        const r = await reconcile({
          manifest: files("version: 1\nowner: app\nstreams:\n  - name: EVENTS\n    max_agee: 1d\n"),
          connection: { servers: [server.url] },
        });
        assert.equal(r.plan, undefined);
        assert.equal(r.result, undefined);
        const d = r.diagnostics.find((x) => x.severity === "error");
        assert.ok(d, JSON.stringify(r.diagnostics));
        assert.match(d.message, /max_agee/);
        assert.equal(d.pos?.line, 5);
        const observedEmpty = await planOf(server, "version: 1\nowner: app\n");
        assert.deepEqual(observedEmpty.changes, []);
      },
    );
  });
}
