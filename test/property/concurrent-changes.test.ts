// Property (issue 12): random changes by another client while an apply waits at its prompt never make
// jsplan delete or overwrite a resource it did not own, as it was, at the moment of the step. For each
// case: apply a few owned streams; then apply a manifest that updates some and deletes the others, and,
// while that apply's prompt waits, another client hands streams to another owner, deletes and creates
// them again without a marker, stamps `protect`, adds messages or adds a consumer. The changes come before
// any step, every time, so the outcome is exact: each step either ran on a resource that is still the one
// the plan saw, or was left alone and reported as changed, with the other client's resource intact.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import fc from "fast-check";
import { connectTo, keepLogs, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { RUNS, runProperty, timeoutFor } from "./support.js";

const INTERFERENCES = ["none", "handover", "recreate", "protect", "fill", "consumer"] as const;
type Interference = (typeof INTERFERENCES)[number];

interface StreamCase {
  readonly intent: "update" | "delete";
  readonly interference: Interference;
}

const caseArb = fc.array(
  fc.record({
    intent: fc.constantFrom("update" as const, "delete" as const),
    interference: fc.constantFrom(...INTERFERENCES),
  }),
  { minLength: 2, maxLength: 6 },
);

function manifest(owner: string, streams: ReadonlyArray<{ name: string; description: string }>): string {
  const body = streams.map(
    (s) =>
      `  - name: ${s.name}\n    subjects: ["${s.name.toLowerCase()}.>"]\n    description: ${s.description}`,
  );
  return body.length === 0
    ? `version: 1\nowner: ${owner}\nstreams: []\n`
    : `version: 1\nowner: ${owner}\nstreams:\n${body.join("\n")}\n`;
}

/** What the other client does to one stream while the prompt waits. */
async function interfere(nc: NatsConnection, name: string, what: Interference): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(name);
  switch (what) {
    case "handover":
      await jsm.streams.update(name, { ...info.config, metadata: { "jsplan.owner": "someone-else" } });
      return;
    case "recreate":
      await jsm.streams.delete(name);
      await jsm.streams.add({ name, subjects: info.config.subjects, description: "theirs" });
      return;
    case "protect":
      await jsm.streams.update(name, {
        ...info.config,
        metadata: { ...info.config.metadata, "jsplan.protect": "true" },
      });
      return;
    case "fill": {
      const js = jetstream(nc);
      for (let i = 0; i < 5; i++) await js.publish(`${name.toLowerCase()}.x`, "m");
      return;
    }
    case "consumer":
      await jsm.consumers.add(name, { durable_name: "app", ack_policy: "explicit" });
      return;
    default:
      return;
  }
}

/** Whether the guard must leave the step alone: the resource is no longer what the plan saw, as it matters. */
function mustBeLeftAlone(c: StreamCase): boolean {
  if (c.interference === "handover" || c.interference === "recreate" || c.interference === "protect")
    return true;
  // More messages or a consumer only matter where they would be lost.
  return c.intent === "delete" && (c.interference === "fill" || c.interference === "consumer");
}

for (const line of serverLines()) {
  describe(`nats-server ${line}: concurrent changes during an apply`, () => {
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

    it(`never touches what it does not own at the step (${RUNS} random cases)`, {
      timeout: timeoutFor(3000),
    }, async () => {
      await runProperty(
        caseArb,
        async (cases, ctx) => {
          const owner = `race-${ctx.caseNo}`;
          const names = cases.map((_, i) => `R${ctx.caseNo}_${i}`);
          const v1 = manifest(
            owner,
            names.map((name) => ({ name, description: "v1" })),
          );
          const v2 = manifest(
            owner,
            names
              .filter((_, i) => cases[i]!.intent === "update")
              .map((name) => ({ name, description: "v2" })),
          );
          ctx.record("cases", JSON.stringify(cases));
          const s = ["-s", server.url];
          const first = await runCli(["apply", "-", ...s, "--auto-approve"], { stdin: v1 });
          assert.equal(first.code, 0, first.stderr);
          const r = await runCli(["apply", "-", ...s, "--allow-destroy", "--format", "json"], {
            stdin: v2,
            tty: true,
            answers: [
              async () => {
                for (const [i, c] of cases.entries()) await interfere(nc, names[i]!, c.interference);
                return "yes";
              },
            ],
          });
          assert.ok(r.stdout.startsWith("{"), `apply printed no result: ${r.stderr}`);
          const result = JSON.parse(r.stdout) as { results: Array<{ address: string; status: string }> };
          const status = new Map(result.results.map((x) => [x.address, x.status]));
          const jsm = await jetstreamManager(nc);
          for (const [i, c] of cases.entries()) {
            const name = names[i]!;
            const what = `stream ${name} (${c.intent}, ${c.interference})`;
            const live = await jsm.streams.info(name).catch(() => null);
            if (mustBeLeftAlone(c)) {
              assert.equal(status.get(`stream.${name}`), "changed", `${what}: reported as changed`);
              assert.ok(live, `${what}: not deleted`);
              assert.notEqual(live.config.description, "v2", `${what}: not overwritten`);
              if (c.interference === "handover")
                assert.equal(live.config.metadata?.["jsplan.owner"], "someone-else");
              if (c.interference === "recreate") assert.equal(live.config.description, "theirs");
              if (c.interference === "fill") assert.equal(live.state.messages, 5);
            } else {
              assert.equal(status.get(`stream.${name}`), "succeeded", `${what}: carried out`);
              if (c.intent === "delete") assert.equal(live, null, `${what}: deleted`);
              else assert.equal(live?.config.description, "v2", `${what}: updated`);
            }
          }
          assert.equal(r.code, cases.some(mustBeLeftAlone) ? 1 : 0, r.stderr);
          for (const name of names) await jsm.streams.delete(name).catch(() => undefined);
        },
        {
          onFailure: () => keepLogs(`concurrent-changes-${line}`, server),
          replay: { line, file: "dist/test/property/concurrent-changes.test.js" },
        },
      );
    });
  });
}
