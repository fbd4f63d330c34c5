// Baseline (a) for `jsplan plan`: the bare floor — the same list calls jsplan makes (stream list pages,
// then each stream's consumer list, CONCURRENCY at a time), made by a minimal script with the client.

import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

const [url, concurrency = "32"] = process.argv.slice(2);
const nc = await connect({ servers: url });
const jsm = await jetstreamManager(nc, { timeout: 30_000 });
const streams = [];
for await (const si of jsm.streams.list()) streams.push(si);
let next = 0;
let consumers = 0;
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < streams.length) {
      const s = streams[next++];
      for await (const _c of jsm.consumers.list(s.config.name)) consumers++;
    }
  }),
);
await nc.close();
if (process.env.BENCH_DEBUG) console.error(`${streams.length} streams, ${consumers} consumers`);
