// In-place updates that lower a limit below what a stream holds remove messages at once: the plan says how
// many and marks the step destructive, and apply needs --allow-destroy; on the oldest and newest line.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Plan } from "../../src/model/plan.js";
import { type NatsServer, serverLines } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyAs, assertFits, manifest, requestAs, startLimitedServer } from "./support.js";

const A = "LOSS";

async function planJson(server: NatsServer, m: string): Promise<Plan> {
  const r = await runCli(["plan", "-", "-s", server.url, "--user", A, "--password", A, "--format", "json"], {
    stdin: m,
  });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Plan;
}

async function messages(server: NatsServer, stream: string): Promise<number> {
  const info = (await requestAs(server, A, `$JS.API.STREAM.INFO.${stream}`)) as {
    state: { messages: number };
  };
  return info.state.messages;
}

async function fill(server: NatsServer, subject: (i: number) => string, count: number): Promise<void> {
  const { connect } = await import("@nats-io/transport-node");
  const nc = await connect({ servers: server.url, user: A, pass: A });
  try {
    for (let i = 0; i < count; i++) await nc.request(subject(i), `m${i}`, { timeout: 5000 });
  } finally {
    await nc.close();
  }
}

for (const line of serverLines()) {
  describe(`updates that remove messages, nats-server ${line}`, () => {
    let server: NatsServer;
    before(async () => {
      server = await startLimitedServer(line, { [A]: "enabled" });
    });
    after(async () => {
      await server?.stop();
    });

    it("max_msgs unlimited → 1 on a stream of 1,000 messages: 999 removed, only with --allow-destroy", async () => {
      await assertFits(server, A, manifest("loss", [["M"]]));
      await fill(server, (i) => `m.${i}`, 1000);
      const fits = await planJson(server, manifest("loss", [["M", "max_msgs: 1000"]]));
      const same = fits.changes.find((c) => c.address === "stream.M")!;
      assert.equal(same.destructive, false, "max_msgs at what it holds removes nothing");
      const m = manifest("loss", [["M", "max_msgs: 1"]]);
      const plan = await planJson(server, m);
      const c = plan.changes.find((x) => x.address === "stream.M")!;
      assert.equal(c.action, "update");
      assert.equal(c.destructive, true);
      assert.deepEqual(c.loses?.trims, { messages: 999, exact: true, fields: ["max_msgs"] });
      const text = await runCli(["plan", "-", "-s", server.url, "--user", A, "--password", A], { stdin: m });
      assert.match(text.stdout, /# removes 999 messages \(max_msgs\)/);
      const refused = await runCli(
        ["apply", "-", "-s", server.url, "--user", A, "--password", A, "--auto-approve"],
        {
          stdin: m,
        },
      );
      assert.equal(refused.code, 1, refused.stdout + refused.stderr);
      assert.match(refused.stderr, /--allow-destroy/);
      assert.equal(await messages(server, "M"), 1000);
      const applied = await applyAs(server, A, m);
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(await messages(server, "M"), 1);
    });

    it("max_bytes and max_msgs_per_subject say at least / some", async () => {
      await assertFits(server, A, manifest("loss", [["B"]]));
      await fill(server, (i) => `b.${i % 10}`, 200);
      const plan = await planJson(
        server,
        manifest("loss", [["B", "max_bytes: 1KiB", "max_msgs_per_subject: 5"]]),
      );
      const c = plan.changes.find((x) => x.address === "stream.B")!;
      assert.equal(c.destructive, true);
      assert.deepEqual(c.loses?.trims, {
        messages: 1,
        exact: false,
        fields: ["max_bytes", "max_msgs_per_subject"],
      });
      assert.match(c.reasons.join(" "), /at least 1 message at once: max_bytes 1KiB is below/);
      const applied = await applyAs(server, A, manifest("loss", [["B", "max_msgs_per_subject: 5"]]));
      assert.equal(applied.code, 0, applied.stderr);
      // 2.15 keeps the newest 5 of each subject at once; 2.10 (from unlimited) at each subject's next message.
      assert.equal(await messages(server, "B"), line === "2.10" ? 200 : 50);
      await fill(server, (i) => `b.${i}`, 10);
      assert.equal(await messages(server, "B"), 50);
    });

    it("max_age shorter than the age of the oldest message", async () => {
      await assertFits(server, A, manifest("loss", [["T"]]));
      await fill(server, (i) => `t.${i}`, 3);
      await new Promise((r) => setTimeout(r, 1500));
      const plan = await planJson(server, manifest("loss", [["T", "max_age: 1s"]]));
      const c = plan.changes.find((x) => x.address === "stream.T")!;
      assert.deepEqual(c.loses?.trims, { messages: 1, exact: false, fields: ["max_age"] });
      // A max_age longer than any message's age removes nothing now.
      const later = await planJson(server, manifest("loss", [["T", "max_age: 1h"]]));
      assert.equal(later.changes.find((x) => x.address === "stream.T")!.destructive, false);
    });
  });
}
