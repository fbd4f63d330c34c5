// The preflight's promise as a property, against real servers: random manifests (streams with random
// max_bytes, storage, max_consumers and consumers) against accounts with random limits. Whenever plan passes,
// apply carries out every step; whenever plan refuses, the server refuses too: the same creates, sent in the
// plan's order with raw API calls to the (scratch) account, meet a limit error.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { loadSources } from "../../src/load/load.js";
import { type NatsServer, serverLines } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { requestAs, startLimitedServer, streamsOf } from "./support.js";

const LIMIT_ERRORS = new Set([10026, 10027, 10028, 10047, 10113, 10121, 10122]);

interface Limits {
  readonly max_file: number;
  readonly max_mem: number;
  readonly max_streams: number;
  readonly max_consumers: number;
  readonly max_ack_pending: number;
  readonly max_bytes_required: boolean;
}

const limitsArb: fc.Arbitrary<Limits> = fc.record({
  max_file: fc.constantFrom(-1, 16, 32),
  max_mem: fc.constantFrom(-1, 8, 16),
  max_streams: fc.constantFrom(-1, 3, 5),
  max_consumers: fc.constantFrom(-1, 2, 3),
  max_ack_pending: fc.constantFrom(-1, 100, 200),
  max_bytes_required: fc.constantFrom(false, false, false, true),
});

const block = (l: Limits) =>
  `{ ${[
    l.max_file > 0 ? `max_file: ${l.max_file}MB` : "",
    l.max_mem > 0 ? `max_mem: ${l.max_mem}MB` : "",
    l.max_streams > 0 ? `max_streams: ${l.max_streams}` : "",
    l.max_consumers > 0 ? `max_consumers: ${l.max_consumers}` : "",
    l.max_ack_pending > 0 ? `max_ack_pending: ${l.max_ack_pending}` : "",
    `max_bytes_required: ${l.max_bytes_required}`,
  ]
    .filter(Boolean)
    .join(", ")} }`;

const streamArb: fc.Arbitrary<StreamGen> = fc.record({
  storage: fc.constantFrom("file", "memory"),
  maxBytes: fc.constantFrom(0, 1, 2, 4, 8, 12),
  maxConsumers: fc.constantFrom(0, 0, 0, 1, 2, 4),
  consumers: fc.array(fc.constantFrom(0, 0, 0, 10, 50, 150), { maxLength: 3 }),
});
const manifestArb = fc.array(streamArb, { minLength: 1, maxLength: 4 });

interface StreamGen {
  readonly storage: string;
  readonly maxBytes: number;
  readonly maxConsumers: number;
  readonly consumers: readonly number[];
}

function manifestOf(streams: readonly StreamGen[]): string {
  const lines = ["version: 1", "owner: prop", "streams:"];
  streams.forEach((s, i) => {
    lines.push(`  - name: P${i}`, `    subjects: ["p${i}.>"]`, `    storage: ${s.storage}`);
    if (s.maxBytes > 0) lines.push(`    max_bytes: ${s.maxBytes}MiB`);
    if (s.maxConsumers > 0) lines.push(`    max_consumers: ${s.maxConsumers}`);
    if (s.consumers.length > 0) lines.push("    consumers:");
    s.consumers.forEach((pending, j) => {
      lines.push(`      - name: c${j}`, "        ack_policy: explicit");
      if (pending > 0) lines.push(`        max_ack_pending: ${pending}`);
    });
  });
  return `${lines.join("\n")}\n`;
}

/** The creates of a manifest in the plan's order (streams, then their consumers), as raw API calls. */
async function rawCreates(server: NatsServer, account: string, manifest: string): Promise<number[]> {
  const loaded = loadSources([{ path: "m.yaml", text: manifest }], {});
  const codes: number[] = [];
  for (const s of loaded.desired!.streams) {
    const r = (await requestAs(server, account, `$JS.API.STREAM.CREATE.${s.name}`, s.config)) as {
      error?: { err_code: number };
    };
    if (r.error) codes.push(r.error.err_code);
  }
  for (const k of loaded.desired!.consumers) {
    const r = (await requestAs(server, account, `$JS.API.CONSUMER.CREATE.${k.stream}.${k.name}`, {
      stream_name: k.stream,
      config: k.config,
    })) as { error?: { err_code: number } };
    if (r.error) codes.push(r.error.err_code);
  }
  return codes;
}

async function clear(server: NatsServer, account: string): Promise<void> {
  for (const name of Object.keys(await streamsOf(server, account)))
    await requestAs(server, account, `$JS.API.STREAM.DELETE.${name}`);
}

const ACCOUNTS = 6;
const RUNS = Number(process.env.JSPLAN_PREFLIGHT_RUNS ?? 20);

for (const line of serverLines()) {
  describe(`preflight property: random manifests against random account limits, nats-server ${line}`, () => {
    const limits = fc.sample(limitsArb, { numRuns: ACCOUNTS, seed: 1107 });
    let server: NatsServer;
    before(async () => {
      const accounts = Object.fromEntries(limits.map((l, i) => [`R${i}`, block(l)]));
      server = await startLimitedServer(line, accounts);
    });
    after(async () => {
      await server?.stop();
    });

    it("plan passes ⇒ apply succeeds with every step; plan refuses ⇒ the server refuses", async (t) => {
      let passed = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: ACCOUNTS - 1 }), manifestArb, async (a, streams) => {
          const account = `R${a}`;
          const m = manifestOf(streams);
          await clear(server, account);
          const auth = ["--user", account, "--password", account];
          const plan = await runCli(["plan", "-", "-s", server.url, ...auth], { stdin: m });
          if (plan.code === 0) {
            passed++;
            const applied = await runCli(["apply", "-", "-s", server.url, ...auth, "--auto-approve"], {
              stdin: m,
            });
            assert.equal(
              applied.code,
              0,
              `limits ${block(limits[a]!)}\n${m}\n${applied.stdout}${applied.stderr}`,
            );
          } else {
            refused++;
            assert.equal(plan.code, 1, plan.stderr);
            const codes = await rawCreates(server, account, m);
            assert.ok(
              codes.some((c) => LIMIT_ERRORS.has(c)),
              `plan refused but the server took every create (${codes.join()}); limits ${block(limits[a]!)}\n${m}\n${plan.stderr}`,
            );
          }
          await clear(server, account);
        }),
        { numRuns: RUNS, seed: 11 },
      );
      t.diagnostic(`${passed} plans passed and applied, ${refused} refused and refused by the server too`);
      assert.ok(passed + refused >= RUNS);
    });
  });
}
