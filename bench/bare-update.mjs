// Baseline for `jsplan apply` correcting drift: the bare client sending the same consumer updates,
// CONCURRENCY requests in flight.
import { readFileSync } from "node:fs";
import { connect } from "@nats-io/transport-node";

const [url, file, concurrency = "32"] = process.argv.slice(2);
const bodies = JSON.parse(readFileSync(file, "utf8"));
const nc = await connect({ servers: url, noAsyncTraces: true });
let next = 0;
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < bodies.length) {
      const b = bodies[next++];
      const m = await nc.request(
        `$JS.API.CONSUMER.CREATE.${b.stream}.${b.name}`,
        JSON.stringify({ stream_name: b.stream, config: b.config, action: "update" }),
        { timeout: 30_000 },
      );
      const r = m.json();
      if (r.error) throw new Error(JSON.stringify(r.error));
    }
  }),
);
await nc.close();
