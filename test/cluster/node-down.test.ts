// jsplan with a cluster node down (issue #5, part 5): a stream whose only replica is on the dead node cannot
// be read, and the server lists it as missing. The plan names it and never proposes to create it (it exists)
// or to delete it (it is only unreadable); other resources can still be planned with --target; once the node
// is back, the plan converges.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connectTo, serverLines, withCluster } from "../harness/index.js";
import { applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import { acting, NODE_TAGS_CONFIG, planRaw, publish, servedBy, yaml } from "./support.js";

for (const line of serverLines()) {
  describe(`jsplan with a node down in a nats-server ${line} cluster`, () => {
    it(
      "a stream whose only replica is on the dead node is named, never created or deleted",
      {
        timeout: 180_000,
      },
      (t) =>
        withCluster(t, { line, name: "jsd", config: NODE_TAGS_CONFIG }, async (cluster) => {
          const nc = await connectTo(cluster);
          const url = cluster.urls.join(",");
          // The victim is not the meta leader: without a meta leader nothing can be listed for a while.
          const meta = await cluster.metaLeader();
          assert.ok(meta, "the cluster has a meta leader");
          const [victim, survivor] = [
            cluster.servers.find((s) => s !== meta)!,
            cluster.servers.find((s) => s === meta)!,
          ];
          const manifest = (streams: { name: string; on: string; description?: string }[]) =>
            yaml({
              version: 1,
              owner: "node-down",
              streams: streams.map((s) => ({
                name: s.name,
                subjects: [`${s.name.toLowerCase()}.>`],
                placement: { tags: [s.on] },
                ...(s.description ? { description: s.description } : {}),
                consumers: [{ name: "c", ack_policy: "explicit" }],
              })),
            });
          const down = { name: "DOWN", on: victim.name };
          const up = { name: "UP", on: survivor.name };
          const both = manifest([down, up]);
          await applyOk(url, both);
          assert.deepEqual((await servedBy(nc, "DOWN", 1)).peers, [victim.name]);
          assert.deepEqual((await servedBy(nc, "UP", 1)).peers, [survivor.name]);
          await publish(nc, "down.x", 3);
          assertEmpty(await planOf(url, both));

          await victim.kill("SIGKILL");
          try {
            // Three plans at once: each waits for the server's ~4 s list window and jsplan's own checks.
            const started = Date.now();
            const [inManifest, absent, targeted] = await Promise.all([
              planRaw(url, both),
              planRaw(url, manifest([up])),
              planRaw(url, manifest([down, { ...up, description: "changed" }]), ["--target", "stream.UP"]),
            ]);
            t.diagnostic(`three plans with a node down took ${Date.now() - started} ms`);

            await t.test("in the manifest: plan exits 1 naming the stream as unavailable, no create", () => {
              const out = `${inManifest.stderr}${inManifest.stdout}`;
              assert.equal(inManifest.code, 1, out);
              assert.match(out, /stream DOWN is unavailable/);
              assert.doesNotMatch(out, /"action": "create"|will be created/);
            });

            await t.test("absent from the manifest (owned): no delete, a warning names it", () => {
              const out = `${absent.stderr}${absent.stdout}`;
              assert.ok(absent.plan, `plan failed (exit ${absent.code}): ${out}`);
              assert.deepEqual(acting(absent.plan), [], "nothing to do: DOWN is left alone");
              assert.ok(
                !absent.plan.changes.some((c) => c.address.includes("DOWN")),
                `no change for DOWN or its consumer: ${JSON.stringify(acting(absent.plan))}`,
              );
              const warnings = absent.plan.warnings.map((w) => `${w.address}: ${w.message}`);
              assert.ok(
                warnings.some((w) => w.startsWith("stream.DOWN:") && /unavailable/.test(w)),
                `a warning names DOWN as unavailable: ${JSON.stringify(warnings)}`,
              );
            });

            await t.test("--target on another stream: that stream is planned", () => {
              const out = `${targeted.stderr}${targeted.stdout}`;
              assert.equal(targeted.code, 0, out);
              assert.ok(targeted.plan, out);
              assert.deepEqual(acting(targeted.plan), [
                { address: "stream.UP", action: "update", paths: ["description"] },
              ]);
            });
          } finally {
            await victim.restart();
            await cluster.waitReady();
          }
          const back = await servedBy(nc, "DOWN", 1);
          assert.equal(back.messages, 3, "DOWN kept its messages");
          assertEmpty(await planOf(url, both), "after the node is back");
        }),
    );
  });
}
