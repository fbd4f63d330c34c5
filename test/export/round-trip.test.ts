// Issue #6 acceptance: a server populated with the official clients only (streams of every retention and
// storage kind, mirrors, sources with transforms, republish, metadata, consumers of every kind, KV buckets
// with history and TTL, object stores with data) is exported; the export validates and plans to no changes.
// Then a bucket's history goes 5 → 10 through the manifest: an in-place update, the data intact and readable
// through the official KV client. Then `--owner` turns the next plan into an adoption, after which the plan
// is empty.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { parse, stringify } from "yaml";
import { connectTo, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyOk, planOf } from "../support/jsplan.js";
import { type Populated, populate } from "./populate.js";
import {
  acting,
  assertNoChanges,
  assertValid,
  changeAt,
  describePlan,
  exportOf,
  exportToFile,
  jsApiOk,
  type Obj,
  roundTrip,
  streamConfig,
} from "./support.js";

/** Every key of every object in `v`, recursively, with its path. */
function keysOf(v: unknown, at = ""): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => keysOf(x, `${at}[${i}]`));
  if (v && typeof v === "object")
    return Object.entries(v).flatMap(([k, x]) => [`${at}.${k}`, ...keysOf(x, `${at}.${k}`)]);
  return [];
}

const names = (list: unknown, key: string) => ((list ?? []) as Obj[]).map((x) => String(x[key]));

