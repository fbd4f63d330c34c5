// ignore_changes against real servers (issue 18): fields an operator changes by hand are left as they are
// (no plan, exit 0 with --detailed-exitcode), and a create-only consumer is created once as declared and then
// left alone; a field the manifest still manages is corrected as before.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectTo, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";

const GIB = 2 ** 30;
const HOUR = 3600e9;

const manifest = [
  "version: 1",
  "owner: ignoring",
  "streams:",
  "  - name: IGN",
  '    subjects: ["ign.>"]',
  "    max_bytes: 1GiB",
  "    max_age: 1h",
  "    ignore_changes: [max_bytes, metadata]",
  "    consumers:",
  "      - name: tuned",
  "        ack_policy: explicit",
  "        max_ack_pending: 100",
  "        ignore_changes: all",
  "",
].join("\n");

for (const line of serverLines()) {
  describe(`ignore_changes, nats-server ${line}`, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
    });
    after(async () => {
      await server?.stop();
    });
    const cli = (...args: string[]) => runCli([...args, "-", "-s", server.url], { stdin: manifest });

    it("hand changes to ignored fields produce no plan; a create-only consumer is created once, then left", async () => {
      assert.equal((await cli("apply", "--auto-approve")).code, 0);
      const jsm = await jetstreamManager(nc);
      assert.equal(
        (await jsm.consumers.info("IGN", "tuned")).config.max_ack_pending,
        100,
        "created as declared",
      );
      const si = await jsm.streams.info("IGN");
      await jsm.streams.update("IGN", {
        ...si.config,
        max_bytes: 2 * GIB,
        metadata: { ...si.config.metadata, "on-call": "raised during an incident" },
      });
      const ci = await jsm.consumers.info("IGN", "tuned");
      await jsm.consumers.update("IGN", "tuned", {
        ...ci.config,
        max_ack_pending: 5000,
        description: "tuned by hand",
      });
      const json = JSON.parse((await cli("plan", "--format", "json")).stdout) as {
        changes: Array<{ address: string; action: string; after: Record<string, unknown> }>;
      };
      const tuned = json.changes.find((c) => c.address === "consumer.IGN.tuned")!;
      assert.deepEqual([tuned.action, tuned.after.max_ack_pending], ["no-op", 5000]);
      const plan = await cli("plan", "--detailed-exitcode");
      assert.equal(plan.code, 0, plan.stdout + plan.stderr);
      assert.match(
        plan.stderr + plan.stdout,
        /stream\.IGN {2}ignore_changes: max_bytes, metadata\.on-call differ on the server and are left as they are/,
      );
      // A managed field changed by hand is corrected, and the ignored ones stay as they are.
      await jsm.streams.update("IGN", { ...(await jsm.streams.info("IGN")).config, max_age: 2 * HOUR });
      const applied = await cli("apply", "--auto-approve");
      assert.equal(applied.code, 0, applied.stderr);
      const now = (await jsm.streams.info("IGN")).config;
      assert.deepEqual(
        [now.max_age, now.max_bytes, now.metadata?.["on-call"]],
        [HOUR, 2 * GIB, "raised during an incident"],
      );
      assert.equal((await jsm.consumers.info("IGN", "tuned")).config.max_ack_pending, 5000);
      assert.equal((await cli("plan", "--detailed-exitcode")).code, 0);
    });
  });
}
