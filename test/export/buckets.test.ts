// KV buckets and object stores declared in a manifest, on every server line: the official clients open and
// use what jsplan creates (it is the stream the clients would make), and buckets follow the same ownership,
// protection and destructive-change rules as streams, addressed as kv.NAME and objectstore.NAME.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectTo, serverLines, withServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyManifest, applyOk, planOf } from "../support/jsplan.js";
import {
  acting,
  assertNoChanges,
  changeAt,
  describePlan,
  goKvStreamConfig,
  H,
  type Obj,
  roundTrip,
  streamConfig,
  yaml,
} from "./support.js";

const decode = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);

async function streamExists(nc: NatsConnection, name: string): Promise<boolean> {
  const msg = await nc.request(`$JS.API.STREAM.INFO.${name}`, undefined, { timeout: 5000 });
  return !(msg.json<{ error?: unknown }>().error !== undefined);
}

/** Collects `n` entries of a KV watch, or fails after `ms`. */
async function firstEntries(
  iter: AsyncIterable<{ key: string; operation: string; string(): string }>,
  n: number,
  ms = 5000,
): Promise<string[]> {
  const got: string[] = [];
  const timer = setTimeout(() => (iter as unknown as { stop(): void }).stop(), ms);
  for await (const e of iter) {
    got.push(`${e.operation} ${e.key}=${e.operation === "PUT" ? e.string() : ""}`);
    if (got.length >= n) break;
  }
  clearTimeout(timer);
  (iter as unknown as { stop(): void }).stop();
  return got;
}

