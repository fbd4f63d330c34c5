// Mirrors and sources of a replaced origin, and what the server silently stores otherwise, on the oldest
// and newest line: a mirror in the manifest is replaced after its origin and copies the new one; the live
// dependents the manifest does not manage are named with their fate; a mirror left stalled is named by the
// next plan; mirror_direct that the origin's allow_direct overrides is said at the field.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { Plan } from "../../src/model/plan.js";
import { type NatsServer, serverLines } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyAs, requestAs, startLimitedServer } from "./support.js";

const A = "ORIG";

const manifest = (storage: string) =>
  `version: 1\nowner: orig\nstreams:\n  - name: O\n    subjects: ["o.>"]\n    storage: ${storage}\n  - name: M\n    mirror: { name: O }\n`;

async function plan(server: NatsServer, m: string): Promise<{ code: number; json: Plan; stderr: string }> {
  const r = await runCli(["plan", "-", "-s", server.url, "--user", A, "--password", A, "--format", "json"], {
    stdin: m,
  });
  return { code: r.code, json: JSON.parse(r.stdout || "{}") as Plan, stderr: r.stderr };
}

async function messages(server: NatsServer, stream: string): Promise<number> {
  const info = (await requestAs(server, A, `$JS.API.STREAM.INFO.${stream}`)) as {
    state: { messages: number };
  };
  return info.state.messages;
}

async function publish(server: NatsServer, n: number): Promise<void> {
  const { connect } = await import("@nats-io/transport-node");
  const nc = await connect({ servers: server.url, user: A, pass: A });
  try {
    for (let i = 0; i < n; i++) await nc.request("o.x", `m${i}`, { timeout: 5000 });
  } finally {
    await nc.close();
  }
}

/** Waits (bounded) until a stream holds `n` messages: the server retries mirrors about every 10 s. */
async function until(server: NatsServer, stream: string, n: number): Promise<number> {
  let held = -1;
  for (let i = 0; i < 120 && held !== n; i++) {
    held = await messages(server, stream);
    if (held !== n) await delay(250);
  }
  return held;
}

for (const line of serverLines()) {
  describe(`dependents of a replaced origin, nats-server ${line}`, () => {
    let server: NatsServer;
    before(async () => {
      server = await startLimitedServer(line, { [A]: "enabled" });
    });
    after(async () => {
      await server?.stop();
    });

    it("the last case of the issue: the mirror is replaced after its origin; unmanaged dependents are named", async () => {
      const applied = await applyAs(server, A, manifest("file"));
      assert.equal(applied.code, 0, applied.stderr);
      for (const [name, cfg] of [
        ["U", { mirror: { name: "O" } }],
        ["S", { sources: [{ name: "O" }] }],
      ] as const) {
        const r = await requestAs(server, A, `$JS.API.STREAM.CREATE.${name}`, { name, ...cfg });
        assert.equal(r.error, undefined, JSON.stringify(r));
      }
      await publish(server, 5);
      assert.equal(await until(server, "M", 5), 5);
      assert.equal(await until(server, "U", 5), 5);

      const p = await plan(server, manifest("memory"));
      assert.equal(p.code, 0, p.stderr);
      const m = p.json.changes.find((c) => c.address === "stream.M")!;
      assert.equal(m.action, "replace");
      assert.deepEqual(
        m.reason_details.map((r) => r.code),
        ["origin-replaced"],
      );
      const steps = p.json.steps.map((s) => s.address);
      assert.ok(steps.indexOf("stream.M") > steps.indexOf("stream.O"), steps.join());
      const left = p.json.warnings.find((w) => w.code === "plan.dependents-left-behind");
      assert.ok(left, JSON.stringify(p.json.warnings));
      assert.match(left.message, /U mirrors it and stalls for good/);
      assert.match(
        left.message,
        line === "2.10"
          ? /S sources it and stays stuck/
          : /S sources it and reads the new stream from its start/,
      );

      const done = await applyAs(server, A, manifest("memory"));
      assert.equal(done.code, 0, done.stderr);
      await publish(server, 3);
      // The replaced mirror copies the new origin; the next plan has nothing to change for O and M.
      assert.equal(await until(server, "M", 3), 3);
      const next = await plan(server, manifest("memory"));
      assert.deepEqual(
        next.json.changes.filter((c) => c.action !== "no-op").map((c) => c.address),
        [],
      );
      // …and is truthful about the mirror it left stalled: U holds O up to 5, and O ends at 3.
      const stalled = next.json.warnings.find((w) => w.code === "plan.mirror-stalled");
      assert.ok(stalled, JSON.stringify(next.json.warnings));
      assert.match(stalled.message, /stream U .*holds O up to sequence 5, and O now ends at 3/);
      assert.equal(await messages(server, "U"), 5);
    });

    it("consumer_limits that the hidden consumer of a live source violates are refused exactly (10069)", async () => {
      const m = (limits: string) =>
        `version: 1\nowner: hid\nstreams:\n  - name: H\n    subjects: ["h.>"]\n${limits ? `    consumer_limits: ${limits}\n` : ""}`;
      assert.equal((await applyAs(server, A, m(""))).code, 0);
      const src = await requestAs(server, A, "$JS.API.STREAM.CREATE.HS", {
        name: "HS",
        sources: [{ name: "H" }],
      });
      assert.equal(src.error, undefined);
      await delay(500);
      const refused = async (limits: string) => {
        const r = await runCli(["plan", "-", "-s", server.url, "--user", A, "--password", A], {
          stdin: m(limits),
        });
        assert.equal(r.code, 1, `${limits}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /HS mirrors or sources this stream .*10069/);
        const a = await applyAs(server, A, m(limits));
        assert.equal(a.code, 1);
      };
      await refused("{ inactive_threshold: 5s }");
      if (line === "2.10") await refused("{ max_ack_pending: 100 }");
      else {
        const fits = await applyAs(server, A, m("{ max_ack_pending: 100 }"));
        assert.equal(fits.code, 0, fits.stderr);
      }
      // The neighbour that just fits: the hidden consumer's own 10s.
      const fits = await applyAs(server, A, m("{ inactive_threshold: 10s, max_ack_pending: 100 }"));
      assert.equal(fits.code, 0, fits.stdout + fits.stderr);
    });

    it("mirror_direct that the origin's allow_direct overrides is said at the field", async () => {
      const m = `version: 1\nowner: direct\nstreams:\n  - name: D\n    subjects: ["d.>"]\n  - name: DM\n    mirror: { name: D }\n    mirror_direct: true\n`;
      const p = await plan(server, m);
      const w = p.json.warnings.find((x) => x.code === "plan.mirror-direct-follows-origin");
      assert.ok(w, JSON.stringify(p.json.warnings));
      assert.equal(w.path, "mirror_direct");
      assert.equal(w.line, 8);
      const applied = await applyAs(server, A, m);
      assert.equal(applied.code, 0, applied.stderr);
      const info = (await requestAs(server, A, "$JS.API.STREAM.INFO.DM")) as {
        config: { mirror_direct?: boolean };
      };
      assert.equal(Boolean(info.config.mirror_direct), false, "the server stores what the warning said");
    });
  });
}
