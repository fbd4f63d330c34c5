// Baseline for `jsplan apply`: the bare client creating the same streams and consumers, CONCURRENCY
// requests in flight, streams first, then consumers.
import { readFileSync } from "node:fs";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

const [url, planFile, concurrency = "32"] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, "utf8"));
const nc = await connect({ servers: url, noAsyncTraces: true });
const jsm = await jetstreamManager(nc, { timeout: 30_000 });
const streams = plan.changes.filter((c) => c.kind === "stream").map((c) => c.after);
const consumers = plan.changes.filter((c) => c.kind === "consumer").map((c) => [c.stream, c.after]);
async function pool(items, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(concurrency) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}
await pool(streams, (cfg) => jsm.streams.add({ ...cfg }));
await pool(consumers, ([stream, cfg]) => jsm.consumers.add(stream, { ...cfg }));
await nc.close();
