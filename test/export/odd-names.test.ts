// Names the server accepts but a terminal should never see raw: an application may name a stream or a
// consumer with control characters (nats-server refuses only space, tab, CR, LF, form feed, '.', '*', '>'
// and, from 2.11, '/' and '\'). Every output escapes them as \uXXXX, JSON outputs still carry the exact
// name, and export → plan → apply works for such names like for any other.

import assert from "node:assert/strict";
import { describe } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connectTo, serverLines, serverTest } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { assertEmpty, planOf } from "../support/jsplan.js";

const ESCAPE_STREAM = "ODD\x1b]0;pwned\x07NAME";
const DEL_STREAM = "DEL\x7fC1\u0085X";
const BELL_CONSUMER = "ring\x07bell";
/** A raw control character, other than the newline and tab that jsplan's own layout uses. */
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

for (const line of serverLines()) {
  describe(`nats-server ${line}: names with control characters`, () => {
    serverTest(
      "are escaped in every output, and export → plan → apply handles them",
      { line },
      async (_t, server) => {
        const nc = await connectTo(server);
        try {
          const jsm = await jetstreamManager(nc);
          await jsm.streams.add({ name: ESCAPE_STREAM, subjects: ["odd.>"] });
          await jsm.streams.add({ name: DEL_STREAM, subjects: ["del.>"] });
          await jsm.consumers.add(ESCAPE_STREAM, { durable_name: BELL_CONSUMER, ack_policy: "explicit" });
        } finally {
          await nc.close();
        }
        const s = ["-s", server.url];
        const exported = await runCli(["export", ...s, "--owner", "odd"]);
        assert.equal(exported.code, 0, exported.stderr);
        assert.doesNotMatch(exported.stdout, RAW, "the exported YAML escapes them");
        const plan = await runCli(["plan", "-", ...s], { stdin: exported.stdout });
        assert.equal(plan.code, 0, plan.stderr);
        for (const out of [plan.stdout, plan.stderr]) assert.doesNotMatch(out, RAW);
        assert.match(plan.stdout, /stream\.ODD\\u001b\]0;pwned\\u0007NAME/);

        const json = await planOf(server, exported.stdout);
        assert.deepEqual(
          json.changes.map((c) => c.address).sort(),
          [
            `consumer.${ESCAPE_STREAM}.${BELL_CONSUMER}`,
            `stream.${DEL_STREAM}`,
            `stream.${ESCAPE_STREAM}`,
          ].sort(),
          "the JSON plan holds the exact names",
        );
        const applied = await runCli(["apply", "-", ...s, "--auto-approve"], { stdin: exported.stdout });
        assert.equal(applied.code, 0, applied.stderr);
        for (const out of [applied.stdout, applied.stderr]) assert.doesNotMatch(out, RAW);
        assertEmpty(await planOf(server, exported.stdout), "after adopting them");
      },
    );
  });
}
