// Property (issue 12), the running-apply half: random changes by another client while an apply is carrying
// out its steps never make jsplan delete or overwrite a resource it did not own at the moment of the step.
// For each case: apply 30 owned streams; then apply (the real binary, one step at a time) a manifest that
// updates some and deletes the others, and once a random few of its steps are done, another client hands
// random streams to another owner, or deletes them and creates them again as its own, while jsplan is held
// still (SIGSTOP … SIGCONT). The changes hit streams whose steps are at least ten steps later, so each change
// lands before that step's guard, every time: the outcome is exact. (A change inside the instant between a guard's read and its step cannot be
// caught by any client: JetStream has no conditional update or delete of a stream; docs/safety.md says so.)

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import fc from "fast-check";
import { connectTo, keepLogs, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { planOf } from "../support/jsplan.js";
import { spawnJsplan } from "../support/spawn.js";
import { RUNS, runProperty, timeoutFor } from "./support.js";

const STREAMS = 30;
/** How many steps lie between the trigger and the first stream the other client changes. */
const MARGIN = 10;
const INTERFERENCES = ["handover", "recreate"] as const;
type Interference = (typeof INTERFERENCES)[number];

const caseArb = fc.record({
  intents: fc.array(fc.constantFrom("update" as const, "delete" as const), {
    minLength: STREAMS,
    maxLength: STREAMS,
  }),
  /** After how many finished steps the other client acts. */
  after: fc.integer({ min: 1, max: 5 }),
  /** Which of the late steps it changes (indexes into the steps after the margin), and how. */
  changes: fc.uniqueArray(
    fc.record({
      at: fc.integer({ min: 0, max: STREAMS - 5 - MARGIN - 1 }),
      what: fc.constantFrom(...INTERFERENCES),
    }),
    { minLength: 1, maxLength: 4, selector: (c) => c.at },
  ),
});

function manifest(owner: string, streams: ReadonlyArray<{ name: string; description: string }>): string {
  const body = streams.map(
    (s) =>
      `  - name: ${s.name}\n    subjects: ["${s.name.toLowerCase()}.>"]\n    description: ${s.description}`,
  );
  return `version: 1\nowner: ${owner}\nstreams:${body.length > 0 ? `\n${body.join("\n")}` : " []"}\n`;
}

/** What the other client does to one stream: put-like, so that its result is the same whatever came first. */
async function interfere(nc: NatsConnection, name: string, what: Interference): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(name);
  if (what === "handover") {
    await jsm.streams.update(name, { ...info.config, metadata: { "jsplan.owner": "someone-else" } });
    return;
  }
  await jsm.streams.delete(name);
  await jsm.streams.add({ name, subjects: info.config.subjects, description: "theirs" });
}

for (const line of serverLines()) {
  describe(`nats-server ${line}: changes by another client while an apply runs`, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
    });
    after(async () => {
      await nc?.close();
      await server?.stop();
    });

    const runs = Math.max(3, Math.ceil(RUNS / 3));
    it(`never touches what it does not own at the step (${runs} random cases)`, {
      timeout: timeoutFor(8000, runs),
    }, async () => {
      await runProperty(
        caseArb,
        async (c, ctx) => {
          const owner = `mid-${ctx.caseNo}`;
          const names = c.intents.map((_, i) => `M${ctx.caseNo}_${String(i).padStart(2, "0")}`);
          const v1 = manifest(
            owner,
            names.map((name) => ({ name, description: "v1" })),
          );
          const v2 = manifest(
            owner,
            names.filter((_, i) => c.intents[i] === "update").map((name) => ({ name, description: "v2" })),
          );
          ctx.record("case", JSON.stringify(c));
          const s = ["-s", server.url];
          const first = await runCli(["apply", "-", ...s, "--auto-approve"], { stdin: v1 });
          assert.equal(first.code, 0, first.stderr);
          // The order the apply will take, one step at a time: the changed streams lie past the margin.
          const order = (await planOf(server, v2)).steps.map((st) => st.address.slice("stream.".length));
          const targets = new Map(c.changes.map((x) => [order[c.after + MARGIN + x.at]!, x.what]));
          let interfering: Promise<unknown> | undefined;
          const r = await spawnJsplan(
            ["apply", "-", ...s, "--auto-approve", "--allow-destroy", "--concurrency", "1"],
            v2,
            (err, child) => {
              if (!interfering && (err.match(/✓/g)?.length ?? 0) >= c.after) {
                // jsplan is held still while the other client acts (SIGSTOP, then SIGCONT), so that however
                // loaded the machine, the changes land between its steps, before the changed streams' steps.
                child.kill("SIGSTOP");
                interfering = Promise.all(
                  [...targets].map(([name, what]) => interfere(nc, name, what)),
                ).finally(() => child.kill("SIGCONT"));
              }
            },
          );
          await interfering;
          assert.ok(interfering, `the other client acted: ${r.stderr}`);
          const jsm = await jetstreamManager(nc);
          for (const [i, name] of names.entries()) {
            const what = targets.get(name);
            const desc = `stream ${name} (${c.intents[i]}${what ? `, ${what} while the apply ran` : ""})`;
            const live = await jsm.streams.info(name).catch(() => null);
            if (what) {
              assert.match(
                r.stderr,
                new RegExp(`stream\\.${name} changed since the plan`),
                `${desc}: reported`,
              );
              assert.ok(live, `${desc}: not deleted`);
              assert.notEqual(live.config.description, "v2", `${desc}: not overwritten`);
              if (what === "handover") assert.equal(live.config.metadata?.["jsplan.owner"], "someone-else");
              else assert.equal(live.config.description, "theirs");
            } else if (c.intents[i] === "delete") {
              assert.equal(live, null, `${desc}: deleted`);
            } else {
              assert.equal(live?.config.description, "v2", `${desc}: updated`);
            }
          }
          assert.equal(r.code, 1, "the run says that some steps were left alone");
          for (const name of names) await jsm.streams.delete(name).catch(() => undefined);
        },
        {
          runs,
          onFailure: () => keepLogs(`changes-mid-apply-${line}`, server),
          replay: { line, file: "dist/test/property/changes-mid-apply.test.js" },
        },
      );
    });
  });
}
