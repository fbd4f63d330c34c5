// Stricter consumer_limits against live consumers above them, on the oldest and newest line: the server
// refuses the stream update while any consumer holds more (10069 "change to limits violates consumers").
// A consumer the manifest drops is deleted first and one that inherits the old limit is updated first, so
// the apply succeeds; a consumer the manifest does not manage stops the plan, and apply changes nothing.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type NatsServer, serverLines } from "../harness/index.js";
import { applyAs, assertFits, assertRefused, manifest, requestAs, startLimitedServer } from "./support.js";

const A = "LIM";
const H = 3600e9;

const limits = (it: string) => `consumer_limits: { inactive_threshold: ${it}, max_ack_pending: 500 }`;
const consumers = (...names: string[]) => [
  "consumers:",
  ...names.map((n) => `  - { name: ${n}, durable_name: ${n}, ack_policy: explicit }`),
];

for (const line of serverLines()) {
  describe(`stricter consumer_limits and live consumers above them, nats-server ${line}`, () => {
    let server: NatsServer;
    before(async () => {
      server = await startLimitedServer(line, { [A]: "enabled" });
    });
    after(async () => {
      await server?.stop();
    });

    it("a dropped consumer and an inheriting one change first, and the apply succeeds", async () => {
      // 40 dropped consumers that hold the old limit: a stream update sent alongside them would meet one.
      const many = Array.from({ length: 40 }, (_, i) => `d${i}`);
      const first = await applyAs(
        server,
        A,
        manifest("lim", [["D", limits("1d"), ...consumers("keep", ...many)]]),
      );
      assert.equal(first.code, 0, first.stderr);
      await assertFits(server, A, manifest("lim", [["D", limits("2h"), ...consumers("keep")]]));
    });

    it("a consumer the manifest does not manage, above the new limit, stops the plan; at the limit it fits", async () => {
      const m = (it: string) => manifest("lim", [["U", limits(it)]]);
      const first = await applyAs(server, A, m("1d"));
      assert.equal(first.code, 0, first.stderr);
      const made = await requestAs(server, A, "$JS.API.CONSUMER.CREATE.U.app", {
        stream_name: "U",
        config: { durable_name: "app", ack_policy: "explicit", inactive_threshold: 20 * H },
      });
      assert.equal(made.error, undefined, JSON.stringify(made));
      await assertRefused(
        server,
        A,
        m("2h"),
        "stream.U",
        /consumer U\.app has inactive_threshold 20h, above the new consumer_limits\.inactive_threshold 2h.*10069/,
      );
      // The server agrees: the same update, sent as it is, is refused.
      const info = (await requestAs(server, A, "$JS.API.STREAM.INFO.U")) as {
        config: Record<string, unknown>;
      };
      const refused = await requestAs(server, A, "$JS.API.STREAM.UPDATE.U", {
        ...info.config,
        consumer_limits: { inactive_threshold: 2 * H, max_ack_pending: 500 },
      });
      assert.equal((refused.error as { err_code?: number } | undefined)?.err_code, 10069);
      await assertFits(server, A, m("20h"));
    });
  });
}
