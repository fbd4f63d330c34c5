// Keeping server logs of failed tests in test-logs/<test name>/, and test wrappers that do it for you.
import { existsSync } from "node:fs";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { it, type TestContext } from "node:test";
import { type NatsCluster, type StartClusterOptions, startCluster } from "./cluster.js";
import { testLogsDir } from "./paths.js";
import { type NatsServer, ServerStartError, type StartServerOptions, startServer } from "./server.js";

/** What the helpers need of a node:test TestContext (which satisfies it). */
export interface TestLike {
  readonly name: string;
  /** Node >= 20.16: the names of the test and its ancestors, separated by " > ". */
  readonly fullName?: string;
  diagnostic?(message: string): void;
}

export type LogSource = NatsServer | NatsCluster;

export function sanitizeTestName(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, "_")
      .replace(/^[_.]+|_+$/g, "")
      .slice(0, 120) || "test"
  );
}

function testName(t: TestLike | string): string {
  return typeof t === "string" ? t : (t.fullName ?? t.name);
}

function report(t: TestLike | string, message: string): void {
  if (typeof t !== "string" && t.diagnostic) t.diagnostic(message);
  else console.error(message);
}

function serversOf(sources: LogSource | readonly LogSource[]): NatsServer[] {
  const list = Array.isArray(sources) ? sources : [sources as LogSource];
  return list.flatMap((s) => ("servers" in s ? [...s.servers] : [s]));
}

const prepared = new Set<string>();

/** test-logs/<test>/: emptied of an earlier run's files the first time this process uses it. */
async function logDir(t: TestLike | string): Promise<string> {
  const dir = path.join(testLogsDir(), sanitizeTestName(testName(t)));
  if (!prepared.has(dir)) {
    prepared.add(dir);
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

/** `dir/<base><ext>`, or `dir/<base>-2<ext>`... if taken (one test may start several servers of one name). */
function freePath(dir: string, base: string, ext: string): string {
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${base}${n === 1 ? "" : `-${n}`}${ext}`);
    if (!existsSync(file)) return file;
  }
}

/**
 * Copies the logs (and configs) of `sources` to test-logs/<sanitized test name>/ (replacing what an earlier
 * run left there), reports the folder (t.diagnostic, else stderr) and returns it.
 */
export async function keepLogs(
  t: TestLike | string,
  sources: LogSource | readonly LogSource[],
): Promise<string> {
  const dir = await logDir(t);
  for (const server of serversOf(sources)) {
    const log = freePath(dir, sanitizeTestName(server.name), ".log");
    await copyFile(server.logFile, log).catch(() => undefined);
    await copyFile(server.configFile, log.replace(/\.log$/, ".conf")).catch(() => undefined);
  }
  report(t, `server logs kept in ${path.relative(process.cwd(), dir) || dir}`);
  return dir;
}

async function keepStartFailure(t: TestLike | string, error: ServerStartError): Promise<void> {
  const dir = await logDir(t);
  await writeFile(freePath(dir, "failed-start", ".log"), error.logText);
  report(t, `log of the server that failed to start kept in ${path.relative(process.cwd(), dir) || dir}`);
}

/** Runs `fn`; if it throws, keeps the logs of `sources` before rethrowing. */
export async function keepLogsOnFailure<T>(
  t: TestLike | string,
  sources: LogSource | readonly LogSource[],
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    await keepLogs(t, sources).catch(() => undefined);
    throw e;
  }
}

/** Starts a server, runs `fn`, keeps the logs if it throws, and always stops the server. */
export async function withServer<T>(
  t: TestLike | string,
  opts: StartServerOptions,
  fn: (server: NatsServer) => Promise<T>,
): Promise<T> {
  let server: NatsServer;
  try {
    server = await startServer(opts);
  } catch (e) {
    if (e instanceof ServerStartError) await keepStartFailure(t, e).catch(() => undefined);
    throw e;
  }
  try {
    return await keepLogsOnFailure(t, server, () => fn(server));
  } finally {
    await server.stop();
  }
}

/** Starts a cluster, runs `fn`, keeps the logs if it throws, and always stops the cluster. */
export async function withCluster<T>(
  t: TestLike | string,
  opts: StartClusterOptions,
  fn: (cluster: NatsCluster) => Promise<T>,
): Promise<T> {
  let cluster: NatsCluster;
  try {
    cluster = await startCluster(opts);
  } catch (e) {
    if (e instanceof ServerStartError) await keepStartFailure(t, e).catch(() => undefined);
    throw e;
  }
  try {
    return await keepLogsOnFailure(t, cluster, () => fn(cluster));
  } finally {
    await cluster.stop();
  }
}

/** Options of the node:test test itself. */
export interface TestOptions {
  timeout?: number;
  skip?: boolean | string;
  todo?: boolean | string;
  only?: boolean;
}

/** `it(name, ...)` with a fresh server for the body (see withServer). */
export function serverTest(
  name: string,
  opts: StartServerOptions & TestOptions,
  fn: (t: TestContext, server: NatsServer) => Promise<void>,
): void {
  const { timeout, skip, todo, only, ...serverOpts } = opts;
  it(name, { timeout, skip, todo, only }, (t) => withServer(t, serverOpts, (server) => fn(t, server)));
}

/** `it(name, ...)` with a fresh cluster for the body (see withCluster). */
export function clusterTest(
  name: string,
  opts: StartClusterOptions & TestOptions,
  fn: (t: TestContext, cluster: NatsCluster) => Promise<void>,
): void {
  const { timeout, skip, todo, only, ...clusterOpts } = opts;
  it(name, { timeout, skip, todo, only }, (t) => withCluster(t, clusterOpts, (cluster) => fn(t, cluster)));
}
