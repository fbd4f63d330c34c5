// Client connections to test servers. Every connection made here is closed when its server or cluster
// stops, so a test that forgets close() neither hangs nor reconnects forever.
import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import type { NatsCluster } from "./cluster.js";
import type { NatsServer } from "./server.js";
import { closeQuietly, trackConnection } from "./tracking.js";

export { waitConnected } from "./tracking.js";

/**
 * Quick reconnects for restart tests (nats.js waits 2 s between attempts by default), for up to ~30 s; the
 * connection is closed anyway when its server stops.
 */
const DEFAULTS: Partial<ConnectionOptions> = {
  name: "jsplan-test",
  reconnectTimeWait: 100,
  maxReconnectAttempts: 300,
};

export type ConnectTarget = NatsServer | NatsCluster;

/**
 * Connects to a server (or to the nodes of a cluster) with quick reconnects, the target's connectOptions and
 * then `opts`. The connection is closed when the target stops.
 */
export async function connectTo(
  target: ConnectTarget,
  opts: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  const servers = "urls" in target ? target.urls : [target.url];
  const nc = await connect({ ...DEFAULTS, ...target.connectOptions, servers, ...opts });
  trackConnection(target, nc);
  return nc;
}

/** Runs `fn` with a fresh connection and closes it afterwards, whatever happens. */
export async function withConnection<T>(
  target: ConnectTarget,
  fn: (nc: NatsConnection) => Promise<T>,
  opts: Partial<ConnectionOptions> = {},
): Promise<T> {
  const nc = await connectTo(target, opts);
  try {
    return await fn(nc);
  } finally {
    await closeQuietly(nc);
  }
}
