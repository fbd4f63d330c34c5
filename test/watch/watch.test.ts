// `jsplan watch` against real servers on the oldest and newest line, with --interval 1h so that only the
// server's advisories (or a reload, a reconnect) can make it plan: a hand change is reported, and with
// --apply corrected; destructive drift without --allow-destroy is reported and left; metrics and health
// follow; a manifest edit is picked up and an invalid one reported with the old manifest kept; a server
// killed and restarted is reconnected to and re-planned; SIGTERM exits 0 with nothing half reported.
// (How fast is measured in bench/, not here: the waits below are bounds, far under the interval.)

import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectTo, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { httpGet, manifestDir, type WatchEvent, WatchProcess } from "./support.js";

const HOUR = 3600e9;

const manifest = (owner: string, streams: string[], maxAge = "1h") =>
  [
    "version: 1",
    `owner: ${owner}`,
    "streams:",
    ...streams.flatMap((s) => [
      `  - name: ${s}`,
      `    subjects: ["${s.toLowerCase()}.>"]`,
      `    max_age: ${maxAge}`,
    ]),
    "",
  ].join("\n");

const plansOk = (metrics: string) =>
  Number(/^jsplan_plans_total\{result="ok"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);

const about = (type: string, address: string) => (e: WatchEvent) => e.type === type && e.address === address;

for (const line of serverLines()) {
  describe(`jsplan watch, nats-server ${line}`, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    const running: WatchProcess[] = [];
    const dirs: Array<{ remove(): void }> = [];

    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((w) => w.kill()));
      for (const d of dirs.splice(0)) d.remove();
    });
    after(async () => {
      await server?.stop();
    });

    async function setUp(owner: string, streams: string[], ...flags: string[]) {
      const m = manifestDir(manifest(owner, streams));
      dirs.push(m);
      const applied = await runCli(["apply", m.file, "-s", server.url, "--auto-approve"]);
      assert.equal(applied.code, 0, applied.stderr);
      const w = new WatchProcess([m.file, "-s", server.url, "--interval", "1h", ...flags], m.dir);
      running.push(w);
      await w.next((e) => e.type === "in-sync");
      return { m, w };
    }

    async function setMaxAge(stream: string, ns: number): Promise<void> {
      const jsm = await jetstreamManager(nc);
      const si = await jsm.streams.info(stream);
      await jsm.streams.update(stream, { ...si.config, max_age: ns });
    }

    it("reports a hand change from its advisory, field by field, and when it goes away; SIGTERM exits 0", async () => {
      const { w } = await setUp("w1", ["WA"]);
      const mark = w.events.length;
      await setMaxAge("WA", 2 * HOUR);
      const drift = await w.next(about("drift", "stream.WA"), mark);
      assert.equal(drift.action, "update");
      assert.deepEqual(drift.fields, [{ path: "max_age", before: 2 * HOUR, after: HOUR }]);
      await setMaxAge("WA", HOUR);
      await w.next(about("resolved", "stream.WA"), drift.index);
      assert.equal(await w.stop(), 0);
      assert.deepEqual(
        w.events.slice(-2).map((e) => e.type),
        ["stopping", "stopped"],
      );
      assert.equal(w.events.filter((e) => e.type === "drift").length, 1, "each change is reported once");
    });

    it("--apply corrects drift; destructive drift without --allow-destroy is reported and left", async () => {
      const { w } = await setUp("w2", ["WB", "WC"], "--apply");
      let mark = w.events.length;
      await setMaxAge("WB", 2 * HOUR);
      const step = await w.next((e) => e.type === "step" && e.address === "stream.WB", mark);
      assert.equal(step.status, "succeeded");
      await w.next(about("resolved", "stream.WB"), step.index);
      const jsm = await jetstreamManager(nc);
      assert.equal((await jsm.streams.info("WB")).config.max_age, HOUR);
      // Deleted by hand: its create is not destructive, and watch creates it again.
      mark = w.events.length;
      await jsm.streams.delete("WC");
      await w.next((e) => e.type === "step" && e.address === "stream.WC" && e.action === "create", mark);
      // A stream the manifest owns but no longer declares would be deleted: destructive, left alone.
      mark = w.events.length;
      await jsm.streams.add({ name: "WD", subjects: ["wd.>"], metadata: { "jsplan.owner": "w2" } });
      const left = await w.next((e) => e.type === "left-alone", mark);
      assert.deepEqual([left.reason, left.addresses], ["destructive", ["stream.WD"]]);
      assert.ok(await jsm.streams.info("WD"), "WD is left as it is");
    });

    it("a resource someone keeps changing back is reported as contested, not fought over", async () => {
      const { w } = await setUp("w5", ["WH"], "--apply");
      for (let i = 0; i < 3; i++) {
        const mark = w.events.length;
        await setMaxAge("WH", 2 * HOUR);
        const step = await w.next((e) => e.type === "step" && e.address === "stream.WH", mark);
        assert.equal(step.status, "succeeded");
        await w.next(about("resolved", "stream.WH"), step.index);
      }
      const mark = w.events.length;
      await setMaxAge("WH", 2 * HOUR);
      const left = await w.next((e) => e.type === "left-alone", mark);
      assert.deepEqual([left.reason, left.addresses], ["contested", ["stream.WH"]]);
      const jsm = await jetstreamManager(nc);
      assert.equal((await jsm.streams.info("WH")).config.max_age, 2 * HOUR);
    });

    it("SIGTERM during a correction: the steps in flight finish and are reported, then exit 0", async () => {
      const names = Array.from({ length: 150 }, (_, i) => `WS${i}`);
      const { m, w } = await setUp("w6", names, "--apply", "--concurrency", "2");
      const jsm = await jetstreamManager(nc);
      const mark = w.events.length;
      for (const n of names) await jsm.streams.delete(n);
      await w.next((e) => e.type === "step", mark);
      assert.equal(await w.stop(), 0, w.stderr);
      const steps = w.events.filter((e) => e.type === "step");
      assert.ok(
        steps.every((e) => e.status === "succeeded" && e.action === "create"),
        JSON.stringify(steps),
      );
      assert.deepEqual(
        w.events.slice(-2).map((e) => e.type),
        ["stopping", "stopped"],
      );
      // What was reported is what was done: the plan afterwards creates exactly the others.
      const plan = await runCli(["plan", m.file, "-s", server.url, "--format", "json"]);
      const creates = (JSON.parse(plan.stdout) as { steps: unknown[] }).steps.length;
      assert.equal(creates, names.length - steps.length);
    });

    it("metrics and health follow the drift, the connection and the manifest", async () => {
      const { m, w } = await setUp("w3", ["WE"], "--metrics-listen", "127.0.0.1:0");
      const listen = (w.events.find((e) => e.type === "metrics")?.listen as string) ?? "";
      const url = `http://${listen}`;
      assert.equal((await httpGet(`${url}/healthz`)).status, 200);
      let mark = w.events.length;
      await setMaxAge("WE", 2 * HOUR);
      await w.next(about("drift", "stream.WE"), mark);
      const metrics = (await httpGet(`${url}/metrics`)).body;
      assert.match(metrics, /^jsplan_drift_resources\{action="update"\} 1$/m);
      assert.match(metrics, /^jsplan_plans_total\{result="ok"\} [2-9]/m);
      assert.match(metrics, /^jsplan_manifest_valid 1$/m);
      assert.match(metrics, /^jsplan_last_plan_success_timestamp_seconds \d+/m);
      // An invalid edit: reported with its place, the old manifest stays in force, the gauge drops to 0.
      mark = w.events.length;
      m.write("version: 1\nowner: w3\nstreams:\n  - name: WE\n    max_age: soon\n");
      const invalid = await w.next((e) => e.type === "manifest-invalid", mark);
      const [d] = invalid.diagnostics as Array<{ file: string; line: number; path?: string }>;
      assert.ok(d?.file.endsWith("jsplan.yaml") && d.line === 5, JSON.stringify(invalid));
      assert.match((await httpGet(`${url}/metrics`)).body, /^jsplan_manifest_valid 0$/m);
      mark = w.events.length;
      await setMaxAge("WE", HOUR);
      await w.next(about("resolved", "stream.WE"), mark);
      // A valid edit is picked up: a new stream is drift to create.
      mark = w.events.length;
      m.write(manifest("w3", ["WE", "WF"]));
      await w.next((e) => e.type === "manifest-reloaded", mark);
      await w.next(about("drift", "stream.WF"), mark);
      assert.match((await httpGet(`${url}/metrics`)).body, /^jsplan_manifest_valid 1$/m);
      assert.match((await httpGet(`${url}/metrics`)).body, /^jsplan_drift_resources\{action="create"\} 1$/m);
      // SIGHUP reloads too (a change that a file watch may miss, such as a mounted volume's).
      mark = w.events.length;
      w.child.kill("SIGHUP");
      await w.next((e) => e.type === "manifest-reloaded", mark);
    });

    it("the server killed and restarted: watch says so, reconnects and plans again", async () => {
      const { w } = await setUp("w4", ["WG"], "--metrics-listen", "127.0.0.1:0");
      const url = `http://${w.events.find((e) => e.type === "metrics")?.listen as string}`;
      let mark = w.events.length;
      await server.kill();
      await w.next((e) => e.type === "disconnected", mark);
      const health = await httpGet(`${url}/healthz`);
      assert.deepEqual([health.status, health.body], [503, "disconnected from the server\n"]);
      const plansBefore = plansOk((await httpGet(`${url}/metrics`)).body);
      mark = w.events.length;
      await server.restart();
      await w.next((e) => e.type === "connected", mark);
      // It plans again at once on reconnect (the interval is an hour away).
      for (let i = 0; i < 100 && plansOk((await httpGet(`${url}/metrics`)).body) <= plansBefore; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(plansOk((await httpGet(`${url}/metrics`)).body) > plansBefore, "planned after reconnecting");
      // The re-plan on reconnect sees what changed while it was away.
      mark = w.events.length;
      await setMaxAge("WG", 2 * HOUR);
      await w.next(about("drift", "stream.WG"), mark);
      assert.equal((await httpGet(`${url}/healthz`)).status, 200);
    });
  });
}
