// Baseline (b) for `jsplan plan`: the Terraform provider's way of reading state — one info request per
// stream and per consumer, at parallelism 10 (Terraform's default).

import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

const [url, parallelism = "10"] = process.argv.slice(2);
const nc = await connect({ servers: url });
const jsm = await jetstreamManager(nc, { timeout: 30_000 });
// The provider knows the names from its state file; listing names is the cheap way to know them here.
const names = [];
for await (const n of jsm.streams.names()) names.push(n);
const work = [];
for (const n of names) work.push(() => jsm.streams.info(n));
const consumerNames = await Promise.all(
  names.map(async (s) => {
    const r = await nc.request(`$JS.API.CONSUMER.NAMES.${s}`, JSON.stringify({ offset: 0 }), {
      timeout: 30_000,
    });
    return { s, list: r.json().consumers ?? [] };
  }),
);
for (const { s, list } of consumerNames) for (const c of list) work.push(() => jsm.consumers.info(s, c));
let next = 0;
await Promise.all(
  Array.from({ length: Number(parallelism) }, async () => {
    while (next < work.length) await work[next++]();
  }),
);
await nc.close();
