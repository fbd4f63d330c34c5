// The round trip on servers that are awkward to export: text that looks like YAML or like jsplan's own
// `${VAR}` syntax, metadata keys in the server's and jsplan's namespaces, streams named like buckets but not
// made like them, buckets with consumers, sealed streams, streams without subjects, and a server that jsplan
// itself set up (owner and protect markers come back as the manifest's owner and protect: true).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { parseDuration } from "../../src/model/units.js";
import { connectTo, serverLines, withServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyOk } from "../support/jsplan.js";
import {
  assertNoChanges,
  describePlan,
  exportOf,
  H,
  jsApiOk,
  MIN,
  MS,
  type Obj,
  roundTrip,
  S,
  streamConfig,
  yaml,
} from "./support.js";

/** Strings that YAML would read as something else if written plainly. */
const TRICKY = [
  "true",
  "False",
  "null",
  "~",
  "123",
  "-1",
  "0x1F",
  "1e3",
  ".inf",
  "2024-01-01",
  "2024-01-01T00:00:00Z",
  "yes",
  "on",
  "# not a comment",
  "a: b",
  "- item",
  "[x]",
  "{y}",
  "*alias",
  "&anchor",
  "!tag",
  "@at",
  "`tick`",
  "'single'",
  '"double"',
  "  leading and trailing  ",
  "two\nlines",
  "trailing newline\n",
  "tab\there",
  "ünïcödé ✓",
  "%percent",
  "| pipe",
  "> folded",
  "",
];

