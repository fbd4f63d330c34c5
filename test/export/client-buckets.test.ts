// Buckets made by applications, not by jsplan: a KV bucket created by the JavaScript client (Kvm.create, which
// leaves deny_delete and the duplicate window to the server), one created with the Go client's settings
// (deny_delete true and an explicit duplicate window: the raw STREAM.CREATE that nats.go sends), and object
// stores created by Objm.create. Each is exported as a bucket and plans to no changes; a manifest change
// to it afterwards is an in-place update that keeps the settings its client chose, and the client still
// reads its data.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { stringify } from "yaml";
import { connectTo, serverLines, withServer } from "../harness/index.js";
import { applyOk, planOf } from "../support/jsplan.js";
import {
  acting,
  assertNoChanges,
  describePlan,
  goKvStreamConfig,
  H,
  jsApiOk,
  MIN,
  type Obj,
  roundTrip,
  S,
  streamConfig,
} from "./support.js";

const bucketOf = (m: Obj, section: string, name: string) =>
  ((m[section] ?? []) as Obj[]).find((b) => b.bucket === name);

for (const line of serverLines()) {
  describe(`buckets made by the clients on nats-server ${line}`, () => {
    it("KV buckets from Kvm.create and from the Go client's config export as buckets and plan to no changes", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const kvm = new Kvm(nc);
        const js = await kvm.create("js_made", {
          history: 7,
          ttl: 2 * 60 * 60 * 1000,
          description: "made by nats.js",
          max_bytes: 5 * 1024 * 1024,
          maxValueSize: 4096,
          metadata: { app: "js" },
        });
        await js.put("a", "1");
        await js.put("a", "2");
        await kvm.create("js_short", { ttl: 20 * 1000 }); // ttl < 2m: the server sets the duplicate window
        await kvm.create("js_memory", { storage: "memory", compression: true });
        await jsApiOk(
          nc,
          "STREAM.CREATE.KV_go_made",
          goKvStreamConfig("go_made", { history: 5, ttl: 3 * H, description: "made by nats.go" }),
        );
        await jsApiOk(nc, "STREAM.CREATE.KV_go_short", goKvStreamConfig("go_short", { ttl: 30 * S }));
        await jsApiOk(
          nc,
          "STREAM.CREATE.KV_go_full",
          goKvStreamConfig("go_full", {
            history: 64,
            maxBytes: 1000000,
            maxValueSize: 1000,
            storage: "memory",
            compression: true,
            metadata: { app: "go" },
          }),
        );
        const go = await kvm.open("go_made");
        await go.put("k", "v");

        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        assert.equal(exported.manifest.streams, undefined, "no bucket is exported as a stream");
        const m = exported.manifest;
        assert.deepEqual(bucketOf(m, "key_value", "js_made"), {
          bucket: "js_made",
          description: "made by nats.js",
          history: 7,
          ttl: "2h",
          max_value_size: "4KiB",
          max_bytes: "5MiB",
          metadata: { app: "js" },
        });
        assert.deepEqual(bucketOf(m, "key_value", "js_short"), { bucket: "js_short", ttl: "20s" });
        assert.deepEqual(bucketOf(m, "key_value", "js_memory"), {
          bucket: "js_memory",
          storage: "memory",
          compression: true,
        });
        assert.deepEqual(bucketOf(m, "key_value", "go_made"), {
          bucket: "go_made",
          description: "made by nats.go",
          history: 5,
          ttl: "3h",
        });
        assert.deepEqual(bucketOf(m, "key_value", "go_short"), { bucket: "go_short", ttl: "30s" });
        assert.deepEqual(bucketOf(m, "key_value", "go_full"), {
          bucket: "go_full",
          history: 64,
          max_value_size: "1KB",
          max_bytes: "1MB",
          storage: "memory",
          compression: true,
          metadata: { app: "go" },
        });

        // A manifest change to each: an in-place update that keeps what its client chose.
        const before = new Map<string, Obj>();
        for (const b of m.key_value as Obj[])
          before.set(String(b.bucket), await streamConfig(nc, `KV_${b.bucket}`));
        const changed = structuredClone(m);
        for (const b of changed.key_value as Obj[]) b.description = `changed ${b.bucket}`;
        const p = await planOf(server.url, stringify(changed));
        assert.deepEqual(
          acting(p).map((c) => [c.address, c.action, c.diff.map((d) => d.path).join(",")]),
          (m.key_value as Obj[]).map((b) => [`kv.${b.bucket}`, "update", "description"]),
          describePlan(p),
        );
        await applyOk(server.url, stringify(changed), []);
        for (const [bucket, was] of before) {
          const now = await streamConfig(nc, `KV_${bucket}`);
          assert.equal(now.description, `changed ${bucket}`);
          for (const k of [
            "deny_delete",
            "duplicate_window",
            "allow_direct",
            "discard",
            "max_msgs_per_subject",
          ])
            assert.deepEqual(now[k], was[k], `KV_${bucket}.${k} is kept`);
        }
        assert.equal(
          (await streamConfig(nc, "KV_js_made")).deny_delete,
          false,
          "JS-made: deny_delete stays off",
        );
        assert.equal(
          (await streamConfig(nc, "KV_go_made")).deny_delete,
          true,
          "Go-made: deny_delete stays on",
        );
        assert.equal((await streamConfig(nc, "KV_go_short")).duplicate_window, 30 * S);
        assert.equal((await streamConfig(nc, "KV_js_short")).duplicate_window, 20 * S);
        const after = await planOf(server.url, stringify(changed));
        assert.deepEqual(acting(after), [], describePlan(after));

        // The clients still read and write them.
        const jsAgain = await kvm.open("js_made");
        assert.equal((await jsAgain.get("a"))?.string(), "2");
        const hist: string[] = [];
        for await (const e of await jsAgain.history({ key: "a" })) hist.push(e.string());
        assert.deepEqual(hist, ["1", "2"]);
        assert.equal((await (await kvm.open("go_made")).get("k"))?.string(), "v");
        await (await kvm.open("go_short")).put("x", "y");
        assert.equal((await (await kvm.open("go_short")).get("x"))?.string(), "y");
      }));

    it("lowering a bucket's ttl below its duplicate window is an update that applies", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        await new Kvm(nc).create("js_made", { ttl: 60 * 60 * 1000 });
        await jsApiOk(nc, "STREAM.CREATE.KV_go_made", goKvStreamConfig("go_made", { ttl: H }));
        await applyOk(server.url, stringify({ version: 1, key_value: [{ bucket: "mine", ttl: "1h" }] }), []);
        const m = stringify({
          version: 1,
          key_value: ["js_made", "go_made", "mine"].map((bucket) => ({ bucket, ttl: "30s" })),
        });
        const p = await planOf(server.url, m);
        assert.deepEqual(
          acting(p).map((c) => [c.address, c.action]),
          [
            ["kv.go_made", "update"],
            ["kv.js_made", "update"],
            ["kv.mine", "update"],
          ],
        );
        await applyOk(server.url, m, []);
        for (const b of ["js_made", "go_made", "mine"]) {
          const cfg = await streamConfig(nc, `KV_${b}`);
          assert.equal(cfg.max_age, 30 * S);
          assert.ok((cfg.duplicate_window as number) <= 30 * S);
        }
        const after = await planOf(server.url, m);
        assert.deepEqual(acting(after), [], describePlan(after));
      }));

    it("KV mirrors, sources and republish made by Kvm.create export as buckets and plan to no changes", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const kvm = new Kvm(nc);
        const origin = await kvm.create("origin", { history: 3 });
        await origin.put("x", "1");
        await kvm.create("other", {});
        await kvm.create("copy", { mirror: { name: "origin" } });
        await kvm.create("agg", { sources: [{ name: "origin" }, { name: "other", opt_start_seq: 2 }] });
        await kvm.create("repub", { republish: { src: ">", dest: "changes.>", headers_only: true } });
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        const m = exported.manifest;
        assert.deepEqual(bucketOf(m, "key_value", "copy"), { bucket: "copy", mirror: { name: "origin" } });
        assert.deepEqual(bucketOf(m, "key_value", "agg"), {
          bucket: "agg",
          sources: [{ name: "origin" }, { name: "other", opt_start_seq: 2 }],
        });
        assert.deepEqual((bucketOf(m, "key_value", "repub") as Obj).republish, {
          src: ">",
          dest: "changes.>",
          headers_only: true,
        });
        // The mirror copies the origin's data.
        const copy = await kvm.open("copy");
        for (let i = 0; i < 50 && (await copy.status()).values < 1; i++)
          await new Promise((r) => setTimeout(r, 100));
        assert.equal((await copy.status()).values, 1);
      }));

    it("object stores from Objm.create export as object stores, plan to no changes and update in place", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const objm = new Objm(nc);
        const plain = await objm.create("plain");
        await plain.putBlob({ name: "a.txt" }, new TextEncoder().encode("alpha"));
        await objm.create("full", {
          description: "everything set",
          ttl: 2 * 24 * H,
          max_bytes: 64 * 1024 * 1024,
          storage: "memory",
          compression: true,
          metadata: { kind: "cache" },
        });
        await objm.create("odd_ttl", { ttl: 90 * MIN + 30 * S });
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        const m = exported.manifest;
        assert.deepEqual(m.object_stores, [
          {
            bucket: "full",
            description: "everything set",
            ttl: "2d",
            max_bytes: "64MiB",
            storage: "memory",
            compression: true,
            metadata: { kind: "cache" },
          },
          { bucket: "odd_ttl", ttl: "1h30m30s" },
          { bucket: "plain" },
        ]);
        const changed = structuredClone(m);
        (changed.object_stores as Obj[])[2]!.max_bytes = "1GiB";
        const p = await planOf(server.url, stringify(changed));
        assert.deepEqual(
          acting(p).map((c) => [c.address, c.action, c.diff.map((d) => [d.path, d.before, d.after])]),
          [["objectstore.plain", "update", [["max_bytes", -1, 1024 ** 3]]]],
        );
        await applyOk(server.url, stringify(changed), []);
        const reopened = await objm.open("plain");
        assert.equal(new TextDecoder().decode((await reopened.getBlob("a.txt")) ?? undefined), "alpha");
        await reopened.putBlob({ name: "b.txt" }, new TextEncoder().encode("beta"));
        assert.equal(new TextDecoder().decode((await reopened.getBlob("b.txt")) ?? undefined), "beta");
        const after = await planOf(server.url, stringify(changed));
        assert.deepEqual(acting(after), [], describePlan(after));
      }));
  });
}
