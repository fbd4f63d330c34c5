// Saved plans are re-derived, never trusted: `apply --plan` plans again from the manifest the file records
// and the server's state now, and carries out the steps only when that plan is the saved one. A plan gone
// stale (messages and a consumer added to a stream it replaces), a plan edited by hand, a file that is not
// a plan at all, and `--out` aimed at something that is not a plan: each is refused, and nothing changes.

import assert from "node:assert/strict";
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connectTo, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyOk, assertEmpty, planOf } from "../support/jsplan.js";

const FILE_STREAM = "version: 1\nowner: team-a\nstreams:\n  - name: ORDERS\n    subjects: [orders.>]\n";
const MEMORY_STREAM = FILE_STREAM.replace("[orders.>]\n", "[orders.>]\n    storage: memory\n");

for (const line of serverLines()) {
  describe(`nats-server ${line}: saved plans are re-derived`, () => {
    let server: NatsServer;
    let dir: string;
    before(async () => {
      server = await startServer({ line });
      dir = await mkdtemp(path.join(tmpdir(), "jsplan-saved-"));
    });
    after(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const cli = (args: string[], stdin?: string) =>
      runCli([...args, "-s", server.url], stdin === undefined ? {} : { stdin });

    it("a replace saved as losing 0 messages is refused once messages and a consumer arrived", async () => {
      await applyOk(server, FILE_STREAM);
      const file = path.join(dir, "replace.json");
      const made = await cli(["plan", "-", "--out", file], MEMORY_STREAM);
      assert.equal(made.code, 0, made.stderr);
      assert.equal(statSync(file).mode & 0o777, 0o600, "the saved plan is readable by its owner only");
      const nc = await connectTo(server);
      try {
        const js = jetstream(nc);
        for (let i = 0; i < 500; i++) await js.publish("orders.x", "m");
        const jsm = await jetstreamManager(nc);
        await jsm.consumers.add("ORDERS", { durable_name: "billing", ack_policy: "explicit" });
        const r = await cli(["apply", "--plan", file, "--allow-destroy"]);
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stderr, /is stale; nothing was changed/);
        assert.match(r.stderr, /stream\.ORDERS: .* differ from a plan made now/);
        const info = await jsm.streams.info("ORDERS");
        assert.equal(info.state.messages, 500, "the stream and its messages are untouched");
        assert.equal(info.config.storage, "file");
        assert.equal((await jsm.consumers.info("ORDERS", "billing")).name, "billing");
        await jsm.streams.delete("ORDERS");
      } finally {
        await nc.close();
      }
    });

    it("a plan edited by hand to delete an unmanaged stream is refused, --allow-destroy or not", async () => {
      const nc = await connectTo(server);
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: "THEIRS", subjects: ["theirs.>"] });
        const manifest = "version: 1\nowner: team-a\nstreams:\n  - name: MINE\n    subjects: [mine.>]\n";
        const file = path.join(dir, "edited.json");
        assert.equal((await cli(["plan", "-", "--out", file], manifest)).code, 0);
        const saved = JSON.parse(readFileSync(file, "utf8"));
        saved.steps.push({ address: "stream.THEIRS", action: "delete", calls: ["STREAM.DELETE.THEIRS"] });
        saved.changes.push({
          address: "stream.THEIRS",
          kind: "stream",
          action: "delete",
          destructive: false,
        });
        saved.saved.fingerprints = {};
        writeFileSync(file, JSON.stringify(saved));
        for (const extra of [[], ["--allow-destroy"]]) {
          const r = await cli(["apply", "--plan", file, ...extra]);
          assert.equal(r.code, 1, r.stdout + r.stderr);
          assert.match(
            r.stderr,
            /stream\.THEIRS: the file deletes it, and a plan made now from its manifest has no such change/,
          );
        }
        assert.equal((await jsm.streams.info("THEIRS")).config.name, "THEIRS", "THEIRS is untouched");
        await assert.rejects(jsm.streams.info("MINE"), "not even the saved plan's own steps ran");
        await jsm.streams.delete("THEIRS");
      } finally {
        await nc.close();
      }
    });

    it("a saved plan of the same manifest and state applies, with variables as they were when saved", async () => {
      const manifest =
        "version: 1\nowner: team-a\nstreams:\n  - name: VARS\n    subjects: [vars.>]\n    description: ${DESC}\n";
      const file = path.join(dir, "vars.json");
      const made = await runCli(["plan", "-", "-s", server.url, "--out", file], {
        stdin: manifest,
        env: { DESC: "from the plan" },
      });
      assert.equal(made.code, 0, made.stderr);
      // Applied where DESC is unset (another job of the pipeline): the recorded value is used.
      const r = await runCli(["apply", "--plan", file, "-s", server.url], { env: { DESC: undefined } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const nc = await connectTo(server);
      try {
        const jsm = await jetstreamManager(nc);
        assert.equal((await jsm.streams.info("VARS")).config.description, "from the plan");
        await jsm.streams.delete("VARS");
      } finally {
        await nc.close();
      }
    });

    it("files that are not plans get a clear error, read no further than the size limit", async () => {
      const noServer = path.join(dir, "no-server.json");
      const made = path.join(dir, "made.json");
      assert.equal((await cli(["plan", "-", "--out", made], FILE_STREAM)).code, 0);
      const saved = JSON.parse(readFileSync(made, "utf8"));
      delete saved.server;
      writeFileSync(noServer, JSON.stringify(saved));
      const cases: Array<[string, RegExp]> = [
        ["/dev/zero", /is not a saved plan jsplan made \(it is not JSON\); nothing was changed/],
        [noServer, /is not a complete saved plan \(server\.version missing or malformed\)/],
        [path.join(dir, "absent.json"), /cannot read the saved plan .*ENOENT/],
      ];
      for (const [file, message] of cases) {
        const r = await cli(["apply", "--plan", file]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stderr, /internal error/);
      }
      const old = { ...JSON.parse(readFileSync(made, "utf8")) };
      delete old.saved.sources;
      writeFileSync(noServer, JSON.stringify(old));
      const r = await cli(["apply", "--plan", noServer]);
      assert.match(r.stderr, /saved by an older jsplan, which did not record the manifest/);
      assertEmpty(await planOf(server, "version: 1\nowner: team-a\n"), "nothing was created");
    });

    it("--out does not overwrite a file that is not a plan, nor write through a symbolic link", async () => {
      const notes = path.join(dir, "notes.txt");
      writeFileSync(notes, "my notes\n");
      const r = await cli(["plan", "-", "--out", notes], FILE_STREAM);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /it exists and is not a jsplan plan, so jsplan does not overwrite it/);
      assert.equal(readFileSync(notes, "utf8"), "my notes\n");
      const link = path.join(dir, "link.json");
      symlinkSync(notes, link);
      const l = await cli(["plan", "-", "--out", link], FILE_STREAM);
      assert.equal(l.code, 1);
      assert.match(l.stderr, /it is a symbolic link/);
      assert.equal(readFileSync(notes, "utf8"), "my notes\n");
      // An earlier plan is replaced, and left mode 0600 even if it was opened up.
      const plan = path.join(dir, "again.json");
      assert.equal((await cli(["plan", "-", "--out", plan], FILE_STREAM)).code, 0);
      chmodSync(plan, 0o644);
      assert.equal((await cli(["plan", "-", "--out", plan], MEMORY_STREAM)).code, 0);
      assert.equal(statSync(plan).mode & 0o777, 0o600);
      assert.match(readFileSync(plan, "utf8"), /memory/);
    });
  });
}
