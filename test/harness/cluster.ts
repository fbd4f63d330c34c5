// A JetStream cluster of nats-server processes (3 by default) on loopback, fully routed.
import { setTimeout as delay } from "node:timers/promises";
import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import type { ServerLine } from "./lines.js";
import { fetchMetaCluster, type MetaClusterInfo } from "./monitor.js";
import { allocatePorts } from "./ports.js";
import {
  defaultStartTimeout,
  type NatsServer,
  reapStaleServersOnce,
  ServerProcess,
  ServerStartError,
} from "./server.js";
import { closeQuietly, closeTrackedConnections } from "./tracking.js";

export interface StartClusterOptions {
  line: ServerLine;
  /** Number of servers, default 3. */
  size?: number;
  /** Cluster name, also the prefix of the server names (`<name>-n1`...). Default `c<n>`. */
  name?: string;
  /** nats-server configuration appended to every node's config. */
  config?: string;
  /** Lines added inside every node's `jetstream { }` block. */
  jetstreamConfig?: string;
  connectOptions?: Partial<ConnectionOptions>;
  /** Bound on the wait for the cluster to be ready, in ms. Default 30000, or env JSPLAN_TEST_START_TIMEOUT_MS. */
  startTimeoutMs?: number;
}

export interface NatsCluster {
  readonly name: string;
  readonly line: ServerLine;
  readonly servers: readonly NatsServer[];
  /** Client URLs of every node. */
  readonly urls: string[];
  readonly connectOptions: Partial<ConnectionOptions>;
  /**
   * Waits until the running nodes agree on a JetStream meta leader that sees every other running node (current,
   * or heard from within 3 s), e.g. after killing or restarting nodes.
   */
  waitReady(timeoutMs?: number): Promise<void>;
  /** The node currently leading the JetStream meta group, as the running nodes report it (if they agree). */
  metaLeader(): Promise<NatsServer | undefined>;
  /** Stops every node (in parallel) and closes the harness's connections. */
  stop(): Promise<void>;
}

let clusterCount = 0;

/** A meta follower heard from within this long (ns, as /jsz reports it) counts as present. */
const RECENTLY_ACTIVE_NS = 3e9;
/** How long a meta group smaller than the cluster is given to grow before the cluster is started again. */
const UNDERSIZED_GRACE_MS = 1500;

class MetaGroupNotReady extends Error {
  constructor(
    message: string,
    /** The meta group has fewer peers than the cluster has nodes. */
    readonly undersized = false,
  ) {
    super(message);
  }
}

function metaCluster(node: ServerProcess): Promise<MetaClusterInfo> {
  return fetchMetaCluster(node.monitorUrl!);
}

/** Throws unless the running nodes agree on a meta leader whose group has every node and sees the running ones. */
async function checkMetaGroup(nodes: readonly ServerProcess[]): Promise<void> {
  const running = nodes.filter((n) => n.running);
  const views = await Promise.all(running.map(async (node) => ({ node, meta: await metaCluster(node) })));
  const leaders = new Set(views.map((v) => v.meta.leader ?? ""));
  const leader = views[0]?.meta.leader;
  if (leaders.size !== 1 || !leader) {
    const seen = views.map((v) => `${v.node.name}: ${v.meta.leader || "none"}`);
    throw new MetaGroupNotReady(`no agreed meta leader (${seen.join(", ")})`);
  }
  const leaderView = views.find((v) => v.node.name === leader);
  if (!leaderView) throw new MetaGroupNotReady(`meta leader ${leader} is not a running node`);
  const replicas = leaderView.meta.replicas ?? [];
  // 2.10 sometimes bootstraps the meta group before all routes are up and fixes its size at the peers it knew
  // (cluster_size 2 of 3); the missing node never joins and R3 placement fails ("no suitable peers").
  const size = leaderView.meta.cluster_size;
  if (size !== undefined && size < nodes.length) {
    throw new MetaGroupNotReady(
      `meta group of ${leader} has ${size} of ${nodes.length} peers (replicas: ${JSON.stringify(replicas)})`,
      true,
    );
  }
  // "current" alone is not enough: on an idle meta group a follower can stay "not current" for as long as
  // nothing is written, although it answers heartbeats.
  const seen = new Set(
    replicas
      .filter((r) => !r.offline && (r.current || (r.active !== undefined && r.active < RECENTLY_ACTIVE_NS)))
      .map((r) => r.name),
  );
  const missing = running.filter((n) => n.name !== leader && !seen.has(n.name)).map((n) => n.name);
  if (missing.length > 0) {
    throw new MetaGroupNotReady(
      `meta leader ${leader} does not see ${missing.join(", ")} yet (replicas: ${JSON.stringify(replicas)})`,
    );
  }
}

