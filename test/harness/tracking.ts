// Client connections opened by the harness for a server or cluster, closed when it stops: a connection to a
// stopped server would keep reconnecting and keep the test process alive.
import { setTimeout as delay } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";

const connections = new WeakMap<object, Set<NatsConnection>>();

export function trackConnection(owner: object, nc: NatsConnection): void {
  let set = connections.get(owner);
  if (!set) {
    set = new Set();
    connections.set(owner, set);
  }
  const tracked = set;
  tracked.add(nc);
  void nc.closed().then(() => tracked.delete(nc));
}

/** Closes a connection without waiting more than `ms` (a paused server never answers). */
export async function closeQuietly(nc: NatsConnection, ms = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    nc.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

export async function closeTrackedConnections(owner: object): Promise<void> {
  const set = connections.get(owner);
  if (!set) return;
  await Promise.all([...set].map((nc) => closeQuietly(nc)));
  set.clear();
}

/** The harness connections of `owner` that are still open. */
export function trackedConnections(owner: object): NatsConnection[] {
  return [...(connections.get(owner) ?? [])].filter((nc) => !nc.isClosed());
}

/**
 * Resolves once `nc` is connected and the server answers a PING. Needed after a restart because nats.js
 * discards what is published while it is disconnected: a request made before the reconnect just times out.
 */
export async function waitConnected(nc: NatsConnection, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (nc.isClosed()) throw new Error("waitConnected: the connection is closed");
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        nc.flush(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("no PONG")), Math.max(100, deadline - Date.now()));
        }),
      ]);
      return;
    } catch (e) {
      if (Date.now() >= deadline) {
        throw new Error(
          `connection not re-established after ${timeoutMs} ms: ${e instanceof Error ? e.message : e}`,
        );
      }
      await delay(50);
    } finally {
      clearTimeout(timer);
    }
  }
}
