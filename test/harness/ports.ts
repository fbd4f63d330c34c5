// Free loopback ports. Ports are picked at random below the kernel's ephemeral range, so outgoing client
// connections (which take ephemeral ports) cannot grab a port between our probe and the server's bind, and
// are remembered in this process until released so two servers of one test file never collide. Two test
// processes can still pick the same port; the server then fails to bind and startServer retries.
import { readFileSync } from "node:fs";
import net from "node:net";

const reserved = new Set<number>();

function candidateRange(): [number, number] | undefined {
  let low = 32768;
  let high = 60999;
  try {
    const [a, b] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    if (a !== undefined && b !== undefined && Number.isInteger(a) && Number.isInteger(b)) {
      [low, high] = [a, b];
    }
  } catch {
    // not Linux: assume the IANA default range
    [low, high] = [49152, 65535];
  }
  if (low - 10000 >= 2000) return [10000, low];
  if (65535 - high >= 2000) return [high + 1, 65536];
  return undefined;
}

function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(undefined));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

async function onePort(): Promise<number> {
  const range = candidateRange();
  for (let attempt = 0; attempt < 100; attempt++) {
    const wanted = range ? range[0] + Math.floor(Math.random() * (range[1] - range[0])) : 0;
    if (reserved.has(wanted)) continue;
    const port = await probe(wanted);
    if (port !== undefined && !reserved.has(port)) {
      reserved.add(port);
      return port;
    }
  }
  throw new Error("test harness: no free loopback port found");
}

/** Reserves `count` distinct free loopback ports. */
export async function allocatePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await onePort());
  return ports;
}

export function releasePorts(ports: Iterable<number | undefined>): void {
  for (const port of ports) if (port !== undefined) reserved.delete(port);
}
