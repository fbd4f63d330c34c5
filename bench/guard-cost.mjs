#!/usr/bin/env node
// What apply's per-step guards cost (issue 12): before each step on an existing resource jsplan reads it again
// (one INFO request) and compares it with what the plan saw. This measures that price at the protocol level,
// in the same run and on the same server: N consumer updates sent by the bare client, against the same N
// updates each preceded by its CONSUMER.INFO, at the same concurrency, in alternating pairs (A, B, A, B …).
//
//   node bench/guard-cost.mjs [updates=1000] [concurrency=32] [pairs=5] [line=2.15]
import { connect } from "@nats-io/transport-node";
import { fmtMs, median } from "./lib.mjs";
import { startBenchServer } from "./server.mjs";

const [updates = "1000", concurrency = "32", pairs = "5", line = "2.15"] = process.argv.slice(2);
const N = Number(updates);
const C = Number(concurrency);
const server = await startBenchServer(line);
const nc = await connect({ servers: server.url, noAsyncTraces: true });
const ok = async (subject, body) => {
  const r = (await nc.request(subject, JSON.stringify(body), { timeout: 30_000 })).json();
  if (r.error) throw new Error(`${subject}: ${JSON.stringify(r.error)}`);
  return r;
};

// N consumers over N / 10 streams, as the apply benchmarks lay them out.
const streams = Math.max(1, Math.ceil(N / 10));
const bodies = [];
for (let s = 0; s < streams; s++) {
  await ok(`$JS.API.STREAM.CREATE.G${s}`, { name: `G${s}`, subjects: [`g${s}.>`] });
  for (let c = 0; c < 10 && bodies.length < N; c++) {
    const config = { durable_name: `c${c}`, name: `c${c}`, ack_policy: "explicit" };
    await ok(`$JS.API.CONSUMER.CREATE.G${s}.c${c}`, { stream_name: `G${s}`, config, action: "create" });
    bodies.push({ stream: `G${s}`, name: `c${c}`, config });
  }
}

let round = 0;
async function run(guarded) {
  round++;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < bodies.length) {
        const b = bodies[next++];
        if (guarded) await ok(`$JS.API.CONSUMER.INFO.${b.stream}.${b.name}`, {});
        const config = { ...b.config, description: `round ${round}` };
        await ok(`$JS.API.CONSUMER.CREATE.${b.stream}.${b.name}`, {
          stream_name: b.stream,
          config,
          action: "update",
        });
      }
    }),
  );
  return performance.now() - started;
}

await run(false); // warm-up
const bare = [];
const guarded = [];
for (let i = 0; i < Number(pairs); i++) {
  bare.push(await run(false));
  guarded.push(await run(true));
}
await nc.close();
server.stop();
const a = median(bare);
const b = median(guarded);
console.log(`nats-server ${server.version}, ${N} consumer updates, concurrency ${C}, ${pairs} pairs`);
console.log(`  bare updates                 ${fmtMs(a)} (median)`);
console.log(`  each after its INFO (guard)  ${fmtMs(b)} (median)`);
console.log(
  `  guard cost                   ${(b / a).toFixed(2)}× the bare updates (+${fmtMs(b - a)}, ${((b - a) / N).toFixed(3)} ms per step)`,
);
