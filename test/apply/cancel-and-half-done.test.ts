// How an apply ends when it cannot go as planned (issue 12): Ctrl-C or Ctrl-D at the confirmation prompt of a
// real terminal cancels cleanly; a step whose resource changed since the plan takes its dependents with it
// (not executed, by cause); and a replace whose delete ran but whose create the server refused says exactly
// that, and what was lost. Each race is made to happen: the other client acts while the prompt waits.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectTo, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyOk } from "../support/jsplan.js";
import { REPO_ROOT } from "../support/paths.js";

const KIB = 1024;
const BIN = path.join(REPO_ROOT, "bin", "jsplan.js");

/**
 * `jsplan apply FILE` on a real terminal (a pty from util-linux `script`): once the prompt shows, the key is
 * typed. The terminal's output and jsplan's exit code.
 */
function applyAtTerminal(
  file: string,
  url: string,
  key: string,
): Promise<{ code: number | null; out: string }> {
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} apply ${JSON.stringify(file)} -s ${url}`;
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let out = "";
  let typed = false;
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (!typed && out.includes("Enter a value:")) {
      typed = true;
      setTimeout(() => child.stdin.write(key), 100);
    }
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

const hasScript = await new Promise<boolean>((resolve) =>
  spawn("script", ["--version"])
    .on("error", () => resolve(false))
    .on("exit", (c) => resolve(c === 0)),
);

for (const line of serverLines()) {
  describe(`nats-server ${line}: cancelled at the prompt, changed under a step, a half-done replace`, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    let dir: string;
    before(async () => {
      // A small memory store, so that another client can take the room a re-created stream needs.
      server = await startServer({ line, jetstreamConfig: "max_memory_store: 1MB" });
      nc = await connectTo(server);
      dir = mkdtempSync(path.join(tmpdir(), "jsplan-cancel-"));
    });
    after(async () => {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    for (const [name, key] of [
      ["Ctrl-C", "\x03"],
      ["Ctrl-D", "\x04"],
    ] as const) {
      it(`${name} at the prompt of a terminal cancels: nothing was changed, exit 1`, {
        skip: !hasScript,
      }, async () => {
        const file = path.join(dir, `${name}.yaml`);
        writeFileSync(
          file,
          `version: 1\nstreams:\n  - name: NEVER_${name.at(-1)}\n    subjects: ["never.${name.at(-1)}"]\n`,
        );
        const r = await applyAtTerminal(file, server.url, key);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /Apply cancelled; nothing was changed on the server\./);
        assert.doesNotMatch(r.out, /internal error|please report it/);
        const names = await (await jetstreamManager(nc)).streams.names().next();
        assert.ok(!names.includes(`NEVER_${name.at(-1)}`), "the stream was not created");
      });
    }

    it("a step whose stream changed since the plan is not executed, and neither are its dependents", async () => {
      const first = `version: 1\nowner: t\nstreams:\n  - name: DEP\n    subjects: ["dep.>"]\n    max_age: 1h\n`;
      await applyOk(server, first);
      const second = `${first.replace("max_age: 1h", "max_age: 2h")}    consumers:\n      - name: reader\n        ack_policy: explicit\n`;
      const jsm = await jetstreamManager(nc);
      const r = await runCli(["apply", "-", "-s", server.url, "--format", "json"], {
        stdin: second,
        tty: true,
        answers: [
          async () => {
            const si = await jsm.streams.info("DEP");
            await jsm.streams.update("DEP", { ...si.config, description: "changed by someone else" });
            return "yes";
          },
        ],
      });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const result = JSON.parse(r.stdout) as {
        results: Array<{ address: string; status: string }>;
      };
      const status = new Map(result.results.map((s) => [s.address, s]));
      assert.equal(status.get("stream.DEP")?.status, "changed");
      assert.equal(status.get("consumer.DEP.reader")?.status, "not_executed");
      const names: string[] = [];
      for await (const c of jsm.consumers.list("DEP")) names.push(c.name);
      assert.deepEqual(names, [], "the consumer was not created");
      assert.equal((await jsm.streams.info("DEP")).config.description, "changed by someone else");
    });

    it("a replace whose create is refused after its delete says so, and what was lost", async () => {
      const onDisk = `version: 1\nowner: t\nstreams:\n  - name: HALF\n    subjects: ["half.>"]\n`;
      await applyOk(server, onDisk);
      const js = jetstream(nc);
      for (let i = 0; i < 10; i++) await js.publish("half.x", `m${i}`);
      const inMemory = `${onDisk}    storage: memory\n    max_bytes: 512KiB\n`;
      const jsm = await jetstreamManager(nc);
      const r = await runCli(["apply", "-", "-s", server.url, "--allow-destroy"], {
        stdin: inMemory,
        tty: true,
        answers: [
          async () => {
            // Another application takes most of the memory store while the prompt waits.
            await jsm.streams.add({
              name: "HOG",
              subjects: ["hog"],
              storage: "memory" as never,
              max_bytes: 700 * KIB,
            });
            return "yes";
          },
        ],
      });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /stream\.HALF[\s\S]*the old stream was deleted, but creating it again failed: insufficient memory resources/i,
      );
      assert.match(r.stderr, /10 messages/);
      assert.match(r.stderr, /apply again to create it/);
      await assert.rejects(jsm.streams.info("HALF"), "the stream is gone, as the report says");
    });
  });
}
