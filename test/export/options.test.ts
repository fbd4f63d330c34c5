// `jsplan export` options on every server line: --stream NAME (repeatable; streams by name, buckets by
// bucket or stream name), --owner NAME (adoption), the owner found from live markers, and the note about
// skipped ephemeral consumers on stderr.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectTo, type NatsServer, serverLines, withServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyOk, planOf } from "../support/jsplan.js";
import {
  acting,
  assertNoChanges,
  assertValid,
  describePlan,
  exportOf,
  MIN,
  type Obj,
  roundTrip,
  stampsOwnerOnly,
  yaml,
} from "./support.js";

const names = (list: unknown, key = "name") => ((list ?? []) as Obj[]).map((x) => String(x[key]));

/** Streams A and B (B with a durable and an ephemeral consumer), M mirroring A, KV bucket kv1, object store os1. */
async function small(server: NatsServer): Promise<NatsConnection> {
  const nc = await connectTo(server);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "A", subjects: ["a.>"], max_age: 60 * MIN });
  await jsm.streams.add({ name: "B", subjects: ["b.>"] });
  await jsm.consumers.add("B", { durable_name: "dur", ack_policy: AckPolicy.Explicit });
  await jsm.consumers.add("B", { ack_policy: AckPolicy.Explicit, inactive_threshold: 10 * MIN });
  await new Kvm(nc).create("kv1", { history: 4 });
  await new Objm(nc).create("os1");
  await jsm.streams.add({ name: "M", mirror: { name: "A" }, mirror_direct: true, allow_direct: true });
  return nc;
}

