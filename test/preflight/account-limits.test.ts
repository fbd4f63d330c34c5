// The preflight against real servers whose config file sets account limits, on the oldest and the newest
// supported line: each plan the server would refuse is refused at plan time (exit 1) naming the limit, and
// apply then changes nothing; each neighbour that just fits plans clean, applies, and plans clean again.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type NatsServer, serverLines } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import {
  applyAs,
  assertFits,
  assertRefused,
  manifest,
  planAs,
  requestAs,
  startLimitedServer,
  streamsOf,
} from "./support.js";

const ACCOUNTS = {
  // max_streams 3: the issue's 2, and one for jsplan's apply lock (which takes 4 KiB of max_file here,
  // since the account requires max_bytes).
  WHY: "{ max_file: 1GB, max_streams: 3, max_consumers: 3, max_bytes_required: true }",
  STORE: "{ max_file: 1GB }",
  MANY: "{ max_file: 10GB }",
  MEM: "{ max_mem: 10MB, max_file: 1GB }",
  CONS: "{ max_consumers: 3 }",
  ACK: "{ max_ack_pending: 50 }",
  SAVED: "{ max_file: 1GB }",
  OVERLAP: "enabled",
  FREE: "enabled",
};

const consumers = (n: number, from = 1) =>
  ["consumers:"].concat(
    Array.from({ length: n }, (_, i) => `  - { name: c${i + from}, ack_policy: explicit }`),
  );

