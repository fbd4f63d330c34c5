// The API and the CLI are two doors to the same sessions (src/reconcile): for the same manifest and server
// they give the same plan and the same warnings, the warnings of loading the manifest included.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe } from "node:test";
import { connect, load, observe, plan, reconcile } from "../../src/index.js";
import type { Plan } from "../../src/model/plan.js";
import { connectTo, serverLines, serverTest } from "../harness/index.js";
import { runCli } from "../support/cli.js";

// inactive_threshold on a durable is a warning of the loader; the live stream without the owner marker
// makes the plan adopt it; compression makes a warning of the planner.
const MANIFEST = `version: 1
owner: app
streams:
  - name: ORDERS
    subjects: ["orders.>"]
    compression: s2
    consumers:
      - name: worker
        ack_policy: explicit
        inactive_threshold: 1h
`;

for (const line of serverLines()) {
  describe(`nats-server ${line}: the API and the CLI`, () => {
    serverTest("give the same plan and warnings for the same manifest", { line }, async (t, server) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-same-"));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, "jsplan.yaml");
      writeFileSync(file, MANIFEST);
      const nc = await connectTo(server);
      const { jetstreamManager } = await import("@nats-io/jetstream");
      await (await jetstreamManager(nc)).streams.add({ name: "ORDERS", subjects: ["orders.>"] });

      const cli = await runCli(["plan", file, "-s", server.url, "--format", "json"], { cwd: dir });
      assert.equal(cli.code, 0, cli.stderr);
      const fromCli = JSON.parse(cli.stdout) as Plan;
      assert.ok(fromCli.warnings.length >= 2, "the manifest makes a loader and a planner warning");

      // Stage by stage, passing the loader's warnings on.
      const loaded = await load([file], { cwd: dir, env: {} });
      const session = await connect({ servers: [server.url] });
      let staged: Plan;
      try {
        const warnings = loaded.diagnostics.filter((d) => d.severity === "warning");
        staged = plan({ desired: loaded.desired!, observed: await observe(session), warnings }).plan!;
      } finally {
        await session.close();
      }
      // The CLI's plan also says where it was made; a plan of the staged calls cannot know.
      const { target, ...fromCliWithoutTarget } = fromCli;
      assert.deepEqual(target, { url: server.url, context: null, account: null });
      assert.deepEqual(staged, fromCliWithoutTarget);

      // In one call: the plan it applies, and the warnings it returns.
      const once = await reconcile({
        manifest: [file],
        cwd: dir,
        env: {},
        connection: { servers: [server.url] },
      });
      assert.deepEqual(once.plan, fromCli);
      assert.deepEqual(
        once.diagnostics.map((d) => [d.code, d.address, d.message]),
        fromCli.warnings.map((w) => [w.code, w.address, w.message]),
      );
      assert.equal(once.result?.summary.failed, 0, JSON.stringify(once.result));
    });
  });
}