for (const line of serverLines()) {
  describe(`KV buckets and object stores on nats-server ${line}`, () => {
    it("buckets created by jsplan are opened and used by @nats-io/kv and @nats-io/obj", (t) =>
      withServer(t, { line }, async (server) => {
        const manifest = {
          version: 1,
          owner: "team",
          key_value: [
            {
              bucket: "profiles",
              description: "user profiles",
              history: 5,
              ttl: "1h",
              max_value_size: "1KiB",
              metadata: { app: "web" },
            },
            { bucket: "plain" },
          ],
          object_stores: [{ bucket: "assets", description: "static assets", max_bytes: "10MiB" }],
        };
        const created = await planOf(server.url, yaml(manifest));
        assert.deepEqual(
          acting(created).map((c) => [c.address, c.action]),
          [
            ["kv.plain", "create"],
            ["kv.profiles", "create"],
            ["objectstore.assets", "create"],
          ],
        );
        await applyOk(server.url, yaml(manifest), []);
        const nc = await connectTo(server);

        // @nats-io/kv: open, put, get, history, watch, delete.
        const kv = await new Kvm(nc).open("profiles");
        const status = await kv.status();
        assert.equal(status.history, 5);
        assert.equal(status.ttl, H / 1_000_000, "the client reads ttl in ms");
        assert.equal(status.maxValueSize, 1024);
        assert.equal(status.description, "user profiles");
        assert.equal(status.metadata?.app, "web");
        const watcher = await kv.watch({ key: "user.>" });
        await kv.put("user.1", "alice");
        await kv.put("user.1", "alice2");
        await kv.put("user.2", "bob");
        assert.equal((await kv.get("user.1"))?.string(), "alice2");
        const hist: string[] = [];
        for await (const e of await kv.history({ key: "user.1" })) hist.push(e.string());
        assert.deepEqual(hist, ["alice", "alice2"]);
        await kv.delete("user.2");
        assert.equal((await kv.get("user.2"))?.operation, "DEL", "a deleted key reads as a delete marker");
        assert.deepEqual(await firstEntries(watcher, 4), [
          "PUT user.1=alice",
          "PUT user.1=alice2",
          "PUT user.2=bob",
          "DEL user.2=",
        ]);
        await assert.rejects(kv.put("user.big", new Uint8Array(2048)), "max_value_size is enforced");
        const keys: string[] = [];
        for await (const k of await kv.keys()) keys.push(k);
        assert.deepEqual(keys.sort(), ["user.1"]);
        // An application that calls create() on the existing bucket binds to it.
        const again = await new Kvm(nc).create("plain");
        await again.put("k", "v");
        assert.equal((await (await new Kvm(nc).open("plain")).get("k"))?.string(), "v");

        // @nats-io/obj: open, put, get, info, list.
        const os = await new Objm(nc).open("assets");
        await os.putBlob({ name: "logo.svg", description: "the logo" }, new TextEncoder().encode("<svg/>"));
        await os.putBlob({ name: "big.bin" }, new Uint8Array(512 * 1024).fill(3));
        assert.equal(decode(await os.getBlob("logo.svg")), "<svg/>");
        assert.equal((await os.getBlob("big.bin"))?.length, 512 * 1024);
        assert.equal((await os.info("logo.svg"))?.description, "the logo");
        assert.deepEqual((await os.list()).map((o) => o.name).sort(), ["big.bin", "logo.svg"]);
        const ostatus = await os.status();
        assert.equal(ostatus.description, "static assets");

        // Using the buckets changes no configuration: the plan stays empty, and so does the export's.
        const after = await planOf(server.url, yaml(manifest));
        assert.deepEqual(acting(after), [], describePlan(after));
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        assert.equal(exported.manifest.owner, "team");
        assert.deepEqual(exported.manifest.key_value, [
          { bucket: "plain" },
          {
            bucket: "profiles",
            description: "user profiles",
            history: 5,
            ttl: "1h",
            max_value_size: "1KiB",
            metadata: { app: "web" },
          },
        ]);
        assert.deepEqual(exported.manifest.object_stores, [
          { bucket: "assets", description: "static assets", max_bytes: "10MiB" },
        ]);
      }));

    it("jsplan's KV stream is the one the Go client makes; its object store is the one @nats-io/obj makes", (t) =>
      withServer(t, { line }, async (server) => {
        await applyOk(
          server.url,
          yaml({
            version: 1,
            key_value: [
              { bucket: "a", history: 3, ttl: "2h", description: "d" },
              { bucket: "short", ttl: "30s" },
            ],
            object_stores: [{ bucket: "o", description: "d", ttl: "1d", max_bytes: "1MiB" }],
          }),
          [],
        );
        const nc = await connectTo(server);
        const live = await streamConfig(nc, "KV_a");
        const go = goKvStreamConfig("a", { history: 3, ttl: 2 * H, description: "d" });
        for (const [k, v] of Object.entries(go))
          assert.deepEqual(live[k], v, `KV_a.${k} is what nats.go sends (${JSON.stringify(v)})`);
        const short = await streamConfig(nc, "KV_short");
        for (const [k, v] of Object.entries(goKvStreamConfig("short", { ttl: 30_000_000_000 })))
          assert.deepEqual(short[k], v, `KV_short.${k} is what nats.go sends (${JSON.stringify(v)})`);

        await new Objm(nc).create("o2", { description: "d", ttl: 24 * H, max_bytes: 1024 * 1024 });
        const mine = await streamConfig(nc, "OBJ_o");
        const theirs = await streamConfig(nc, "OBJ_o2");
        const strip = (c: Obj) => {
          const { name: _n, subjects, metadata: _m, ...rest } = c;
          return { ...rest, subjects: (subjects as string[]).map((s) => s.replace(/^\$O\.o2?\./, "$O.X.")) };
        };
        assert.deepEqual(strip(mine), strip(theirs), "OBJ_o matches what @nats-io/obj creates");
      }));

    it("a bucket removed from a manifest with its owner marker is a destructive delete that needs --allow-destroy; unmarked buckets are unmanaged", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const full = {
          version: 1,
          owner: "team",
          key_value: [{ bucket: "keep" }, { bucket: "gone", history: 2 }],
          object_stores: [{ bucket: "gone_obj" }],
        };
        await applyOk(server.url, yaml(full), []);
        await (await new Kvm(nc).open("gone")).put("k", "v");
        await (await new Objm(nc).open("gone_obj")).putBlob({ name: "x" }, new Uint8Array([1]));
        // Buckets that applications made (no marker) and buckets of another owner.
        const app = await new Kvm(nc).create("app_kv");
        await app.put("a", "b");
        await new Objm(nc).create("app_obj");
        await applyOk(
          server.url,
          yaml({ version: 1, owner: "other", key_value: [{ bucket: "theirs" }] }),
          [],
        );

        const reduced = { version: 1, owner: "team", key_value: [{ bucket: "keep" }] };
        const plan = await planOf(server.url, yaml(reduced));
        assert.deepEqual(
          acting(plan).map((c) => [c.address, c.action, c.destructive, c.blocked]),
          [
            ["kv.gone", "delete", true, false],
            ["objectstore.gone_obj", "delete", true, false],
          ],
          describePlan(plan),
        );
        const del = changeAt(plan, "kv.gone");
        assert.equal(del.kind, "kv");
        assert.equal(del.name, "gone");
        assert.ok(
          del.reasons.some((r) => r.includes("KV bucket gone") && r.includes("team")),
          del.reasons.join("; "),
        );
        assert.equal(del.loses?.messages, 1, "the plan says how many messages are lost");
        assert.deepEqual(plan.unmanaged, ["kv.app_kv", "kv.theirs", "objectstore.app_obj"]);
        assert.ok(
          !plan.changes.some((c) => c.address.includes("KV_") || c.address.includes("OBJ_")),
          "backing streams are addressed as buckets",
        );

        const refused = await applyManifest(server.url, yaml(reduced), []);
        assert.equal(refused.code, 1, "apply refuses a destructive plan without --allow-destroy");
        assert.match(refused.stderr + refused.stdout, /allow-destroy/);
        assert.ok(await streamExists(nc, "KV_gone"), "nothing was deleted");
        assert.ok(await streamExists(nc, "OBJ_gone_obj"), "nothing was deleted");

        await applyOk(server.url, yaml(reduced), ["--allow-destroy"]);
        assert.ok(!(await streamExists(nc, "KV_gone")));
        assert.ok(!(await streamExists(nc, "OBJ_gone_obj")));
        for (const s of ["KV_keep", "KV_app_kv", "OBJ_app_obj", "KV_theirs"])
          assert.ok(await streamExists(nc, s), `${s} is left alone`);
        assert.equal((await (await new Kvm(nc).open("app_kv")).get("a"))?.string(), "b");
        const after = await planOf(server.url, yaml(reduced));
        assert.deepEqual(acting(after), [], describePlan(after));

        // A bucket of another owner cannot be declared here: a plan-time error naming kv.theirs.
        const conflict = await runCli(["plan", "-", "-s", server.url], {
          stdin: yaml({ ...reduced, key_value: [{ bucket: "keep" }, { bucket: "theirs", history: 3 }] }),
        });
        assert.equal(conflict.code, 1);
        assert.match(conflict.stderr + conflict.stdout, /kv\.theirs belongs to owner "other"/);

        // --target addresses a bucket like a stream.
        const targeted = await planOf(
          server.url,
          yaml({ ...reduced, key_value: [{ bucket: "keep", history: 4 }, { bucket: "added" }] }),
          ["--target", "kv.added"],
        );
        assert.deepEqual(
          targeted.changes.map((c) => [c.address, c.action]),
          [["kv.added", "create"]],
        );
      }));

    it("protect: true on a bucket blocks its delete and its replacement", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const manifest = {
          version: 1,
          owner: "team",
          key_value: [{ bucket: "precious", protect: true, history: 3 }],
          object_stores: [{ bucket: "vault", protect: true }],
        };
        await applyOk(server.url, yaml(manifest), []);
        const meta = (await streamConfig(nc, "KV_precious")).metadata as Obj;
        assert.equal(meta["jsplan.protect"], "true");
        assert.equal(meta["jsplan.owner"], "team");
        await (await new Kvm(nc).open("precious")).put("k", "v");

        // Exported with protect: true, and the round trip is empty.
        const { exported, plan: rt } = await roundTrip(server.url);
        assertNoChanges(rt, exported);
        assert.deepEqual(exported.manifest.key_value, [{ bucket: "precious", history: 3, protect: true }]);
        assert.deepEqual(exported.manifest.object_stores, [{ bucket: "vault", protect: true }]);

        // Removed from the manifest: the deletes are blocked, and apply refuses even with --allow-destroy.
        const removed = { version: 1, owner: "team" };
        const plan = await planOf(server.url, yaml(removed));
        assert.deepEqual(
          acting(plan).map((c) => [c.address, c.action, c.blocked]),
          [
            ["kv.precious", "delete", true],
            ["objectstore.vault", "delete", true],
          ],
          describePlan(plan),
        );
        const r = await applyManifest(server.url, yaml(removed), ["--allow-destroy"]);
        assert.equal(r.code, 1, `apply refuses a blocked step:\n${r.stdout}${r.stderr}`);
        assert.ok(await streamExists(nc, "KV_precious"));
        assert.ok(await streamExists(nc, "OBJ_vault"));

        // A change that forces a replacement (storage) is blocked by the manifest's protect: true.
        const moved = {
          ...manifest,
          key_value: [{ bucket: "precious", protect: true, history: 3, storage: "memory" }],
        };
        const replace = await planOf(server.url, yaml(moved));
        const c = changeAt(replace, "kv.precious");
        assert.equal(c.action, "replace", describePlan(replace));
        assert.equal(c.blocked, true);
        assert.ok(c.diff.some((d) => d.path === "storage" && d.forces_replace));
        const r2 = await applyManifest(server.url, yaml(moved), ["--allow-destroy"]);
        assert.equal(r2.code, 1);
        assert.equal((await streamConfig(nc, "KV_precious")).storage, "file");
        assert.equal((await (await new Kvm(nc).open("precious")).get("k"))?.string(), "v");
      }));

    it("KV mirrors and sources declared in a manifest round-trip through export", (t) =>
      withServer(t, { line }, async (server) => {
        const manifest = {
          version: 1,
          owner: "team",
          key_value: [
            { bucket: "origin", history: 3 },
            { bucket: "other" },
            { bucket: "copy", mirror: { name: "origin" } },
            {
              bucket: "agg",
              sources: [{ name: "origin" }, { name: "other", filter_subject: "$KV.other.a.>" }],
            },
          ],
        };
        await applyOk(server.url, yaml(manifest), []);
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        const buckets = ((exported.manifest.key_value ?? []) as Obj[]).map((b) => b.bucket);
        for (const b of ["copy", "origin", "other"])
          assert.ok(buckets.includes(b), `${b} is exported as a bucket`);
      }));

    it("a KV source with explicit subject_transforms or a filter reads from the origin bucket's stream and exports as a bucket", (t) =>
      withServer(t, { line }, async (server) => {
        const manifest = {
          version: 1,
          key_value: [
            { bucket: "other" },
            {
              bucket: "agg",
              sources: [
                { name: "other", subject_transforms: [{ src: "$KV.other.a.>", dest: "$KV.agg.a.>" }] },
              ],
            },
            { bucket: "filtered", sources: [{ name: "other", filter_subject: "$KV.other.a.>" }] },
          ],
        };
        await applyOk(server.url, yaml(manifest), []);
        const nc = await connectTo(server);
        for (const b of ["filtered", "agg"]) {
          const sources = (await streamConfig(nc, `KV_${b}`)).sources as Obj[];
          assert.equal(sources[0]?.name, "KV_other", `KV_${b} sources from the origin bucket's stream`);
        }
        await (await new Kvm(nc).open("other")).put("a.x", "1");
        const agg = await new Kvm(nc).open("agg");
        for (let i = 0; i < 30 && !(await agg.get("a.x")); i++) await new Promise((r) => setTimeout(r, 100));
        assert.equal((await agg.get("a.x"))?.string(), "1", "the key is copied into agg");
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        assert.equal(
          exported.manifest.streams,
          undefined,
          `no bucket is exported as a stream:\n${exported.yaml}`,
        );
      }));

    it("a change that forces a bucket's replacement needs --allow-destroy; the new bucket opens in the clients", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const before = {
          version: 1,
          owner: "team",
          key_value: [{ bucket: "moving", history: 2 }],
          object_stores: [{ bucket: "box" }],
        };
        await applyOk(server.url, yaml(before), []);
        await (await new Kvm(nc).open("moving")).put("k", "v");
        const after = {
          version: 1,
          owner: "team",
          key_value: [{ bucket: "moving", history: 2, storage: "memory" }],
          object_stores: [{ bucket: "box", storage: "memory" }],
        };
        const plan = await planOf(server.url, yaml(after));
        for (const address of ["kv.moving", "objectstore.box"]) {
          const c = changeAt(plan, address);
          assert.equal(c.action, "replace", describePlan(plan));
          assert.equal(c.destructive, true);
          assert.equal(c.blocked, false);
          assert.ok(
            c.reasons.some((r) => r.startsWith("storage")),
            c.reasons.join("; "),
          );
        }
        assert.equal(changeAt(plan, "kv.moving").loses?.messages, 1);
        const refused = await applyManifest(server.url, yaml(after), []);
        assert.equal(refused.code, 1);
        assert.equal((await streamConfig(nc, "KV_moving")).storage, "file", "nothing was touched");
        await applyOk(server.url, yaml(after), ["--allow-destroy"]);
        assert.equal((await streamConfig(nc, "KV_moving")).storage, "memory");
        const kv = await new Kvm(nc).open("moving");
        assert.equal(await kv.get("k"), null, "the data went with the old bucket, as the plan said");
        await kv.put("k", "new");
        assert.equal((await kv.get("k"))?.string(), "new");
        const os = await new Objm(nc).open("box");
        await os.putBlob({ name: "x" }, new Uint8Array([1, 2]));
        assert.deepEqual([...((await os.getBlob("x")) ?? [])], [1, 2]);
        const empty = await planOf(server.url, yaml(after));
        assert.deepEqual(acting(empty), [], describePlan(empty));
      }));

    if (line === "2.10") {
      it("limit_marker_ttl on a 2.10 server is a plan-time error naming the version", (t) =>
        withServer(t, { line }, async (server) => {
          const m = yaml({ version: 1, key_value: [{ bucket: "markers", limit_marker_ttl: "10s" }] });
          const r = await runCli(["plan", "-", "-s", server.url], { stdin: m });
          assert.equal(r.code, 1, `${r.stdout}${r.stderr}`);
          const out = r.stderr + r.stdout;
          assert.match(out, /limit_marker_ttl/);
          assert.match(out, /2\.11/, "names the version it needs");
          assert.match(out, new RegExp(server.version.replace(/\./g, "\\.")), "names the server's version");
          assert.match(out, /:\d+:\d+/, "points at the field");
          const a = await applyManifest(server.url, m);
          assert.equal(a.code, 1);
          const nc = await connectTo(server);
          assert.ok(!(await streamExists(nc, "KV_markers")), "nothing was created");
        }));
    } else {
      it("limit_marker_ttl creates a bucket with delete markers that the KV client sees", (t) =>
        withServer(t, { line }, async (server) => {
          const m = yaml({
            version: 1,
            key_value: [{ bucket: "markers", history: 2, limit_marker_ttl: "10s" }],
          });
          await applyOk(server.url, m, []);
          const nc = await connectTo(server);
          const kv = await new Kvm(nc).open("markers");
          assert.equal((await kv.status()).markerTTL, 10_000);
          await kv.create("k", "v", "1h");
          assert.equal((await kv.get("k"))?.string(), "v");
          const { exported, plan } = await roundTrip(server.url);
          assertNoChanges(plan, exported);
          assert.deepEqual(exported.manifest.key_value, [
            { bucket: "markers", history: 2, limit_marker_ttl: "10s" },
          ]);

          // Set in place on an existing bucket (2.11.2+), kept by the KV client.
          await applyOk(
            server.url,
            yaml({
              version: 1,
              key_value: [{ bucket: "markers", history: 2, limit_marker_ttl: "10s" }, { bucket: "later" }],
            }),
            [],
          );
          const add = yaml({
            version: 1,
            key_value: [
              { bucket: "markers", history: 2, limit_marker_ttl: "10s" },
              { bucket: "later", limit_marker_ttl: "5s" },
            ],
          });
          const p = await planOf(server.url, add);
          assert.deepEqual(
            acting(p).map((c) => [c.address, c.action]),
            [["kv.later", "update"]],
            describePlan(p),
          );
          await applyOk(server.url, add, []);
          assert.equal((await (await new Kvm(nc).open("later")).status()).markerTTL, 5000);
          const again = await planOf(server.url, add);
          assert.deepEqual(acting(again), [], describePlan(again));
        }));
    }
  });
}
