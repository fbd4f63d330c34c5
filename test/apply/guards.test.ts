// Apply re-checks what the plan assumed, immediately before each step: a resource that another client
// deleted and created again, handed to another owner, stamped, or filled with more messages than the plan
// said it loses is left untouched, reported as changed since the plan, and the run exits 1. The changes are
// made while the prompt waits (or between plan and apply through the API), so the race happens every time.

import assert from "node:assert/strict";
import { describe } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { apply, connect, load, observe, plan } from "../../src/index.js";
import { connectTo, serverLines, serverTest } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyOk, planOf } from "../support/jsplan.js";

const OWNED = (streams: string[]) => `version: 1
owner: team-a
streams:
${streams.map((s) => `  - name: ${s}\n    subjects: ["${s.toLowerCase()}.>"]`).join("\n")}
`;
const EMPTY = "version: 1\nowner: team-a\n";

for (const line of serverLines()) {
  describe(`nats-server ${line}: per-step guards`, () => {
    serverTest(
      "a stream deleted and created again while the prompt waits is not deleted",
      { line },
      async (_t, server) => {
        await applyOk(server, OWNED(["DOOMED"]));
        const nc = await connectTo(server);
        const jsm = await jetstreamManager(nc);
        const r = await runCli(["apply", "-", "-s", server.url, "--allow-destroy"], {
          stdin: EMPTY,
          tty: true,
          answers: [
            async () => {
              // An application deletes DOOMED and creates it again, without a marker, with messages and a consumer.
              await jsm.streams.delete("DOOMED");
              await jsm.streams.add({ name: "DOOMED", subjects: ["doomed.>"] });
              const js = jetstream(nc);
              for (let i = 0; i < 100; i++) await js.publish("doomed.x", "m");
              await jsm.consumers.add("DOOMED", { durable_name: "app", ack_policy: "explicit" });
              return "yes";
            },
          ],
        });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(
          r.stderr,
          /stream\.DOOMED changed since the plan was made, so it was not deleted: it was deleted and created again/,
        );
        assert.match(r.stdout, /1 changed since the plan/);
        const info = await jsm.streams.info("DOOMED");
        assert.equal(info.state.messages, 100, "the application's stream is untouched");
        assert.equal((await jsm.consumers.info("DOOMED", "app")).name, "app");
        // The next plan shows the new truth: a stream of nobody's, left alone.
        const next = await planOf(server, EMPTY);
        assert.deepEqual(next.unmanaged, ["consumer.DOOMED.app", "stream.DOOMED"]);
        assert.equal(next.steps.length, 0);
      },
    );

    serverTest(
      "a stream handed to another owner, or given more messages, before its step is left alone",
      { line },
      async (_t, server) => {
        const names = ["H0", "H1", "H2", "H3"];
        await applyOk(server, OWNED(names));
        const loaded = await load({ files: [{ path: "m.yaml", text: EMPTY }] });
        const session = await connect({ servers: [server.url] });
        try {
          const p = plan({ desired: loaded.desired!, observed: await observe(session) }).plan!;
          assert.deepEqual(
            p.steps.map((s) => s.address),
            names.map((n) => `stream.${n}`),
          );
          // Between the plan and its steps: H3 goes to another owner (the handover of docs/how-to), H2 gets
          // messages (the plan said it loses none).
          const nc = await connectTo(server);
          const jsm = await jetstreamManager(nc);
          const h3 = await jsm.streams.info("H3");
          await jsm.streams.update("H3", { ...h3.config, metadata: { "jsplan.owner": "team-b" } });
          for (let i = 0; i < 50; i++) await jetstream(nc).publish("h2.x", "m");
          const result = await apply(p, session, { allowDestroy: true });
          const status = Object.fromEntries(result.results.map((x) => [x.address, x.status]));
          assert.deepEqual(status, {
            "stream.H0": "succeeded",
            "stream.H1": "succeeded",
            "stream.H2": "changed",
            "stream.H3": "changed",
          });
          const byAddress = new Map(result.results.map((x) => [x.address, x]));
          assert.match(
            byAddress.get("stream.H3")!.changed!.join(),
            /owner marker changed from team-a to team-b/,
          );
          assert.match(
            byAddress.get("stream.H2")!.changed!.join(),
            /holds 50 messages now, and the plan said it loses 0/,
          );
          assert.equal((await jsm.streams.info("H3")).config.metadata?.["jsplan.owner"], "team-b");
          assert.equal((await jsm.streams.info("H2")).state.messages, 50);
        } finally {
          await session.close();
        }
      },
    );

    serverTest(
      "an adoption stamp is not made when another owner stamped the stream first",
      { line },
      async (_t, server) => {
        const nc = await connectTo(server);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: "U", subjects: ["u.>"] });
        const manifest = `version: 1\nowner: team-a\nstreams:\n  - name: U\n    subjects: ["u.>"]\n`;
        const r = await runCli(["apply", "-", "-s", server.url], {
          stdin: manifest,
          tty: true,
          answers: [
            async () => {
              // Owner B adopts U (with protect) while A's prompt waits.
              const u = await jsm.streams.info("U");
              await jsm.streams.update("U", {
                ...u.config,
                metadata: { "jsplan.owner": "team-b", "jsplan.protect": "true" },
              });
              return "yes";
            },
          ],
        });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(
          r.stderr,
          /stream\.U changed since the plan was made, so it was not updated: it was stamped with the owner marker jsplan\.owner=team-b; it was marked protected/,
        );
        const u = await jsm.streams.info("U");
        assert.deepEqual(u.config.metadata?.["jsplan.owner"], "team-b", "B's markers are kept");
        assert.equal(u.config.metadata?.["jsplan.protect"], "true");
      },
    );
  });
}
