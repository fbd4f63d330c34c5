// Replicas against a real 3-node cluster, on the oldest and newest line: more replicas than the cluster
// has servers is refused at plan time and apply changes nothing; as many as it has plans and applies.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type NatsCluster, serverLines, startCluster } from "../harness/index.js";
import { runCli } from "../support/cli.js";

const m = (replicas: number) =>
  `version: 1\nowner: cl\nstreams:\n  - name: R\n    subjects: ["r.>"]\n    num_replicas: ${replicas}\n`;

for (const line of serverLines()) {
  describe(`preflight in a 3-node cluster, nats-server ${line}`, () => {
    let cluster: NatsCluster;
    before(async () => {
      cluster = await startCluster({ line });
    });
    after(async () => {
      await cluster?.stop();
    });

    it("num_replicas 4 is refused before apply; 3 fits", async () => {
      const url = cluster.urls[0]!;
      const plan = await runCli(["plan", "-", "-s", url], { stdin: m(4) });
      assert.equal(plan.code, 1, plan.stdout + plan.stderr);
      assert.match(plan.stderr, /stream\.R {2}num_replicas 4 is more than the 3 servers of cluster .*10005/);
      const refused = await runCli(["apply", "-", "-s", url, "--auto-approve"], { stdin: m(4) });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /nothing was changed on the server/);
      const fits = await runCli(["apply", "-", "-s", url, "--auto-approve"], { stdin: m(3) });
      assert.equal(fits.code, 0, fits.stdout + fits.stderr);
      const again = await runCli(["plan", "-", "-s", url, "--detailed-exitcode"], { stdin: m(3) });
      assert.equal(again.code, 0, again.stdout + again.stderr);
      // A scale-up beyond the cluster is refused the same way.
      const up = await runCli(["plan", "-", "-s", url], { stdin: m(5) });
      assert.equal(up.code, 1);
      assert.match(up.stderr, /num_replicas 5 is more than the 3 servers/);
    });
  });
}
