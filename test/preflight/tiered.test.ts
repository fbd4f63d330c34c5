// Tiered limits (operator mode), on a 3-node cluster of the oldest and newest line, with account JWTs the
// test signs: a stream meets the limits of the tier of its replica count. An R3 stream's max_bytes counts
// once against the R3 tier (not × 3), streams and consumers are counted per tier, and a replica count
// without a tier is refused (10120). Each refusal is predicted by the plan (exit 1), apply changes nothing,
// and the server, asked directly, refuses the same; each neighbour that just fits plans clean and applies.

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  connectTo,
  type NatsCluster,
  type OperatorSetup,
  operatorSetup,
  serverLines,
  startCluster,
} from "../harness/index.js";
import { type CliResult, runCli } from "../support/cli.js";

const MIB = 1024 * 1024;
const UNLIMITED = {
  disk_storage: -1,
  mem_storage: -1,
  streams: -1,
  consumer: -1,
  max_ack_pending: -1,
  mem_max_stream_bytes: -1,
  disk_max_stream_bytes: -1,
};

const ACCOUNTS = {
  // The harness's own probes (an R3 memory stream) need room.
  HARNESS: { tiers: { R1: UNLIMITED, R3: UNLIMITED } },
  STORE: { tiers: { R1: { ...UNLIMITED, disk_storage: MIB }, R3: { ...UNLIMITED, disk_storage: 4 * MIB } } },
  COUNT: { tiers: { R1: { ...UNLIMITED, streams: 3, consumer: 2 }, R3: UNLIMITED } },
  R1ONLY: { tiers: { R1: UNLIMITED } },
};
type Account = keyof typeof ACCOUNTS;

const manifest = (streams: ReadonlyArray<readonly [string, ...string[]]>) =>
  [
    "version: 1",
    "owner: tiers",
    "streams:",
    ...streams.flatMap(([name, ...extra]) => [
      `  - name: ${name}`,
      `    subjects: ["${name.toLowerCase()}.>"]`,
      ...extra.map((l) => `    ${l}`),
    ]),
    "",
  ].join("\n");