for (const line of serverLines()) {
  describe(`export options on nats-server ${line}`, () => {
    it("--stream exports only the named streams and buckets, and the filtered export plans to no changes", (t) =>
      withServer(t, { line }, async (server) => {
        await small(server);
        const cases: Array<{ args: string[]; streams: string[]; kv: string[]; os: string[] }> = [
          { args: ["--stream", "A"], streams: ["A"], kv: [], os: [] },
          { args: ["--stream", "B", "--stream", "A"], streams: ["A", "B"], kv: [], os: [] },
          { args: ["--stream", "kv1"], streams: [], kv: ["kv1"], os: [] },
          { args: ["--stream", "KV_kv1"], streams: [], kv: ["kv1"], os: [] },
          { args: ["--stream", "OBJ_os1", "--stream", "A"], streams: ["A"], kv: [], os: ["os1"] },
          { args: ["--stream", "os1", "--stream", "kv1"], streams: [], kv: ["kv1"], os: ["os1"] },
          { args: ["--stream", "M"], streams: ["M"], kv: [], os: [] },
        ];
        for (const c of cases) {
          const { exported, plan } = await roundTrip(server.url, c.args);
          const m = exported.manifest;
          const what = c.args.join(" ");
          assert.deepEqual(names(m.streams), c.streams, `${what}: streams`);
          assert.deepEqual(names(m.key_value, "bucket"), c.kv, `${what}: KV buckets`);
          assert.deepEqual(names(m.object_stores, "bucket"), c.os, `${what}: object stores`);
          assertNoChanges(plan, exported, what);
          // What was not exported is listed as unmanaged (no owner, so never deleted).
          const all = ["stream.A", "stream.B", "stream.M", "consumer.B.dur", "kv.kv1", "objectstore.os1"];
          const exportedAddresses = new Set([
            ...c.streams.map((s) => `stream.${s}`),
            ...(c.streams.includes("B") ? ["consumer.B.dur"] : []),
            ...c.kv.map((b) => `kv.${b}`),
            ...c.os.map((b) => `objectstore.${b}`),
          ]);
          assert.deepEqual(
            [...plan.unmanaged].sort(),
            all.filter((a) => !exportedAddresses.has(a)).sort(),
            `${what}: the rest is unmanaged`,
          );
        }
        // B's consumer comes with B.
        const b = await exportOf(server.url, ["--stream", "B"]);
        assert.deepEqual(names((b.manifest.streams as Obj[])[0]!.consumers), ["dur"]);
      }));

    it("--stream with a name the server does not have fails and writes nothing", (t) =>
      withServer(t, { line }, async (server) => {
        await small(server);
        const r = await runCli(["export", "-s", server.url, "--stream", "A", "--stream", "NOPE"]);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "", "no partial manifest on stdout");
        assert.match(r.stderr, /NOPE/);
        const bad = await runCli(["export", "-s", server.url, "--owner", "not a name"]);
        assert.equal(bad.code, 1, "an invalid --owner is a usage error");
        assert.equal(bad.stdout, "");
        assert.match(bad.stderr, /--owner/);
      }));

    it("--owner sets the manifest owner: the next plan adopts (stamps jsplan.owner) and after apply the plan is empty", (t) =>
      withServer(t, { line }, async (server) => {
        await small(server);
        const exported = await exportOf(server.url, ["--owner", "platform"]);
        await assertValid(exported.yaml);
        assert.equal(exported.manifest.owner, "platform");
        const plan = await planOf(server.url, exported.yaml);
        assert.deepEqual(
          acting(plan).map((c) => [c.address, c.action]),
          [
            ["consumer.B.dur", "update"],
            ["kv.kv1", "update"],
            ["objectstore.os1", "update"],
            ["stream.A", "update"],
            ["stream.B", "update"],
            ["stream.M", "update"],
          ],
          describePlan(plan),
        );
        for (const c of acting(plan)) {
          assert.ok(stampsOwnerOnly(c.diff, "platform"), `${c.address} only gets the owner stamped`);
          assert.equal(c.destructive, false);
        }
        await applyOk(server.url, exported.yaml, []);
        const after = await planOf(server.url, exported.yaml);
        assert.deepEqual(acting(after), [], describePlan(after));
        // From now on the owner is found on the server, and deleting is possible: B removed → destroyed.
        const again = await exportOf(server.url);
        assert.equal(again.manifest.owner, "platform");
        const m = structuredClone(again.manifest);
        m.streams = (m.streams as Obj[]).filter((s) => s.name !== "B");
        const del = await planOf(server.url, yaml(m));
        assert.deepEqual(
          acting(del).map((c) => [c.address, c.action]),
          [
            ["consumer.B.dur", "delete"],
            ["stream.B", "delete"],
          ],
          describePlan(del),
        );
      }));

    it("resources of other owners are left out with a note; different owners are not merged", (t) =>
      withServer(t, { line }, async (server) => {
        await applyOk(
          server.url,
          yaml({ version: 1, owner: "alpha", streams: [{ name: "AL", subjects: ["al.>"] }] }),
          [],
        );
        await applyOk(server.url, yaml({ version: 1, owner: "beta", key_value: [{ bucket: "be" }] }), []);
        const nc = await connectTo(server);
        await (await jetstreamManager(nc)).streams.add({ name: "FREE", subjects: ["free.>"] });

        // Two owners on the server and no --owner: neither owner's resources, only the unmarked one.
        const { exported, plan } = await roundTrip(server.url);
        assert.equal(exported.manifest.owner, undefined);
        assert.deepEqual(names(exported.manifest.streams), ["FREE"]);
        assert.equal(exported.manifest.key_value, undefined);
        assert.match(exported.stderr, /different owners \(alpha, beta\)/);
        assertNoChanges(plan, exported);
        assert.deepEqual([...plan.unmanaged].sort(), ["kv.be", "stream.AL"]);

        // --owner alpha: alpha's stream and the unmarked one (adopted); beta's bucket is left out, and said so.
        const a = await exportOf(server.url, ["--owner", "alpha"]);
        assert.deepEqual(names(a.manifest.streams), ["AL", "FREE"]);
        assert.equal(a.manifest.key_value, undefined);
        assert.match(a.stderr, /be.*beta|beta.*be/);
        const ap = await planOf(server.url, a.yaml);
        assert.deepEqual(
          acting(ap).map((c) => [c.address, c.action]),
          [["stream.FREE", "update"]],
          `only the unmarked stream is adopted:\n${describePlan(ap)}`,
        );
      }));

    it(
      "an export of a server where one owner's resources sit next to unmarked ones plans to no changes",
      {},
      (t) =>
        withServer(t, { line }, async (server) => {
          await applyOk(
            server.url,
            yaml({ version: 1, owner: "alpha", streams: [{ name: "AL", subjects: ["al.>"] }] }),
            [],
          );
          const nc = await connectTo(server);
          await (await jetstreamManager(nc)).streams.add({ name: "FREE", subjects: ["free.>"] });
          const { exported, plan } = await roundTrip(server.url);
          assertNoChanges(plan, exported);
        }),
    );

    it("ephemeral consumers are skipped and counted in a note on stderr", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await small(server);
        const one = await exportOf(server.url);
        assert.match(one.stderr, /1 ephemeral consumer was skipped/);
        assert.ok(!one.stdout.includes("ephemeral"));
        assert.deepEqual(names((one.manifest.streams as Obj[]).find((s) => s.name === "B")!.consumers), [
          "dur",
        ]);
        const jsm = await jetstreamManager(nc);
        await jsm.consumers.add("A", { ack_policy: AckPolicy.None, inactive_threshold: 10 * MIN });
        await jsm.consumers.add("KV_kv1", { ack_policy: AckPolicy.None, inactive_threshold: 10 * MIN });
        const three = await exportOf(server.url);
        assert.match(three.stderr, /3 ephemeral consumers were skipped/);
        // A KV bucket watched through an ephemeral consumer is still a bucket.
        assert.deepEqual(names(three.manifest.key_value, "bucket"), ["kv1"]);
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        const quiet = await runCli(["export", "-s", server.url, "--quiet"]);
        assert.equal(quiet.code, 0);
        assert.equal(quiet.stderr, "", "--quiet silences the notes");
      }));

    it("with --stream the note counts only the ephemeral consumers of the exported streams", {}, (t) =>
      withServer(t, { line }, async (server) => {
        await small(server); // the ephemeral consumer is on B
        const a = await exportOf(server.url, ["--stream", "A"]);
        assert.doesNotMatch(a.stderr, /ephemeral/);
        const b = await exportOf(server.url, ["--stream", "B"]);
        assert.match(b.stderr, /1 ephemeral consumer was skipped/);
      }),
    );
  });
}
