// Property 1 (issue 7): on every supported server line, a random valid manifest applies cleanly and then
// plans to no changes.
//
// For each case: the generated manifest (generators.ts) must pass jsplan's loader; `jsplan apply
// --auto-approve` must succeed with every step succeeded and no silent adjustment reported; `jsplan plan`
// of the same manifest must then be empty. Every resource of a case is named after the case number and
// the server is emptied after each case, so cases are independent.

import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectTo, keepLogs, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { planOf } from "../support/jsplan.js";
import { featuresOf, foreignStream, manifestArb, toManifest } from "./generators.js";
import {
  applyText,
  assertApplied,
  assertLoads,
  assertNoChanges,
  createStream,
  RUNS,
  runProperty,
  thenClean,
  timeoutFor,
  yamlOf,
} from "./support.js";

for (const line of serverLines()) {
  describe(`nats-server ${line}: random manifests apply and converge`, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
    });
    after(async () => {
      await server?.stop();
    });

    it(`${RUNS} random manifests: apply succeeds, then plan is empty`, {
      timeout: timeoutFor(1500),
    }, async (t) => {
      const features = featuresOf(server.version);
      const { cases } = await runProperty(
        manifestArb(features),
        async (gen, ctx) => {
          const manifest = yamlOf(toManifest(gen, features, ctx.caseNo));
          ctx.record("manifest", manifest);
          assertLoads(manifest);
          await thenClean(nc, async () => {
            await createStream(nc, foreignStream(ctx.caseNo));
            const applied = await applyText(server.url, manifest);
            assertApplied(applied, "apply");
            assertNoChanges(await planOf(server, manifest), "plan after apply");
          });
        },
        {
          onFailure: () => keepLogs(t, server),
          replay: { line, file: "dist/test/property/apply-converges.test.js" },
        },
      );
      t.diagnostic(`${cases} cases on nats-server ${server.version}`);
    });
  });
}
