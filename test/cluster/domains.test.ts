// jsplan across JetStream domains (issue #5): a hub server (domain "hub") with a leaf node server (domain
// "leaf") connected to it. jsplan connects to the leaf and manages the hub's JetStream with --js-domain hub.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectTo, serverLines, withServer } from "../harness/index.js";
import { allocatePorts, releasePorts } from "../harness/ports.js";
import { applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import { jsApi, type Obj, yaml } from "./support.js";

const MANIFEST = yaml({
  version: 1,
  owner: "domains",
  streams: [
    {
      name: "HUBS",
      subjects: ["hubs.>"],
      max_age: "1h",
      consumers: [{ name: "worker", ack_policy: "explicit", max_deliver: 5 }],
    },
  ],
  key_value: [{ bucket: "settings", history: 3 }],
});

/** Waits until `$JS.<domain>.API.INFO` answers through `nc`, i.e. the leaf connection is up. */
async function domainReachable(nc: NatsConnection, domain: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const m = await nc.request(`$JS.${domain}.API.INFO`, undefined, { timeout: 500 });
      const info = m.json<{ domain?: string; error?: unknown }>();
      if (!info.error && info.domain === domain) return;
    } catch {
      // no answer yet
    }
    assert.ok(Date.now() < deadline, `$JS.${domain}.API is not reachable through the leaf node`);
    await delay(100);
  }
}

async function streamNames(nc: NatsConnection, prefix: string): Promise<string[]> {
  const m = await nc.request(`${prefix}.STREAM.NAMES`, "{}", { timeout: 5000 });
  // jsplan's apply lock lives in the domain it applies to; it is not one of the resources compared here.
  return (m.json<{ streams: string[] | null }>().streams ?? []).filter((n) => n !== "JSPLAN_LEASE").sort();
}

for (const line of serverLines()) {
  describe(`jsplan across JetStream domains on nats-server ${line}`, () => {
    it("applies to the hub's domain through a leaf node; the plan is then empty", {
      timeout: 60_000,
    }, async (t) => {
      const [leafPort] = await allocatePorts(1);
      try {
        await withServer(
          t,
          {
            line,
            name: "hub",
            jetstreamConfig: "domain: hub",
            config: `leafnodes { listen: "127.0.0.1:${leafPort}" }`,
          },
          (hub) =>
            withServer(
              t,
              {
                line,
                name: "leaf",
                jetstreamConfig: "domain: leaf",
                config: `leafnodes { remotes: [ { url: "nats://127.0.0.1:${leafPort}" } ] }`,
              },
              async (leaf) => {
                const onLeaf = await connectTo(leaf);
                const onHub = await connectTo(hub);
                await domainReachable(onLeaf, "hub");

                await applyOk(leaf, MANIFEST, ["--js-domain", "hub"]);
                assert.deepEqual(await streamNames(onHub, "$JS.API"), ["HUBS", "KV_settings"], "on the hub");
                assert.deepEqual(
                  await streamNames(onLeaf, "$JS.API"),
                  [],
                  "nothing in the leaf's own domain",
                );
                const consumer = await jsApi(onHub, "CONSUMER.INFO.HUBS.worker");
                assert.equal(
                  (consumer.body.config as Obj | undefined)?.max_deliver,
                  5,
                  "the consumer is on the hub",
                );

                const plan = await planOf(leaf, MANIFEST, ["--js-domain", "hub"]);
                assertEmpty(plan, "through the leaf, in the hub's domain");
                assert.equal(plan.server.domain, "hub");

                // Without the domain, jsplan manages the leaf's own JetStream: everything is still to create.
                const local = await planOf(leaf, MANIFEST);
                assert.equal(local.server.domain, "leaf");
                assert.deepEqual(local.summary, { create: 3, update: 0, replace: 0, delete: 0, no_op: 0 });
              },
            ),
        );
      } finally {
        releasePorts([leafPort]);
      }
    });
  });
}
