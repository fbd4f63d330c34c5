#!/usr/bin/env node
// A TCP proxy on loopback that holds every chunk for DELAY_MS in each direction, so that a request costs a
// network round trip (2 × DELAY_MS) as it does between machines. Order is kept: timers of one duration fire
// in the order they were set. Prints its port, then runs until killed.
//   node bench/latency-proxy.mjs TARGET_PORT DELAY_MS
import net from "node:net";

const [targetPort, delayMs] = process.argv.slice(2).map(Number);
if (!targetPort || !(delayMs >= 0)) {
  console.error("usage: latency-proxy.mjs TARGET_PORT DELAY_MS");
  process.exit(2);
}

const relay = (from, to) => {
  from.on("data", (chunk) => setTimeout(() => to.write(chunk), delayMs));
  from.on("end", () => setTimeout(() => to.end(), delayMs));
  from.on("error", () => to.destroy());
};

const server = net.createServer((client) => {
  client.setNoDelay(true);
  const upstream = net.connect({ host: "127.0.0.1", port: targetPort });
  upstream.setNoDelay(true);
  relay(client, upstream);
  relay(upstream, client);
});
server.listen({ host: "127.0.0.1", port: 0 }, () => console.log(server.address().port));