for (const line of serverLines()) {
  describe(`export edge cases on nats-server ${line}`, () => {
    it("descriptions and metadata that look like YAML round-trip unchanged", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const jsm = await jetstreamManager(nc);
        const metadata: Record<string, string> = {};
        TRICKY.forEach((v, i) => {
          metadata[`k${String(i).padStart(2, "0")}`] = v;
        });
        metadata["key with spaces"] = "v";
        metadata["dotted.key.name"] = "v";
        Object.assign(metadata, { ключ: "значение" });
        const withDescription = TRICKY.filter((d) => d !== "");
        for (const [i, description] of withDescription.entries())
          await jsm.streams.add({ name: `D${i}`, subjects: [`d${i}.>`], description });
        await jsm.streams.add({ name: "META", subjects: ["meta.>"], metadata });
        await jsm.consumers.add("META", { durable_name: "c", ack_policy: AckPolicy.Explicit, metadata });
        await new Kvm(nc).create("kvmeta", { metadata, description: "two\nlines" });
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        const streams = exported.manifest.streams as Obj[];
        for (const [i, d] of withDescription.entries())
          assert.equal(
            streams.find((s) => s.name === `D${i}`)?.description,
            d,
            `description ${JSON.stringify(d)}`,
          );
        assert.deepEqual(streams.find((s) => s.name === "META")?.metadata, metadata);
      }));

    it("text containing ${ is exported escaped ($${), so loading it does not interpolate", {}, (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({
          name: "DOLLAR",
          subjects: ["dollar.>"],
          description: "costs ${PRICE} or $${ESCAPED}",
          metadata: { template: "${name}", home: "${HOME:-/root}" },
        });
        await new Kvm(nc).create("tmpl", { description: "${BUCKET}" });
        const exported = await exportOf(server.url);
        // With variables set, a verbatim export would silently change the values.
        const r = await runCli(["plan", "-", "-s", server.url, "--format", "json"], {
          stdin: exported.yaml,
          env: { PRICE: "1", name: "n", BUCKET: "b", ESCAPED: "e", HOME: "/home/x" },
        });
        assert.ok(
          r.code === 0 || r.code === 2,
          `plan failed (exit ${r.code}):\n${r.stderr}\n${exported.yaml}`,
        );
        const plan = JSON.parse(r.stdout);
        assert.deepEqual(plan.summary.update, 0, describePlan(plan));
        const { exported: e2, plan: p2 } = await roundTrip(server.url);
        assertNoChanges(p2, e2);
      }),
    );

    it("multi-line text that starts with a line of spaces round-trips", {}, (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({
          name: "BLANK",
          subjects: ["blank.>"],
          description: "\n  \nthird line",
          metadata: { a: " \n", b: "\n \n" },
        });
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
      }),
    );

    it("a metadata key spelled << (a YAML merge key) round-trips", {}, (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        await (await jetstreamManager(nc)).streams.add({
          name: "MERGE",
          subjects: ["merge.>"],
          metadata: { "<<": "", other: "x" },
        });
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
      }),
    );

    it("user metadata keys under _nats. that are not the server's own round-trip", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        await jsApiOk(nc, "STREAM.CREATE.NS", {
          name: "NS",
          subjects: ["ns.>"],
          metadata: { "_nats.custom": "user value", team: "y" },
        });
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
      }));

    it("a hand-written jsplan.* metadata key (not owner or protect) round-trips", {}, (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({
          name: "NS",
          subjects: ["ns.>"],
          metadata: { "jsplan.note": "hand-written", team: "x" },
        });
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
      }),
    );

    it("streams named like buckets but not made like them, and buckets with durable consumers, round-trip", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: "KV_fake", subjects: ["fake.>"] });
        await jsm.streams.add({ name: "OBJ_fake", subjects: ["objfake.>"], max_age: H });
        await jsm.streams.add({ name: "KV_", subjects: ["emptybucket.>"] });
        await new Kvm(nc).create("nodirect", { allow_direct: false, history: 2 });
        const kv = await new Kvm(nc).create("watched", { history: 3 });
        await kv.put("k", "v");
        await jsm.consumers.add("KV_watched", {
          durable_name: "app_watcher",
          ack_policy: AckPolicy.Explicit,
          filter_subject: "$KV.watched.>",
        });
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        const streams = exported.manifest.streams as Obj[];
        for (const name of ["KV_fake", "OBJ_fake", "KV_", "KV_nodirect"])
          assert.ok(
            streams.some((s) => s.name === name),
            `${name} differs from a client-made bucket and is exported as a stream`,
          );
        assert.match(exported.yaml, /# its configuration differs from how the clients create buckets/);
        assert.deepEqual(plan.unmanaged, []);
      }));

    it(
      "a KV bucket with a durable consumer is exported as a bucket, its consumer under consumers:",
      {},
      (t) =>
        withServer(t, { line }, async (server) => {
          const nc = await connectTo(server);
          await new Kvm(nc).create("watched", { history: 3 });
          await (await jetstreamManager(nc)).consumers.add("KV_watched", {
            durable_name: "app_watcher",
            ack_policy: AckPolicy.Explicit,
          });
          const { exported, plan } = await roundTrip(server.url);
          assertNoChanges(plan, exported);
          assert.deepEqual(exported.manifest.key_value, [{ bucket: "watched", history: 3 }]);
          assert.equal(exported.manifest.streams, undefined);
          assert.deepEqual(
            ((exported.manifest.consumers ?? []) as Obj[]).map((c) => [c.stream, c.name]),
            [["KV_watched", "app_watcher"]],
          );
        }),
    );

    it("sealed streams, streams without subjects, short max_age, odd units and instants round-trip", (t) =>
      withServer(t, { line }, async (server) => {
        const nc = await connectTo(server);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: "SEALED", subjects: ["sealed.>"], max_age: H });
        const cfg = await streamConfig(nc, "SEALED");
        await jsApiOk(nc, "STREAM.UPDATE.SEALED", { ...cfg, sealed: true });
        await jsm.streams.add({ name: "NOSUBJ" });
        await jsm.streams.add({ name: "SHORT", subjects: ["short.>"], max_age: 30 * S }); // window follows
        await jsm.streams.add({
          name: "ODD",
          subjects: ["odd.>"],
          max_age: 90 * MIN + 1500 * MS, // 1h30m1.5s
          duplicate_window: 1234567891, // ns that fit no unit
          max_bytes: 1_000_001,
          max_msg_size: 1023,
          max_msgs: 2 ** 40,
        });
        await jsm.consumers.add("ODD", {
          durable_name: "when",
          ack_policy: AckPolicy.Explicit,
          deliver_policy: "by_start_time",
          opt_start_time: "2024-01-01T01:00:00.123456789+01:00",
          ack_wait: 1500 * MS,
          max_expires: 250 * MS,
          inactive_threshold: 36 * H,
          backoff: [250 * MS, 2500 * MS],
          max_deliver: 4,
        });
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        const streams = exported.manifest.streams as Obj[];
        const odd = streams.find((s) => s.name === "ODD")!;
        assert.deepEqual(parseDuration(odd.max_age), { ok: true, value: 90 * MIN + 1500 * MS });
        assert.deepEqual(parseDuration(odd.duplicate_window), { ok: true, value: 1234567891 });
        assert.equal(odd.max_bytes, 1_000_001);
        assert.ok(!("duplicate_window" in (streams.find((s) => s.name === "SHORT") ?? {})));
        assert.equal(streams.find((s) => s.name === "SEALED")?.sealed, true);
      }));

    it("a server that jsplan set up exports back its owner, protect flags and settings, and plans to no changes", (t) =>
      withServer(t, { line }, async (server) => {
        const manifest = {
          version: 1,
          owner: "orders-platform",
          streams: [
            {
              name: "ORDERS",
              description: "Order lifecycle events",
              subjects: ["orders.>"],
              max_age: "30d",
              max_bytes: "5GiB",
              duplicate_window: "2m",
              protect: true,
              metadata: { team: "orders" },
              consumers: [
                {
                  name: "order_processor",
                  ack_policy: "explicit",
                  ack_wait: "30s",
                  max_deliver: 5,
                  backoff: ["30s", "1m", "5m"],
                  filter_subjects: ["orders.created", "orders.paid"],
                  protect: true,
                },
                { name: "audit", deliver_subject: "audit.orders", ack_policy: "none" },
              ],
            },
            { name: "ORDERS_ARCHIVE", sources: [{ name: "ORDERS" }], max_age: "365d" },
          ],
          key_value: [{ bucket: "sessions", history: 5, ttl: "1h", protect: true }],
          object_stores: [{ bucket: "artifacts", max_bytes: "1GiB" }],
        };
        await applyOk(server.url, yaml(manifest), []);
        const { exported, plan } = await roundTrip(server.url);
        assertNoChanges(plan, exported);
        const m = exported.manifest;
        assert.equal(m.owner, "orders-platform");
        const orders = (m.streams as Obj[]).find((s) => s.name === "ORDERS")!;
        assert.equal(orders.protect, true);
        assert.deepEqual(orders.metadata, { team: "orders" }, "markers are not metadata in the export");
        assert.equal(orders.max_age, "30d");
        assert.equal(orders.max_bytes, "5GiB");
        assert.ok(!("duplicate_window" in orders), "2m is the server default");
        const processor = (orders.consumers as Obj[]).find((c) => c.name === "order_processor")!;
        assert.equal(processor.protect, true);
        assert.deepEqual(processor.backoff, ["30s", "1m", "5m"]);
        assert.deepEqual(m.key_value, [{ bucket: "sessions", history: 5, ttl: "1h", protect: true }]);
        assert.deepEqual(m.object_stores, [{ bucket: "artifacts", max_bytes: "1GiB" }]);
        assert.deepEqual(
          (m.streams as Obj[]).find((s) => s.name === "ORDERS_ARCHIVE"),
          { name: "ORDERS_ARCHIVE", max_age: "365d", sources: [{ name: "ORDERS" }] },
        );
      }));
  });
}
