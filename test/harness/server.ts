// One real nats-server process on loopback ports, with its own temporary folder (config, store, log).
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import { type ServerLine, serverBinary } from "./lines.js";
import { fetchMetaCluster } from "./monitor.js";
import { allocatePorts, releasePorts } from "./ports.js";
import {
  type Reapable,
  reapStaleServers,
  registerForCleanup,
  removeDirSync,
  removePidFile,
  TEMP_PREFIX,
  unregisterForCleanup,
  writePidFile,
} from "./reaper.js";
import { closeQuietly, closeTrackedConnections, trackedConnections, waitConnected } from "./tracking.js";

export interface StartServerOptions {
  line: ServerLine;
  /** Enables JetStream (default true). */
  jetstream?: boolean;
  /** nats-server configuration appended to the generated file: accounts, authorization, tls, limits... */
  config?: string;
  /** Lines added inside the generated `jetstream { }` block, e.g. `max_memory_store: 256MB` or `domain: hub`. */
  jetstreamConfig?: string;
  /** `server_name`, also the name of the kept log file. Default `s<n>`. */
  name?: string;
  /** Also opens the HTTP monitoring port (`monitorUrl`). Always on for cluster nodes. */
  monitor?: boolean;
  /**
   * Options of the harness's own connections (the readiness probe and connectTo's defaults), e.g. `user` and
   * `pass` when `config` sets up authorization.
   */
  connectOptions?: Partial<ConnectionOptions>;
  /** Bound on the wait for readiness, in ms. Default 20000, or env JSPLAN_TEST_START_TIMEOUT_MS. */
  startTimeoutMs?: number;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface NatsServer {
  readonly name: string;
  readonly line: ServerLine;
  /** Exact version from the server's INFO, e.g. "2.15.1". */
  readonly version: string;
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Route port, for cluster nodes. */
  readonly clusterPort: number | undefined;
  /** `http://127.0.0.1:<port>` when the monitoring port is open. */
  readonly monitorUrl: string | undefined;
  /** The temporary folder holding the config, the store and the log; removed by stop(). */
  readonly dir: string;
  readonly storeDir: string;
  readonly configFile: string;
  readonly logFile: string;
  /** Pid of the current (or last) process. */
  readonly pid: number;
  readonly running: boolean;
  /** How the last process ended, if it did. */
  readonly lastExit: ExitStatus | undefined;
  readonly connectOptions: Partial<ConnectionOptions>;
  /** SIGTERM, SIGKILL if it does not exit within 10 s, close the harness's connections, remove the folder. */
  stop(): Promise<void>;
  /**
   * Sends a signal (default SIGKILL). For SIGKILL, SIGTERM, SIGINT and SIGQUIT waits for the exit; the folder
   * stays, so restart() can bring the server back with its data.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /**
   * SIGSTOP, resolved once every thread of the server is stopped: it stops answering but keeps its
   * connections (clients time out; they do not see a disconnect).
   */
  pause(): Promise<void>;
  /** SIGCONT, resolved once the server runs again. */
  resume(): Promise<void>;
  /**
   * Stops the server if it runs (gracefully), starts it on the same ports and store, waits until ready and
   * until the connections made with connectTo(server) are re-established.
   */
  restart(): Promise<void>;
  /** The last lines of the log. */
  logTail(lines?: number): string;
}

/** Thrown when a server or cluster does not become ready; the message ends with the tail of its log(s). */
export class ServerStartError extends Error {
  override readonly name = "ServerStartError";
  readonly logFile: string;
  /** The whole log (or, for a cluster, the logs) at the time of failure. */
  readonly logText: string;
  /** A fresh attempt on other ports may succeed (a port was taken meanwhile, a cluster formed badly). */
  readonly retryable: boolean;
  constructor(message: string, details: { logFile: string; logText: string; retryable?: boolean }) {
    super(message);
    this.logFile = details.logFile;
    this.logText = details.logText;
    this.retryable = details.retryable ?? /address already in use/i.test(details.logText);
  }
}

/** @internal: what startServer and startCluster decide for one node. */
export interface NodeSpec {
  line: ServerLine;
  name: string;
  jetstream: boolean;
  config: string;
  jetstreamConfig: string;
  connectOptions: Partial<ConnectionOptions>;
  startTimeoutMs: number;
  port: number;
  monitorPort: number | undefined;
  cluster: { name: string; port: number; routes: number[] } | undefined;
}

const TERMINATING = new Set<NodeJS.Signals>(["SIGKILL", "SIGTERM", "SIGINT", "SIGQUIT"]);
const STOP_GRACE_MS = 10_000;
const POLL_MS = 50;

let serverCount = 0;
let reaped = false;

export function defaultStartTimeout(fallback: number): number {
  const env = Number(process.env.JSPLAN_TEST_START_TIMEOUT_MS);
  return Number.isFinite(env) && env > 0 ? env : fallback;
}

export function nextServerName(): string {
  serverCount += 1;
  return `s${serverCount}`;
}

/** Once per process: kill servers left behind by test processes that were SIGKILLed. */
export function reapStaleServersOnce(): void {
  if (reaped) return;
  reaped = true;
  reapStaleServers();
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function describeExit(status: ExitStatus | undefined): string {
  if (!status) return "still running";
  return status.signal ? `killed by ${status.signal}` : `exit code ${status.code}`;
}

/** Asks $JS.API.INFO; throws unless JetStream answers for the account. */
async function jetStreamInfo(nc: NatsConnection): Promise<void> {
  const msg = await nc.request("$JS.API.INFO", undefined, { timeout: 1000 });
  const reply = msg.json<{ error?: { code?: number; err_code?: number; description?: string } }>();
  // 10039 "jetstream not enabled for account" is JetStream's definitive answer about an account without it
  // (a config with accounts, where the probing user's account has none): the server itself is ready.
  if (reply.error && reply.error.err_code !== 10039) {
    throw new Error(
      `$JS.API.INFO: ${reply.error.description ?? "error"} (${reply.error.err_code ?? reply.error.code})`,
    );
  }
}

function renderConfig(spec: NodeSpec, storeDir: string): string {
  const q = (s: string) => JSON.stringify(s);
  const indent = (text: string) =>
    text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => `  ${l}`);
  const lines = [
    "# generated by test/harness",
    `server_name: ${q(spec.name)}`,
    `listen: ${q(`127.0.0.1:${spec.port}`)}`,
  ];
  if (spec.monitorPort !== undefined) lines.push(`http: ${q(`127.0.0.1:${spec.monitorPort}`)}`);
  if (spec.jetstream) {
    lines.push("jetstream {", `  store_dir: ${q(storeDir)}`, ...indent(spec.jetstreamConfig), "}");
  }
  if (spec.cluster) {
    const routes = spec.cluster.routes.map((p) => q(`nats-route://127.0.0.1:${p}`));
    lines.push(
      "cluster {",
      `  name: ${q(spec.cluster.name)}`,
      `  listen: ${q(`127.0.0.1:${spec.cluster.port}`)}`,
      `  routes: [${routes.join(", ")}]`,
      "}",
    );
  }
  if (spec.config.trim() !== "") lines.push("", spec.config);
  return `${lines.join("\n")}\n`;
}

/** @internal: use startServer or startCluster. */
export class ServerProcess implements NatsServer, Reapable {
  readonly line: ServerLine;
  readonly name: string;
  readonly dir: string;
  readonly storeDir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly connectOptions: Partial<ConnectionOptions>;
  /** Extra readiness condition, set by startCluster: the meta group agrees and sees this node. */
  clusterCheck: (() => Promise<void>) | undefined;