/** A JetStream API request; returns the error (empty if none). */
async function jsApi(
  nc: NatsConnection,
  subject: string,
  body?: unknown,
): Promise<{ err_code?: number; description?: string }> {
  const msg = await nc.request(subject, body === undefined ? undefined : JSON.stringify(body), {
    timeout: 2000,
  });
  return msg.json<{ error?: { err_code?: number; description?: string } }>().error ?? {};
}

class Cluster implements NatsCluster {
  constructor(
    readonly name: string,
    readonly line: ServerLine,
    readonly servers: readonly ServerProcess[],
    readonly connectOptions: Partial<ConnectionOptions>,
    readonly startTimeoutMs: number,
  ) {}

  get urls(): string[] {
    return this.servers.map((s) => s.url);
  }

  async waitReady(timeoutMs = this.startTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let undersizedSince: number | undefined;
    for (;;) {
      let problem: unknown;
      try {
        await checkMetaGroup(this.servers);
        return;
      } catch (e) {
        problem = e;
      }
      const undersized = problem instanceof MetaGroupNotReady && problem.undersized;
      undersizedSince = undersized ? (undersizedSince ?? Date.now()) : undefined;
      const stuck = undersizedSince !== undefined && Date.now() - undersizedSince >= UNDERSIZED_GRACE_MS;
      if (stuck || Date.now() >= deadline) {
        throw this.#failure(
          stuck ? "has a broken meta group" : `not ready after ${timeoutMs} ms`,
          problem,
          stuck,
        );
      }
      await delay(100);
    }
  }

  /**
   * Creates and deletes an R<size> memory stream until that works. A complete meta group is not enough for
   * placement: right after startup the leader may not yet have a peer's JetStream statistics and then rejects
   * replicated streams with "no suitable peers for placement, peer offline" (seen on 2.10 under load).
   */
  async probePlacement(deadline: number): Promise<void> {
    const id = `${process.pid}_${Date.now()}`;
    const stream = `JSPLAN_HARNESS_PROBE_${id}`;
    const config = {
      name: stream,
      subjects: [`jsplan.harness.probe.${id}`],
      storage: "memory",
      num_replicas: this.servers.length,
      max_msgs: 1,
    };
    let problem: unknown;
    const nc = await connect({
      ...this.connectOptions,
      servers: this.urls,
      name: "jsplan-test-harness-probe",
    });
    try {
      for (;;) {
        try {
          const created = await jsApi(nc, `$JS.API.STREAM.CREATE.${stream}`, config);
          if (created.err_code === 10039) return; // the probing user's account has no JetStream: nothing to probe
          if (!created.err_code) {
            const deleted = await jsApi(nc, `$JS.API.STREAM.DELETE.${stream}`);
            if (deleted.err_code) throw new Error(`deleting the probe stream: ${deleted.description}`);
            return;
          }
          problem = new Error(`creating an R${config.num_replicas} probe stream: ${created.description}`);
        } catch (e) {
          problem = e;
        }
        if (Date.now() >= deadline) throw this.#failure("cannot place replicated streams", problem, false);
        await delay(100);
      }
    } finally {
      await closeQuietly(nc);
    }
  }

  /**
   * Waits until every node tells its clients (INFO connect_urls) of every node. Routes carry those URLs after
   * they connect, and under load that can come after the meta group and placement work (seen on 2.15 in CI):
   * a client connecting then hears of fewer servers than the cluster has, and jsplan's replica check uses it.
   */
  async waitClientUrls(deadline: number): Promise<void> {
    const want = this.servers.length;
    for (const node of this.servers) {
      const nc = await connect({
        ...this.connectOptions,
        servers: node.url,
        name: "jsplan-test-harness-urls",
        maxReconnectAttempts: 0,
      });
      try {
        const heard = () => (nc.info?.connect_urls ?? []).length;
        while (heard() < want) {
          if (Date.now() >= deadline) {
            throw this.#failure(
              `does not tell clients of every node`,
              new Error(`${node.name} lists ${JSON.stringify(nc.info?.connect_urls ?? [])}`),
              true,
            );
          }
          await delay(50);
        }
      } finally {
        await closeQuietly(nc);
      }
    }
  }

  #failure(what: string, problem: unknown, retryable: boolean): ServerStartError {
    const logs = this.servers.map((s) => `--- last lines of ${s.logFile} (${s.name}) ---\n${s.logTail(15)}`);
    return new ServerStartError(
      `nats-server ${this.line} cluster "${this.name}" ${what}: ` +
        `${problem instanceof Error ? problem.message : String(problem)}\n${logs.join("\n")}`,
      {
        logFile: this.servers[0]?.logFile ?? "",
        logText: this.servers.map((s) => s.logTail(1000)).join("\n"),
        retryable,
      },
    );
  }

  async metaLeader(): Promise<NatsServer | undefined> {
    const running = this.servers.filter((s) => s.running);
    const leaders = new Set(await Promise.all(running.map(async (s) => (await metaCluster(s)).leader ?? "")));
    const [leader] = leaders;
    return leaders.size === 1 ? this.servers.find((s) => s.name === leader) : undefined;
  }

  async stop(): Promise<void> {
    await closeTrackedConnections(this);
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}

