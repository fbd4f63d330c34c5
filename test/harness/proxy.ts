// A TCP proxy on loopback between a client and a server, for network faults: cut() drops every connection
// and refuses new ones (each is closed as soon as it is accepted) until restore().
//
//   const proxy = await startProxy(server);          // anything with a `port`
//   run the client against proxy.url ...
//   proxy.cut(); ...; proxy.restore();
//   await proxy.close();
import net from "node:net";

export interface ProxyTarget {
  readonly port: number;
  readonly host?: string;
}

export interface TcpProxy {
  /** `nats://127.0.0.1:<port>` of the proxy's own listening port. */
  readonly url: string;
  readonly port: number;
  /** Connection pairs currently open. */
  readonly openConnections: number;
  /** Client connections accepted so far (including those closed at once while cut). */
  readonly accepted: number;
  /** True between cut() and restore(). */
  readonly isCut: boolean;
  /**
   * Destroys every open connection, both sides, and closes each new one as soon as it is accepted, until
   * restore(). `reset` sends the clients a TCP RST instead of a FIN.
   */
  cut(options?: { reset?: boolean }): void;
  /** Accepts and forwards connections again. */
  restore(): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
}

class LoopbackProxy implements TcpProxy {
  readonly #listener: net.Server;
  readonly #target: ProxyTarget;
  readonly #pairs = new Set<Pair>();
  #cut = false;
  #accepted = 0;
  #port = 0;

  constructor(target: ProxyTarget) {
    this.#target = target;
    this.#listener = net.createServer((client) => this.#accept(client));
    // A proxy a test forgot to close must not keep the test process alive.
    this.#listener.unref();
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#listener.once("error", reject);
      this.#listener.listen({ host: "127.0.0.1", port: 0 }, () => {
        this.#listener.off("error", reject);
        resolve();
      });
    });
    const address = this.#listener.address();
    this.#port = typeof address === "object" && address !== null ? address.port : 0;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.#port}`;
  }
  get port(): number {
    return this.#port;
  }
  get openConnections(): number {
    return this.#pairs.size;
  }
  get accepted(): number {
    return this.#accepted;
  }
  get isCut(): boolean {
    return this.#cut;
  }

  #accept(client: net.Socket): void {
    this.#accepted++;
    client.on("error", () => undefined);
    if (this.#cut) {
      client.destroy();
      return;
    }
    // Nothing is read from the client until the server side is connected.
    client.pause();
    const upstream = net.connect({ host: this.#target.host ?? "127.0.0.1", port: this.#target.port });
    upstream.on("error", () => undefined);
    const pair: Pair = { client, upstream };
    this.#pairs.add(pair);
    // Whatever happens to one side is done to the other: a FIN is passed on as a FIN, an error (a reset, a
    // refused connection) as a reset, so the client sees what it would see without the proxy.
    const mirror = (from: net.Socket, to: net.Socket) => {
      from.on("end", () => to.end());
      from.on("close", (hadError) => {
        this.#pairs.delete(pair);
        if (to.destroyed) return;
        if (hadError) to.resetAndDestroy();
        else to.end();
      });
    };
    mirror(client, upstream);
    mirror(upstream, client);
    upstream.once("connect", () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  cut(options: { reset?: boolean } = {}): void {
    this.#cut = true;
    for (const pair of this.#pairs) {
      if (options.reset) pair.client.resetAndDestroy();
      else pair.client.destroy();
      pair.upstream.destroy();
    }
    this.#pairs.clear();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#listener.close(() => resolve()));
  }
}

/** Starts a proxy on a free loopback port in front of `target` (a NatsServer will do: it has a `port`). */
export async function startProxy(target: ProxyTarget): Promise<TcpProxy> {
  const proxy = new LoopbackProxy(target);
  await proxy.listen();
  return proxy;
}