  readonly #spec: NodeSpec;
  readonly #binary: string;
  #child: ChildProcess | undefined;
  #exited: Promise<ExitStatus> = Promise.resolve({ code: null, signal: null });
  #lastExit: ExitStatus | undefined;
  #pid = 0;
  #spawnError: Error | undefined;
  #paused = false;
  #version = "";
  #stopping: Promise<void> | undefined;

  private constructor(spec: NodeSpec, binary: string, dir: string) {
    this.#spec = spec;
    this.#binary = binary;
    this.line = spec.line;
    this.name = spec.name;
    this.dir = dir;
    this.storeDir = path.join(dir, "store");
    this.configFile = path.join(dir, "server.conf");
    this.logFile = path.join(dir, "server.log");
    this.connectOptions = spec.connectOptions;
  }

  /** Creates the folder and config; nothing runs yet. */
  static async create(spec: NodeSpec): Promise<ServerProcess> {
    const binary = serverBinary(spec.line); // throws with the install hint before anything is created
    const dir = await mkdtemp(path.join(os.tmpdir(), TEMP_PREFIX));
    const server = new ServerProcess(spec, binary, dir);
    registerForCleanup(server);
    await mkdir(server.storeDir);
    await writeFile(server.configFile, renderConfig(spec, server.storeDir));
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.#spec.port}`;
  }
  get port(): number {
    return this.#spec.port;
  }
  get clusterPort(): number | undefined {
    return this.#spec.cluster?.port;
  }
  get monitorUrl(): string | undefined {
    return this.#spec.monitorPort === undefined ? undefined : `http://127.0.0.1:${this.#spec.monitorPort}`;
  }
  get version(): string {
    return this.#version;
  }
  get pid(): number {
    return this.#pid;
  }
  get running(): boolean {
    return this.#child !== undefined;
  }
  get lastExit(): ExitStatus | undefined {
    return this.#lastExit;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** Starts the process; does not wait. */
  launch(): void {
    if (this.#stopping) throw new Error(`nats-server ${this.name} was stopped`);
    if (this.#child) throw new Error(`nats-server ${this.name} is already running`);
    // The log is a file, not a pipe: it also catches Go panics, and the server never blocks on us.
    const fd = openSync(this.logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(this.#binary, ["-c", this.configFile], { stdio: ["ignore", fd, fd] });
    } finally {
      closeSync(fd);
    }
    // A server a test forgot to stop must not keep the test process alive; the exit handler kills it.
    child.unref();
    this.#child = child;
    this.#paused = false;
    this.#lastExit = undefined;
    const pid = child.pid;
    if (pid !== undefined) {
      this.#pid = pid;
      writePidFile(pid, this.dir, this.configFile);
    }
    this.#exited = new Promise((resolve) => {
      const done = (status: ExitStatus) => {
        if (pid !== undefined) removePidFile(pid);
        if (this.#child === child) this.#child = undefined;
        this.#lastExit = status;
        resolve(status);
      };
      child.once("exit", (code, signal) => done({ code, signal }));
      // Without a pid the spawn itself failed and no "exit" follows.
      child.once("error", (err) => {
        if (pid === undefined) {
          this.#spawnError = err;
          done({ code: null, signal: null });
        }
      });
    });
  }

  /** Waits until the server (and JetStream, and the cluster) answers; throws ServerStartError otherwise. */
  async waitReady(): Promise<void> {
    const timeout = this.#spec.startTimeoutMs;
    const deadline = Date.now() + timeout;
    let nc: NatsConnection | undefined;
    let last: unknown = "no answer yet";
    try {
      for (;;) {
        if (!this.running) {
          const why = this.#spawnError
            ? `could not be spawned: ${this.#spawnError.message}`
            : describeExit(this.#lastExit);
          throw this.#startError(`exited during startup (${why})`);
        }
        try {
          if (!nc || nc.isClosed()) {
            nc = await connect({
              ...this.connectOptions,
              servers: this.url,
              reconnect: false,
              timeout: 1000,
              name: "jsplan-test-harness-probe",
            });
          }
          if (nc.info?.version) this.#version = nc.info.version;
          // A clustered JetStream drops API requests until it has a meta leader, so asking earlier would
          // only wait out the request timeout.
          const monitorUrl = this.monitorUrl;
          if (this.#spec.cluster && monitorUrl && !(await fetchMetaCluster(monitorUrl)).leader) {
            throw new Error("no JetStream meta leader yet");
          }
          if (this.#spec.jetstream) await jetStreamInfo(nc);
          if (this.clusterCheck) await this.clusterCheck();
          return;
        } catch (e) {
          last = e;
        }
        if (Date.now() >= deadline) {
          throw this.#startError(`not ready after ${timeout} ms (last: ${errorMessage(last)})`);
        }
        await delay(POLL_MS);
      }
    } finally {
      if (nc) await closeQuietly(nc);
    }
  }

  #startError(what: string): ServerStartError {
    let text = "";
    try {
      text = readFileSync(this.logFile, "utf8");
    } catch {
      // no log yet
    }
    const message =
      `nats-server ${this.line} "${this.name}" on ${this.url} ${what}\n` +
      `--- last lines of ${this.logFile} ---\n${this.logTail(30)}`;
    return new ServerStartError(message, { logFile: this.logFile, logText: text });
  }

  #signal(signal: NodeJS.Signals): void {
    if (!this.#child) return;
    try {
      process.kill(this.#pid, signal);
    } catch {
      // already gone
    }
  }

  async #waitExit(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const exited = await Promise.race([this.#exited.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return exited;
  }

  /** Graceful: SIGTERM, SIGKILL after STOP_GRACE_MS. */
  async #terminate(): Promise<void> {
    if (!this.#child) return;
    this.#signal("SIGTERM");
    if (this.#paused) this.#signal("SIGCONT");
    if (await this.#waitExit(STOP_GRACE_MS)) return;
    this.#signal("SIGKILL");
    if (!(await this.#waitExit(5000))) {
      throw new Error(`nats-server ${this.name} (pid ${this.#pid}) does not exit`);
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await closeTrackedConnections(this);
      try {
        await this.#terminate();
      } finally {
        removeDirSync(this.dir);
        unregisterForCleanup(this);
        releasePorts([this.#spec.port, this.#spec.cluster?.port, this.#spec.monitorPort]);
      }
    })();
    return this.#stopping;
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (!this.#child) return;
    this.#signal(signal);
    if (!TERMINATING.has(signal)) return;
    if (this.#paused && signal !== "SIGKILL") this.#signal("SIGCONT");
    if (!(await this.#waitExit(STOP_GRACE_MS))) {
      throw new Error(`nats-server ${this.name} (pid ${this.#pid}) did not exit after ${signal}`);
    }
  }

  async pause(): Promise<void> {
    if (!this.#child) throw new Error(`nats-server ${this.name} is not running`);
    this.#signal("SIGSTOP");
    this.#paused = true;
    // The signal is asynchronous and a Go server has many threads: wait until all of them are stopped, or a
    // request sent right after pause() may still be answered.
    await this.#waitThreads((states) => states.every((st) => st === "T" || st === "t"), "stop");
  }

  async resume(): Promise<void> {
    if (!this.#child) return;
    this.#signal("SIGCONT");
    this.#paused = false;
    await this.#waitThreads((states) => states.every((st) => st !== "T" && st !== "t"), "continue");
  }

  /** Polls the states of the server's threads (Linux /proc; elsewhere returns at once). */
  async #waitThreads(done: (states: string[]) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 2000;
    for (;;) {
      let tasks: string[];
      try {
        tasks = readdirSync(`/proc/${this.#pid}/task`);
      } catch {
        return; // no /proc, or the process is gone
      }
      const states = tasks.flatMap((t) => {
        try {
          const stat = readFileSync(`/proc/${this.#pid}/task/${t}/stat`, "utf8");
          return [stat.slice(stat.lastIndexOf(")") + 2).charAt(0)];
        } catch {
          return []; // that thread just ended
        }
      });
      if (done(states)) return;
      if (Date.now() > deadline)
        throw new Error(`nats-server ${this.name} did not ${what} (threads: ${states.join("")})`);
      await delay(5);
    }
  }

  async restart(): Promise<void> {
    if (this.#stopping) {
      throw new Error(`nats-server ${this.name} was stopped; restart() needs a running or killed server`);
    }
    await this.#terminate();
    this.launch();
    await this.waitReady();
    // Let the harness's connections get back before the test talks through them (see waitConnected).
    await Promise.all(trackedConnections(this).map((nc) => waitConnected(nc)));
  }

  emergencyStop(): void {
    if (this.#child) {
      try {
        process.kill(this.#pid, "SIGKILL");
      } catch {
        // already gone
      }
      removePidFile(this.#pid);
    }
    removeDirSync(this.dir);
  }
}

/** Starts a single nats-server (JetStream on by default) and waits until JetStream answers. */
export async function startServer(opts: StartServerOptions): Promise<NatsServer> {
  reapStaleServersOnce();
  const name = opts.name ?? nextServerName();
  for (let attempt = 1; ; attempt++) {
    const [port, monitorPort] = await allocatePorts(opts.monitor ? 2 : 1);
    const server = await ServerProcess.create({
      line: opts.line,
      name,
      jetstream: opts.jetstream ?? true,
      config: opts.config ?? "",
      jetstreamConfig: opts.jetstreamConfig ?? "",
      connectOptions: opts.connectOptions ?? {},
      startTimeoutMs: opts.startTimeoutMs ?? defaultStartTimeout(20_000),
      port: port!,
      monitorPort,
      cluster: undefined,
    });
    try {
      server.launch();
      await server.waitReady();
      return server;
    } catch (e) {
      await server.stop();
      // Another test process took the port between our probe and the server's bind: try other ports.
      if (e instanceof ServerStartError && e.retryable && attempt < 3) continue;
      throw e;
    }
  }
}