/** Starts a JetStream cluster (3 nodes by default) and waits until its meta group is complete and places R<size> streams. */
export async function startCluster(opts: StartClusterOptions): Promise<NatsCluster> {
  reapStaleServersOnce();
  const size = opts.size ?? 3;
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`startCluster: size must be a positive integer, not ${size}`);
  }
  clusterCount += 1;
  const name = opts.name ?? `c${clusterCount}`;
  const startTimeoutMs = opts.startTimeoutMs ?? defaultStartTimeout(30_000);
  for (let attempt = 1; ; attempt++) {
    const ports = await allocatePorts(size * 3);
    const clusterPorts = ports.slice(size, 2 * size);
    const servers: ServerProcess[] = [];
    const cluster = new Cluster(name, opts.line, servers, opts.connectOptions ?? {}, startTimeoutMs);
    try {
      for (let i = 0; i < size; i++) {
        servers.push(
          await ServerProcess.create({
            line: opts.line,
            name: `${name}-n${i + 1}`,
            jetstream: true,
            config: opts.config ?? "",
            jetstreamConfig: opts.jetstreamConfig ?? "",
            connectOptions: opts.connectOptions ?? {},
            startTimeoutMs,
            port: ports[i]!,
            monitorPort: ports[2 * size + i]!,
            cluster: { name, port: clusterPorts[i]!, routes: clusterPorts },
          }),
        );
      }
      // All at once: the meta group needs a quorum before any node's JetStream answers.
      for (const s of servers) s.launch();
      await Promise.all(servers.map((s) => s.waitReady()));
      await cluster.waitReady();
      await cluster.probePlacement(Date.now() + startTimeoutMs);
      await cluster.waitClientUrls(Date.now() + startTimeoutMs);
      // From now on a restarted node is ready only once the meta group sees it again.
      for (const s of servers) s.clusterCheck = () => checkMetaGroup(servers);
      return cluster;
    } catch (e) {
      await cluster.stop();
      if (e instanceof ServerStartError && e.retryable && attempt < 3) {
        console.error(`test harness: starting cluster ${name} again: ${e.message.split("\n")[0]}`);
        continue;
      }
      throw e;
    }
  }
}
