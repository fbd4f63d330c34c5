// pause_until on an existing consumer (issue 18): planned as an update and carried out through the server's
// pause API (a consumer update keeps the pause it has), a pause that has passed is no difference, and an
// older server refuses pause_until with the version it needs.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type NatsServer, serverLines, startServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";

const manifest = (stream: string, pause?: string) =>
  [
    "version: 1",
    `owner: pause-${stream.toLowerCase()}`,
    "streams:",
    `  - name: ${stream}`,
    `    subjects: ["${stream.toLowerCase()}.>"]`,
    "    consumers:",
    "      - name: c",
    "        ack_policy: explicit",
    ...(pause ? [`        pause_until: ${pause}`] : []),
    "",
  ].join("\n");

for (const line of serverLines()) {
  describe(`pause_until of an existing consumer, nats-server ${line}`, () => {
    let server: NatsServer;
    before(async () => {
      server = await startServer({ line });
    });
    after(async () => {
      await server?.stop();
    });
    const cli = (args: string[], stdin: string) => runCli([...args, "-", "-s", server.url], { stdin });
    const plan = (m: string) => cli(["plan", "--format", "json"], m);
    const apply = (m: string) => cli(["apply", "--auto-approve"], m);

    async function info(stream: string): Promise<{ paused?: boolean; config: { pause_until?: string } }> {
      const { connect } = await import("@nats-io/transport-node");
      const nc = await connect({ servers: server.url });
      try {
        return (await nc.request(`$JS.API.CONSUMER.INFO.${stream}.c`, "", { timeout: 5000 })).json();
      } finally {
        await nc.close();
      }
    }

    if (line === "2.10") {
      it("is refused with the version it needs", async () => {
        const r = await plan(manifest("PA", "2099-01-01T00:00:00Z"));
        assert.equal(r.code, 1);
        assert.match(r.stderr, /pause_until needs nats-server 2\.11 or newer, and the server is 2\.10/);
      });
      return;
    }

    it("pauses, moves the pause and resumes an existing consumer; the next plan is empty each time", async () => {
      assert.equal((await apply(manifest("PB"))).code, 0);
      for (const pause of ["2099-01-01T00:00:00Z", "2098-06-01T12:00:00Z", undefined]) {
        const m = manifest("PB", pause);
        const p = JSON.parse((await plan(m)).stdout) as {
          changes: Array<{ address: string; action: string; diff: Array<{ path: string }> }>;
        };
        const c = p.changes.find((x) => x.address === "consumer.PB.c")!;
        assert.deepEqual([c.action, c.diff.map((d) => d.path)], ["update", ["pause_until"]]);
        const applied = await apply(m);
        assert.equal(applied.code, 0, applied.stderr);
        const live = await info("PB");
        assert.equal(live.paused ?? false, pause !== undefined);
        assert.equal(
          live.config.pause_until && Date.parse(live.config.pause_until),
          pause && Date.parse(pause),
        );
        const again = await cli(["plan", "--detailed-exitcode"], m);
        assert.equal(again.code, 0, again.stdout);
      }
    });

    it("a pause that has passed is not a difference, on either side", async () => {
      const soon = new Date(Date.now() + 2000).toISOString();
      assert.equal((await apply(manifest("PC", soon))).code, 0);
      assert.equal((await info("PC")).paused, true);
      await new Promise((r) => setTimeout(r, 2500));
      // The server still holds the passed pause_until; the manifest keeps it, drops it, or has another past one.
      for (const m of [manifest("PC", soon), manifest("PC"), manifest("PC", "2020-01-01T00:00:00Z")]) {
        const r = await cli(["plan", "--detailed-exitcode"], m);
        assert.equal(r.code, 0, r.stdout);
      }
    });
  });
}
