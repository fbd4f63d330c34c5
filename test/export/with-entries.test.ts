// export --with-entries against real servers (issue 18): the keys of a KV bucket set up by hand come out as
// `entries` (a value with `${` escaped), export → plan is empty; with --owner the first apply stamps the keys
// (the header says so) and the plan after it is empty; a mirrored bucket's keys and another owner's keys are
// not exported; without the flag no key is read.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { connectTo, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { applyOk, planOf } from "../support/jsplan.js";
import { acting, assertNoChanges, assertValid, describePlan, exportOf, type Obj } from "./support.js";

const bucketOf = (manifest: Obj, name: string) =>
  ((manifest.key_value ?? []) as Obj[]).find((b) => b.bucket === name);

for (const line of serverLines()) {
  describe(`export --with-entries, nats-server ${line}`, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
      const kvm = new Kvm(nc);
      const flags = await kvm.create("flags", { history: 3 });
      await flags.put("checkout.new_flow", "on");
      await flags.put("greeting", "hello ${NAME} and $HOME");
      await flags.put("gone", "x");
      await flags.delete("gone");
      await kvm.create("flags_copy", { mirror: { name: "flags" } } as never);
    });
    after(async () => {
      await server?.stop();
    });

    it("exports the live keys as entries, and the plan of the export is empty", async () => {
      const exported = await exportOf(server.url, ["--with-entries"]);
      await assertValid(exported.yaml);
      assert.deepEqual(bucketOf(exported.manifest, "flags")?.entries, {
        "checkout.new_flow": "on",
        greeting: "hello $${NAME} and $HOME",
      });
      assert.equal(
        bucketOf(exported.manifest, "flags_copy")?.entries,
        undefined,
        "a mirror's keys are its origin's",
      );
      assertNoChanges(await planOf(server.url, exported.yaml), exported, "with entries");
    });

    it("reads no key without the flag", async () => {
      const exported = await exportOf(server.url);
      assert.equal(bucketOf(exported.manifest, "flags")?.entries, undefined);
    });

    it("with --owner the first apply stamps the keys, and then the plan is empty", async () => {
      const exported = await exportOf(server.url, [
        "--with-entries",
        "--owner",
        "flags-team",
        "--stream",
        "flags",
      ]);
      assert.match(exported.yaml, /adds the owner marker "flags-team" to 3 resources/);
      const plan = await planOf(server.url, exported.yaml);
      assert.deepEqual(
        acting(plan).map((c) => `${c.action} ${c.address}`),
        ["update kv.flags", "update kv_entry.flags.checkout.new_flow", "update kv_entry.flags.greeting"],
        describePlan(plan),
      );
      await applyOk(server, exported.yaml);
      assertNoChanges(await planOf(server.url, exported.yaml), exported, "after the adoption");
      const greeting = await (await new Kvm(nc).open("flags")).get("greeting");
      assert.equal(
        greeting?.string(),
        "hello ${NAME} and $HOME",
        "the value is the one the application wrote",
      );
      const jsm = await jetstreamManager(nc);
      const m = await jsm.streams.getMessage("KV_flags", { last_by_subj: "$KV.flags.greeting" });
      assert.equal(m?.header?.get("Jsplan-Owner"), "flags-team");
    });

    it("leaves out keys another owner wrote, and says so", async () => {
      const shared = await new Kvm(nc).create("shared");
      await shared.put("app.key", "mine");
      const h = headers();
      h.set("Jsplan-Owner", "other-team");
      h.set("Jsplan-Managed", "true");
      await jetstream(nc).publish("$KV.shared.seeded", "theirs", { headers: h });
      const exported = await exportOf(server.url, ["--with-entries", "--stream", "shared"]);
      assert.deepEqual(bucketOf(exported.manifest, "shared")?.entries, { "app.key": "mine" });
      assert.match(
        exported.stderr,
        /KV bucket shared: 1 key\(s\) not exported \(written by another owner.*: seeded/,
      );
      assertNoChanges(await planOf(server.url, exported.yaml), exported, "another owner's key left out");
    });
  });
}