for (const line of serverLines()) {
  describe(`tiered limits in an operator-mode cluster, nats-server ${line}`, () => {
    let setup: OperatorSetup;
    let cluster: NatsCluster;
    const conns = new Map<Account, NatsConnection>();

    before(async () => {
      setup = await operatorSetup(ACCOUNTS);
      cluster = await startCluster({
        line,
        config: setup.config,
        connectOptions: { authenticator: setup.accounts.HARNESS!.authenticator },
      });
      for (const a of Object.keys(ACCOUNTS) as Account[]) {
        conns.set(a, await connectTo(cluster, { authenticator: setup.accounts[a]!.authenticator }));
      }
    });
    after(async () => {
      await cluster?.stop();
      if (setup) await rm(setup.dir, { recursive: true, force: true });
    });

    const cli = (command: string, account: Account, m: string, ...more: string[]): Promise<CliResult> =>
      runCli(
        [command, "-", "-s", cluster.urls.join(","), "--creds", setup.accounts[account]!.credsFile, ...more],
        { stdin: m },
      );
    const plan = (a: Account, m: string) => cli("plan", a, m, "--detailed-exitcode");
    const apply = (a: Account, m: string) => cli("apply", a, m, "--auto-approve", "--allow-destroy");

    async function api(a: Account, subject: string, body: unknown = {}): Promise<Record<string, unknown>> {
      const m = await conns.get(a)!.request(`$JS.API.${subject}`, JSON.stringify(body), { timeout: 10_000 });
      return m.json<Record<string, unknown>>();
    }

    async function streams(a: Account): Promise<string[]> {
      const r = (await api(a, "STREAM.NAMES")) as { streams: string[] | null };
      return (r.streams ?? []).filter((n) => n !== "JSPLAN_LEASE").sort();
    }

    async function fits(a: Account, m: string): Promise<void> {
      const p = await plan(a, m);
      assert.ok(p.code === 0 || p.code === 2, `plan should pass:\n${p.stdout}${p.stderr}`);
      const applied = await apply(a, m);
      assert.equal(applied.code, 0, `apply should succeed:\n${applied.stdout}${applied.stderr}`);
      const again = await plan(a, m);
      assert.equal(again.code, 0, `no changes after the apply:\n${again.stdout}${again.stderr}`);
    }

    /** Plan refused at `address` with `message`; apply refuses the same and changes nothing. */
    async function refused(a: Account, m: string, address: string, message: RegExp): Promise<void> {
      const before = await streams(a);
      const p = await plan(a, m);
      assert.equal(p.code, 1, `plan should be refused:\n${p.stdout}${p.stderr}`);
      const error = p.stderr.split("\n").find((l) => l.includes(`  ${address}  `) && message.test(l));
      assert.ok(error, `expected an error at ${address} matching ${message}, got:\n${p.stderr}`);
      const applied = await apply(a, m);
      assert.equal(applied.code, 1, `apply should refuse:\n${applied.stdout}${applied.stderr}`);
      assert.ok(applied.stderr.includes(error), `apply names the same error:\n${applied.stderr}`);
      assert.match(applied.stderr, /nothing was changed on the server/);
      assert.deepEqual(await streams(a), before, "apply changed nothing");
    }

    /** The server, asked directly, refuses the create with `code`. */
    async function serverRefuses(a: Account, config: Record<string, unknown>, code: number): Promise<void> {
      const r = await api(a, `STREAM.CREATE.${config.name}`, config);
      const got = (r.error as { err_code?: number } | undefined)?.err_code;
      if (got === undefined) await api(a, `STREAM.DELETE.${config.name}`);
      assert.equal(got, code, `the server's answer: ${JSON.stringify(r)}`);
    }

    it("an R3 stream's max_bytes counts once against the R3 tier", async () => {
      const r3 = (name: string, size: string) => [name, "num_replicas: 3", `max_bytes: ${size}`] as const;
      // 2 + 2 MiB fill the R3 tier's 4 MiB exactly (× 3 they would be 12 MiB), and R1 has its own 1 MiB.
      await fits("STORE", manifest([r3("A", "2MiB"), r3("B", "2MiB"), ["C", "max_bytes: 1MiB"]]));
      await refused(
        "STORE",
        manifest([r3("A", "2MiB"), r3("B", "2MiB"), r3("D", "1KiB"), ["C", "max_bytes: 1MiB"]]),
        "stream.D",
        /the account's R3 tier's file storage limit \(max_storage 4MiB\) .*A 2MiB, B 2MiB.*10047/,
      );
      await serverRefuses(
        "STORE",
        { name: "D", subjects: ["d.>"], num_replicas: 3, max_bytes: 1024, storage: "file" },
        10047,
      );
    });

    it("streams and consumers are counted per tier", async () => {
      const consumers = (n: number) => [
        "consumers:",
        ...Array.from(
          { length: n },
          (_, i) => `  - { name: c${i}, durable_name: c${i}, ack_policy: explicit }`,
        ),
      ];
      // Three R1 streams fill the R1 tier; an R3 one does not count there.
      await fits("COUNT", manifest([["A", ...consumers(2)], ["B"], ["C"], ["D", "num_replicas: 3"]]));
      await refused(
        "COUNT",
        manifest([["A", ...consumers(2)], ["B"], ["C"], ["D", "num_replicas: 3"], ["E"]]),
        "stream.E",
        /the account's R1 tier may hold at most 3 R1 streams \(max_streams\), and holds 3 .*10027/,
      );
      await serverRefuses("COUNT", { name: "E", subjects: ["e.>"], num_replicas: 1 }, 10027);
      await refused(
        "COUNT",
        manifest([["A", ...consumers(3)], ["B"], ["C"], ["D", "num_replicas: 3"]]),
        "consumer.A.c2",
        /stream A may have at most 2 consumers \(the account's R1 tier's max_consumers.*10026/,
      );
    });

    it("a replica count without a tier is refused (10120), and the apply lock falls back to R1", async () => {
      await refused(
        "R1ONLY",
        manifest([["A"], ["B", "num_replicas: 3"]]),
        "stream.B",
        /tiered \(R1\) and have no R3 tier .*10120/,
      );
      await serverRefuses("R1ONLY", { name: "B", subjects: ["b.>"], num_replicas: 3 }, 10120);
      await fits("R1ONLY", manifest([["A"], ["B"]]));
      const lock = (await api("R1ONLY", "STREAM.INFO.JSPLAN_LEASE")) as { config: { num_replicas: number } };
      assert.equal(lock.config.num_replicas, 1);
    });
  });
}