for (const line of serverLines()) {
  describe(`preflight against account limits, nats-server ${line}`, () => {
    let server: NatsServer;
    before(async () => {
      server = await startLimitedServer(line, ACCOUNTS);
    });
    after(async () => {
      await server?.stop();
    });

    it("the first case of the issue: storage, stream count, max_bytes_required and consumers, all before apply", async () => {
      const m = manifest("why", [
        ["A", "max_bytes: 600MiB", ...consumers(4)],
        ["B", "max_bytes: 600MiB"],
        ["C"],
      ]);
      await assertRefused(server, "WHY", m, "stream.B", /max_storage 1GiB\).*10047/);
      await assertRefused(server, "WHY", m, "stream.C", /max_bytes_required.*10113/);
      await assertRefused(server, "WHY", m, "consumer.A.c4", /at most 3 consumers .*10026/);
      // The neighbour: two streams that fill the account exactly (with the lock's 4 KiB), three consumers.
      await assertFits(
        server,
        "WHY",
        manifest("why", [
          ["A", "max_bytes: 512MiB", ...consumers(3)],
          ["B", "max_bytes: 536866816"],
        ]),
      );
    });

    it("max_streams counts the streams when each step runs", async () => {
      const three = manifest("why", [
        ["A", "max_bytes: 100MiB"],
        ["B", "max_bytes: 100MiB"],
        ["C", "max_bytes: 100MiB"],
      ]);
      // Two of them and the apply lock make the account's 3.
      await assertRefused(server, "WHY", three, "stream.C", /at most 3 streams \(max_streams\).*10027/);
    });

    it("a fully reserved account refuses a stream without max_bytes; an update of a full stream fits", async () => {
      await assertFits(server, "STORE", manifest("store", [["FULL", "max_bytes: 1GiB"]]));
      const m = manifest("store", [["FULL", "max_bytes: 1GiB"], ["EXTRA"]]);
      await assertRefused(server, "STORE", m, "stream.EXTRA", /no max_bytes, so its create asks for 1 byte/);
      await assertFits(
        server,
        "STORE",
        manifest("store", [["FULL", "max_bytes: 1GiB", 'description: "still full"']]),
      );
    });

    it("many streams that the account cannot hold are refused before the first step, naming the rest", async () => {
      const streams = (n: number) =>
        Array.from({ length: n }, (_, i) => [`S${String(i).padStart(2, "0")}`, "max_bytes: 1GiB"] as const);
      const line = await assertRefused(server, "MANY", manifest("many", streams(14)), "stream.S10", /10047/);
      assert.match(line, /The 3 steps after it that need the same room would be refused too: stream\.S11/);
      await assertFits(server, "MANY", manifest("many", streams(10)));
    });

    it("a replace into memory storage that the account cannot hold keeps the stream and its messages", async () => {
      await assertFits(server, "MEM", manifest("mem", [["R", "storage: file"]]));
      for (let i = 0; i < 300; i++) await requestAs(server, "MEM", "r.x", `m${i}`);
      const m = manifest("mem", [["R", "storage: memory", "max_bytes: 20MiB"]]);
      await assertRefused(server, "MEM", m, "stream.R", /max_memory 10MiB\).*10028/);
      const info = (await requestAs(server, "MEM", "$JS.API.STREAM.INFO.R")) as {
        config: { storage: string };
        state: { messages: number };
      };
      assert.equal(info.config.storage, "file");
      assert.equal(info.state.messages, 300);
      await assertFits(server, "MEM", manifest("mem", [["R", "storage: memory", "max_bytes: 10MiB"]]));
    });

    it("max_consumers counts per stream; a stream's own max_consumers and one above the account's", async () => {
      // 4 consumers across two streams fit an account limit of 3.
      await assertFits(
        server,
        "CONS",
        manifest("cons", [
          ["P", ...consumers(2)],
          ["Q", ...consumers(2)],
        ]),
      );
      const four = manifest("cons", [
        ["P", ...consumers(4)],
        ["Q", ...consumers(2)],
      ]);
      await assertRefused(server, "CONS", four, "consumer.P.c4", /at most 3 consumers .*10026/);
      const own = manifest("cons", [
        ["P", ...consumers(2)],
        ["Q", ...consumers(2)],
        ["T", "max_consumers: 1", ...consumers(2)],
      ]);
      await assertRefused(server, "CONS", own, "consumer.T.c2", /at most 1 consumer \(its max_consumers\)/);
      const over = manifest("cons", [
        ["P", ...consumers(2)],
        ["Q", ...consumers(2)],
        ["U", "max_consumers: 4"],
      ]);
      await assertRefused(server, "CONS", over, "stream.U", /max_consumers 4 is more than the account's/);
      await assertFits(
        server,
        "CONS",
        manifest("cons", [
          ["P", ...consumers(3)],
          ["Q", ...consumers(2)],
          ["U", "max_consumers: 3"],
        ]),
      );
    });

    it("max_ack_pending above the account's limit", async () => {
      const ack = (n: number) =>
        manifest("ack", [
          ["K", "consumers:", `  - { name: w, ack_policy: explicit, max_ack_pending: ${n} }`],
        ]);
      await assertRefused(server, "ACK", ack(51), "consumer.K.w", /max_ack_pending 51 .*10121/);
      await assertFits(server, "ACK", ack(50));
    });

    it("a subject that overlaps a live stream this manifest does not manage (10065)", async () => {
      const legacy = await requestAs(server, "OVERLAP", "$JS.API.STREAM.CREATE.LEGACY", {
        name: "LEGACY",
        subjects: ["orders.>"],
      });
      assert.equal(legacy.error, undefined);
      const m = (subject: string) =>
        `version: 1\nowner: overlap\nstreams:\n  - name: EU\n    subjects: ["${subject}"]\n`;
      const line = await assertRefused(server, "OVERLAP", m("orders.eu.>"), "stream.EU", /10065/);
      assert.match(
        line,
        /"orders\.eu\.>" overlaps "orders\.>" of the live stream LEGACY, which this manifest does not manage/,
      );
      await assertFits(server, "OVERLAP", m("invoices.eu.>"));
    });

    it("apply --plan runs the same preflight on today's state: a saved plan that no longer fits changes nothing", async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "jsplan-saved-"));
      try {
        const file = path.join(dir, "plan.json");
        const m = manifest("saved", [["A", "max_bytes: 600MiB"]]);
        const planned = await runCli(
          ["plan", "-", "-s", server.url, "--user", "SAVED", "--password", "SAVED", "--out", file],
          { stdin: m },
        );
        assert.equal(planned.code, 0, planned.stderr);
        // Another client takes the room meanwhile.
        const taken = await requestAs(server, "SAVED", "$JS.API.STREAM.CREATE.OTHER", {
          name: "OTHER",
          subjects: ["other.>"],
          max_bytes: 600 * 2 ** 20,
        });
        assert.equal(taken.error, undefined);
        const applied = await runCli([
          "apply",
          "--plan",
          file,
          "-s",
          server.url,
          "--user",
          "SAVED",
          "--password",
          "SAVED",
          "--auto-approve",
        ]);
        assert.equal(applied.code, 1, applied.stdout + applied.stderr);
        assert.match(
          applied.stderr,
          /no longer fits the account's limits.*\n.*stream\.A: .*OTHER 600MiB.*10047/,
        );
        assert.deepEqual(Object.keys(await streamsOf(server, "SAVED")), ["OTHER"]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("the largest whole numbers jsplan carries are the server's, and round-trip", async () => {
      const m = manifest("free", [["BIG", "max_msgs: 9007199254740991", "max_msg_size: 2147483647"]]);
      await assertFits(server, "FREE", m);
      const info = (await requestAs(server, "FREE", "$JS.API.STREAM.INFO.BIG")) as {
        config: { max_msgs: number; max_msg_size: number };
      };
      assert.equal(info.config.max_msgs, 9007199254740991);
      assert.equal(info.config.max_msg_size, 2147483647);
      // One past them is refused before anything is sent, with the range.
      const over = await planAs(server, "FREE", manifest("free", [["BIG", "max_msgs: 9007199254740993"]]));
      assert.equal(over.code, 1);
      assert.match(over.stderr, /above 9007199254740991 \(2\^53 − 1\) cannot be carried exactly/);
      const int32 = await applyAs(server, "FREE", manifest("free", [["BIG", "max_msg_size: 2147483648"]]));
      assert.equal(int32.code, 1);
      assert.match(int32.stderr, /32-bit integer/);
      assert.deepEqual(Object.keys(await streamsOf(server, "FREE")), ["BIG"]);
    });
  });
}
