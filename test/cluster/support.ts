// Helpers of the cluster tests: jsplan through its CLI (in-process, with a hook on its output so that a test
// can act while an apply runs), raw JetStream requests that decide what the server really holds, and
// waits for a stream to be served again after a scale, a move or a restart.

import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import type { CliIO } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";
import type { Plan } from "../../src/model/plan.js";
import { jsApi, type Obj } from "../fidelity/support.js";
import type { CliResult } from "../support/cli.js";

export { changeOf, jsApi, jsApiOk, type Obj, yaml } from "../fidelity/support.js";

/** Every node carries two tags: `az:any` (all nodes) and its own server name (`<cluster>-n<i>`). */
export const NODE_TAGS_CONFIG = 'server_tags: ["az:any", $server_name]';

/** runCli with a callback on every piece of output, so that a test can act while jsplan runs. */
export async function runCliWatching(
  args: readonly string[],
  stdin: string,
  onOutput?: (all: string) => void,
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: {
      write: (t) => {
        stdout += t;
        onOutput?.(stdout + stderr);
      },
      isTTY: false,
      columns: 100,
    },
    stderr: {
      write: (t) => {
        stderr += t;
        onOutput?.(stdout + stderr);
      },
      isTTY: false,
      columns: 100,
    },
    env: {},
    cwd: process.cwd(),
    stdinIsTTY: false,
    readStdin: async () => Buffer.from(stdin),
    prompt: async () => "",
    onInterrupt: () => () => {},
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

export interface ApplyJson {
  results: Array<{
    address: string;
    action: string;
    status: string;
    duration_ms: number;
    error?: { code: number | null; description: string; hint?: string };
    reason?: string;
  }>;
  summary: Record<string, number>;
}

/** `jsplan plan` as JSON; exit code and output whatever happened. */
export async function planRaw(
  url: string,
  manifest: string,
  args: readonly string[] = [],
): Promise<{ code: number; stdout: string; stderr: string; plan?: Plan }> {
  const r = await runCliWatching(["plan", "-", "-s", url, "--format", "json", ...args], manifest);
  let plan: Plan | undefined;
  try {
    plan = r.code === 1 ? undefined : (JSON.parse(r.stdout) as Plan);
  } catch {
    plan = undefined;
  }
  return { ...r, ...(plan ? { plan } : {}) };
}

/** The acting changes of a plan, compactly, for assertion messages. */
export function acting(plan: Plan): Array<{ address: string; action: string; paths: string[] }> {
  return plan.changes
    .filter((c) => c.action !== "no-op")
    .map((c) => ({ address: c.address, action: c.action, paths: c.diff.map((d) => d.path) }));
}

export interface ClusterView {
  readonly leader: string | undefined;
  /** Leader first, then the other peers. */
  readonly peers: string[];
  readonly current: boolean;
  /** 2.15 (at least) reports a scale or a move still in progress as `cluster.desired`. */
  readonly reconfiguring: boolean;
  readonly messages: number;
  readonly config: Obj;
}

/** STREAM.INFO of a stream: who serves it and what it holds. Throws if it does not answer. */
export async function clusterView(nc: NatsConnection, stream: string): Promise<ClusterView> {
  const r = await jsApi(nc, `STREAM.INFO.${stream}`);
  assert.ok(r.ok, `STREAM.INFO.${stream}: ${JSON.stringify(r.error)}`);
  const cluster = (r.body.cluster ?? {}) as {
    leader?: string;
    replicas?: Array<{ name: string; current: boolean }>;
    desired?: unknown;
  };
  const replicas = cluster.replicas ?? [];
  return {
    leader: cluster.leader,
    peers: [...(cluster.leader ? [cluster.leader] : []), ...replicas.map((p) => p.name)],
    current: replicas.every((p) => p.current),
    reconfiguring: cluster.desired !== undefined,
    messages: ((r.body.state as Obj | undefined)?.messages as number | undefined) ?? 0,
    config: r.body.config as Obj,
  };
}

/**
 * Waits until a stream has a leader and `replicas` current peers, all of them in `on` when given (node
 * names), no reconfiguration in progress, and its consumers have leaders. Returns the view.
 */
export async function servedBy(
  nc: NatsConnection,
  stream: string,
  replicas: number,
  on?: readonly string[],
  timeoutMs = 30_000,
): Promise<ClusterView> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await clusterView(nc, stream);
      last = v;
      const placed = !on || v.peers.every((p) => on.includes(p));
      if (v.leader && v.peers.length === replicas && v.current && !v.reconfiguring && placed) {
        const consumers = await jsApi(nc, `CONSUMER.LIST.${stream}`, { offset: 0 });
        const list = (consumers.body.consumers ?? []) as Array<{
          name?: string;
          cluster?: { leader?: string };
        }>;
        const missing = (consumers.body.missing as string[] | undefined) ?? [];
        if (consumers.ok && missing.length === 0 && list.every((c) => !c.cluster || c.cluster.leader))
          return v;
        // Say which consumers keep the stream from counting as served, should the wait time out.
        last = {
          ...v,
          consumers: consumers.ok
            ? { missing, leaders: Object.fromEntries(list.map((c) => [c.name, c.cluster?.leader ?? null])) }
            : consumers.error,
        };
      }
    } catch (e) {
      last = (e as Error).message;
    }
    assert.ok(
      Date.now() < deadline,
      `stream ${stream} is not served by ${replicas} current peers${on ? ` on ${on.join(", ")}` : ""}: ${JSON.stringify(last)}`,
    );
    await delay(200);
  }
}

/** Publishes `count` messages through JetStream (each acknowledged by the stream). */
export async function publish(nc: NatsConnection, subject: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const msg = await nc.request(subject, `m${i}`, { timeout: 10_000 });
    const ack = msg.json<{ error?: unknown; seq?: number }>();
    assert.ok(!ack.error && ack.seq, `publish to ${subject}: ${msg.string()}`);
  }
}

/** Deletes streams, ignoring those already gone or not answering. */
export async function deleteStreams(nc: NatsConnection, names: readonly string[]): Promise<void> {
  for (const name of names) await jsApi(nc, `STREAM.DELETE.${name}`).catch(() => undefined);
}