for (const line of serverLines()) {
  describe(`export round trip on nats-server ${line}`, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    let populated: Populated;

    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
      populated = await populate(nc, server.version);
      // A sealed stream too: read-only for good, and exported as such.
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "SEALED", subjects: ["sealed.>"] });
      await jsm.streams.update("SEALED", { sealed: true } as never).catch(async () => {
        const cfg = await streamConfig(nc, "SEALED");
        await jsApiOk(nc, "STREAM.UPDATE.SEALED", { ...cfg, sealed: true });
      });
    });
    after(async () => {
      await server?.stop();
    });

    it("exports every stream, consumer and bucket to a valid manifest that plans to no changes", async () => {
      const { exported, plan } = await roundTrip(server.url);
      assertNoChanges(plan, exported);
      assert.deepEqual(plan.unmanaged, [], "everything on the server is in the export");

      const m = exported.manifest;
      assert.deepEqual(
        names(m.streams, "name").sort(),
        [...populated.streams, "SEALED"].sort(),
        "plain streams are exported as streams, and only those",
      );
      assert.deepEqual(
        names(m.key_value, "bucket").sort(),
        [...populated.kv].sort(),
        "KV buckets as buckets",
      );
      assert.deepEqual(
        names(m.object_stores, "bucket").sort(),
        [...populated.objectStores].sort(),
        "object stores as object stores",
      );
      // Stable ordering: by name within every section, consumers by name within their stream.
      for (const [section, key] of [
        ["streams", "name"],
        ["key_value", "bucket"],
        ["object_stores", "bucket"],
      ] as const) {
        const list = names(m[section], key);
        assert.deepEqual(list, [...list].sort(), `${section} are in name order`);
      }
      for (const s of m.streams as Obj[]) {
        const list = names(s.consumers, "name");
        assert.deepEqual(list, [...list].sort(), `consumers of ${s.name} are in name order`);
      }

      const orders = (m.streams as Obj[]).find((s) => s.name === "ORDERS")!;
      // Human units, server defaults left out.
      assert.equal(orders.max_age, "30d");
      assert.equal(orders.max_bytes, "50GiB");
      assert.equal(orders.duplicate_window, "5m");
      assert.equal(orders.max_msg_size, "1MiB");
      for (const absent of ["retention", "storage", "num_replicas", "discard", "max_msgs", "max_consumers"])
        assert.ok(!(absent in orders), `ORDERS: the server default ${absent} is left out`);
      assert.deepEqual(orders.metadata, { team: "orders", tier: "1" });
      const pull = (orders.consumers as Obj[]).find((c) => c.name === "pull_explicit")!;
      assert.deepEqual(pull.backoff, ["1s", "10s", "1m"]);
      assert.equal(pull.max_expires, "30s");
      assert.equal(pull.max_bytes, "1MiB");
      assert.ok(!("durable_name" in pull), "consumers are named by name only");
      const sessions = (m.key_value as Obj[]).find((b) => b.bucket === "sessions")!;
      assert.deepEqual(sessions, { bucket: "sessions", history: 5, ttl: "1h" });

      // Server-owned metadata and the server's own sub-objects never appear.
      const keys = keysOf(m);
      assert.deepEqual(
        keys.filter((k) => /\._nats\./.test(k) || /\.jsplan\./.test(k)),
        [],
        "no _nats.* or jsplan.* metadata in the export",
      );
      assert.ok(!exported.yaml.includes("_nats."), "no _nats. anywhere in the YAML");
      // Ephemeral consumers are skipped, counted on stderr, never in the manifest.
      const consumerCount = (m.streams as Obj[]).reduce(
        (n, s) => n + ((s.consumers as Obj[] | undefined)?.length ?? 0),
        0,
      );
      assert.equal(consumerCount, line === "2.10" ? 12 : 14, "every durable consumer, no ephemeral one");
      assert.match(
        exported.stderr,
        new RegExp(`${populated.ephemerals} ephemeral consumers were skipped`),
        "the note counts the ephemeral consumers",
      );
      assert.ok(!exported.yaml.includes("ephemeral"), "the note is on stderr, not in the manifest");
      assert.match(exported.yaml, /^# Exported by jsplan .* from nats-server \d+\.\d+\.\d+/);
    });

    it("exports the same text every time, to stdout and with --out FILE", async () => {
      const a = await exportOf(server.url);
      const b = await exportOf(server.url);
      const f = await exportToFile(server.url);
      assert.equal(b.yaml, a.yaml, "two exports of the same server are identical");
      assert.equal(f.yaml, a.yaml, "--out writes what stdout shows");
      assert.equal(f.stdout, "", "with --out nothing goes to stdout");
      assert.match(f.stderr, /Wrote .*exported\.yaml/);
      // The manifest reads back to the same data whichever YAML library reads it.
      assert.deepEqual(parse(stringify(a.manifest)), a.manifest);
    });

    it("applies a bucket's history 5 → 10 as an in-place update; the data stays, readable by the KV client", async () => {
      const { exported, plan: empty } = await roundTrip(server.url);
      assertNoChanges(empty, exported);
      const m = structuredClone(exported.manifest);
      const bucket = (m.key_value as Obj[]).find((b) => b.bucket === "sessions")!;
      assert.equal(bucket.history, 5);
      bucket.history = 10;
      const changed = stringify(m);
      const plan = await planOf(server.url, changed);
      assert.deepEqual(
        acting(plan).map((c) => [c.address, c.action]),
        [["kv.sessions", "update"]],
        describePlan(plan),
      );
      const change = changeAt(plan, "kv.sessions");
      assert.equal(change.kind, "kv");
      assert.equal(change.name, "sessions");
      assert.equal(change.destructive, false);
      // The text plan speaks of the bucket in bucket terms.
      const text = await runCli(["plan", "-", "-s", server.url, "--no-color"], { stdin: changed });
      assert.match(text.stdout, /~ kv\.sessions will be updated in place/);
      assert.match(text.stdout, /history:\s+5 → 10/);
      assert.match(text.stdout, /Plan: 0 to create, 1 to update, 0 to replace, 0 to delete\./);
      assert.deepEqual(
        change.diff.map((d) => [d.path, d.before, d.after, d.forces_replace]),
        [["max_msgs_per_subject", 5, 10, false]],
      );
      const before = await streamConfig(nc, "KV_sessions");
      await applyOk(server.url, changed, []); // no --allow-destroy: nothing destructive
      const after = await streamConfig(nc, "KV_sessions");
      assert.equal(after.max_msgs_per_subject, 10);
      for (const k of ["deny_delete", "duplicate_window", "allow_direct", "discard", "max_age", "subjects"])
        assert.deepEqual(after[k], before[k], `the update keeps the bucket's ${k}`);

      const kv = await new Kvm(nc).open("sessions");
      assert.equal((await kv.status()).history, 10, "the KV client sees the new history");
      assert.equal((await kv.get("alice"))?.string(), "2");
      assert.equal((await kv.get("bob"))?.string(), "3");
      const revisions: string[] = [];
      for await (const e of await kv.history({ key: "alice" })) revisions.push(e.string());
      assert.deepEqual(revisions, ["1", "2"], "older revisions survive the update");
      await kv.put("alice", "3");
      assert.equal((await kv.get("alice"))?.string(), "3");
      // The mirror and the aggregate bucket of sessions keep working.
      const mirror = await new Kvm(nc).open("kv_mirror");
      assert.equal((await mirror.status()).values >= 2, true);

      const again = await planOf(server.url, changed);
      assert.deepEqual(acting(again), [], `after apply the plan is empty:\n${describePlan(again)}`);
    });

    it("--owner makes the next plan an adoption that only stamps jsplan.owner; after apply the plan is empty", async () => {
      const jsm = await jetstreamManager(nc);
      const ordersBefore = (await jsm.streams.info("ORDERS")).state.messages;
      const exported = await exportOf(server.url, ["--owner", "platform"]);
      await assertValid(exported.yaml);
      assert.equal(exported.manifest.owner, "platform");
      const plan = await planOf(server.url, exported.yaml);
      const changes = acting(plan);
      assert.ok(changes.length > 0, "adopting stamps the owner, so there are updates");
      for (const c of changes) {
        assert.equal(
          c.action,
          "update",
          `${c.address}: adoption is an in-place update\n${describePlan(plan)}`,
        );
        assert.ok(
          c.diff.every((d) => d.path.startsWith("metadata")),
          `${c.address}: adoption changes metadata only\n${describePlan(plan)}`,
        );
        assert.ok(
          c.reasons.some((r) => r.includes("jsplan.owner=platform")),
          `${c.address}: the reason names the adoption`,
        );
      }
      // Every exported stream, consumer and bucket is adopted (a sealed stream's metadata can still change).
      const expected = new Set<string>();
      for (const s of exported.manifest.streams as Obj[]) {
        expected.add(`stream.${s.name}`);
        for (const c of (s.consumers ?? []) as Obj[]) expected.add(`consumer.${s.name}.${c.name}`);
      }
      for (const b of exported.manifest.key_value as Obj[]) expected.add(`kv.${b.bucket}`);
      for (const b of exported.manifest.object_stores as Obj[]) expected.add(`objectstore.${b.bucket}`);
      assert.deepEqual(changes.map((c) => c.address).sort(), [...expected].sort());

      await applyOk(server.url, exported.yaml, []);
      const after = await planOf(server.url, exported.yaml);
      assert.deepEqual(acting(after), [], `after the adoption the plan is empty:\n${describePlan(after)}`);
      assert.equal(((await streamConfig(nc, "KV_sessions")).metadata as Obj)["jsplan.owner"], "platform");

      // Data intact: messages, keys and objects.
      assert.equal((await jsm.streams.info("ORDERS")).state.messages, ordersBefore);
      assert.equal((await (await new Kvm(nc).open("config")).get("feature.x"))?.string(), "on");
      const files = await new Objm(nc).open("files");
      assert.equal(new TextDecoder().decode((await files.getBlob("hello.txt")) ?? undefined), "hello world");
      assert.equal((await files.getBlob("big.bin"))?.length, 300 * 1024);

      // A second export finds the owner by itself and still plans to no changes.
      const { exported: second, plan: secondPlan } = await roundTrip(server.url);
      assert.equal(second.manifest.owner, "platform", "the shared owner marker becomes the manifest's owner");
      assertNoChanges(secondPlan, second);
    });
  });
}
