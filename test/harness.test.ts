// Tests of the test harness itself: real servers start, answer, stop, restart and always go away.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import {
  connectTo,
  keepLogsOnFailure,
  provisionedVersion,
  reapStaleServers,
  ServerStartError,
  sanitizeTestName,
  serverLines,
  serverTest,
  startCluster,
  startServer,
  testLogsDir,
  withConnection,
  withServer,
} from "./harness/index.js";

/** True while `pid` exists and is not a zombie (an orphaned server may wait for a reaper that never comes). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processRuns(pid)) {
    if (Date.now() > deadline) return false;
    await delay(20);
  }
  return true;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host: "127.0.0.1", port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

const lines = serverLines();

describe("serverLines", () => {
  it("honours JSPLAN_TEST_SERVERS and rejects unknown lines", () => {
    const saved = process.env.JSPLAN_TEST_SERVERS;
    try {
      process.env.JSPLAN_TEST_SERVERS = [...lines].reverse().join(",");
      assert.deepEqual(serverLines(), lines, "oldest first, whatever the order asked");
      process.env.JSPLAN_TEST_SERVERS = "2.11";
      assert.throws(() => serverLines(), /unknown nats-server line "2\.11"/);
    } finally {
      if (saved === undefined) delete process.env.JSPLAN_TEST_SERVERS;
      else process.env.JSPLAN_TEST_SERVERS = saved;
    }
  });
});

for (const line of lines) {
  describe(`nats-server ${line}`, () => {
    it("starts a single server with JetStream and stops it cleanly", async () => {
      const server = await startServer({ line });
      try {
        assert.ok(server.version.startsWith(`${line}.`), `version ${server.version} belongs to ${line}`);
        assert.equal(server.version, provisionedVersion(line));
        assert.ok(existsSync(server.storeDir));
        await withConnection(server, async (nc) => {
          assert.equal(nc.info?.version, server.version);
          const jsm = await jetstreamManager(nc);
          const info = await jsm.getAccountInfo();
          assert.equal(info.streams, 0);
        });
      } finally {
        await server.stop();
      }
      assert.equal(server.running, false);
      assert.ok(await waitUntilGone(server.pid), "process is gone");
      assert.ok(await portIsFree(server.port), "port is free");
      assert.equal(existsSync(server.dir), false, "temporary folder is removed");
      await server.stop(); // idempotent
    });

    it("starts a 3-node cluster where an R3 stream gets 3 peers", async () => {
      const cluster = await startCluster({ line });
      try {
        assert.equal(cluster.servers.length, 3);
        const nc = await connectTo(cluster);
        const jsm = await jetstreamManager(nc);
        const info = await jsm.streams.add({ name: "R3", subjects: ["r3.>"], num_replicas: 3 });
        assert.equal(info.config.num_replicas, 3);
        const peers = [info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)];
        assert.deepEqual(peers.sort(), cluster.servers.map((s) => s.name).sort());
        const js = jsm.jetstream();
        // The stream's own raft group elects its leader after the create is answered; until then a publish
        // finds no responder (the client says "jetstream is not enabled").
        let ack: Awaited<ReturnType<typeof js.publish>> | undefined;
        for (let i = 0; ack === undefined; i++) {
          try {
            ack = await js.publish("r3.a", "hello", { msgID: "hello" });
          } catch (err) {
            if (i >= 50) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        assert.equal(ack.seq, 1);

        // A node killed and restarted rejoins, and the stream keeps its 3 peers. (Not a leader: electing a new
        // one takes seconds on 2.15, and requests go unanswered meanwhile.)
        const leaders = [info.cluster?.leader, (await cluster.metaLeader())?.name];
        const node = cluster.servers.find((s) => !leaders.includes(s.name))!;
        await node.kill();
        await node.restart();
        await cluster.waitReady();
        const after = await jsm.streams.info("R3");
        assert.equal(after.state.messages, 1);
        assert.equal(1 + (after.cluster?.replicas?.length ?? 0), 3);
      } finally {
        await cluster.stop();
      }
      for (const s of cluster.servers) {
        assert.ok(await waitUntilGone(s.pid), `${s.name} is gone`);
        assert.ok(await portIsFree(s.port), `${s.name} client port is free`);
        assert.ok(await portIsFree(s.clusterPort!), `${s.name} route port is free`);
        assert.equal(existsSync(s.dir), false, `${s.name} folder is removed`);
      }
    });

    it("restart keeps the port and the data; so does kill(SIGKILL) then restart", async () => {
      const server = await startServer({ line });
      try {
        const nc = await connectTo(server);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: "KEEP", subjects: ["keep.>"] });
        await jsm.jetstream().publish("keep.a", "1");

        const { port, pid } = server;
        await server.restart();
        assert.equal(server.port, port);
        assert.notEqual(server.pid, pid);
        assert.equal(
          (await jsm.streams.info("KEEP")).state.messages,
          1,
          "the client reconnected, the data is there",
        );

        await server.kill();
        assert.equal(server.running, false);
        assert.equal(server.lastExit?.signal, "SIGKILL");
        assert.ok(existsSync(server.storeDir), "kill keeps the store");
        await server.restart();
        assert.equal(server.port, port);
        assert.equal((await jsm.streams.info("KEEP")).state.messages, 1);
      } finally {
        await server.stop(); // also closes nc
      }
      assert.equal(existsSync(server.dir), false);
    });

    serverTest("serverTest runs the body with a server of the line", { line }, async (t, server) => {
      assert.equal(server.line, line);
      assert.ok(server.running);
      assert.equal(t.name, "serverTest runs the body with a server of the line");
    });

    it("pause() makes the server unresponsive until resume()", async () => {
      const server = await startServer({ line, jetstream: false });
      try {
        const nc = await connectTo(server);
        nc.subscribe("echo", { callback: (_err, m) => void m.respond(m.data) });
        assert.equal((await nc.request("echo", "a", { timeout: 2000 })).string(), "a");
        await server.pause();
        await assert.rejects(nc.request("echo", "b", { timeout: 300 }), /timeout/i);
        await server.resume();
        assert.equal((await nc.request("echo", "c", { timeout: 2000 })).string(), "c");
      } finally {
        await server.stop();
      }
    });
  });
}

describe("teardown", () => {
  const line = lines[0]!;
  const harness = new URL("./harness/index.js", import.meta.url).href;
  // A test process that starts a server and then waits to be killed.
  const child = `
    const { startServer } = await import(process.argv[1]);
    const server = await startServer({ line: process.argv[2], jetstream: false });
    console.log(JSON.stringify({ pid: server.pid, dir: server.dir }));
    setInterval(() => {}, 1000);
  `;

  async function startChild(): Promise<{
    kill(signal: NodeJS.Signals): Promise<void>;
    pid: number;
    dir: string;
  }> {
    const proc = spawn(process.execPath, ["--input-type=module", "-e", child, harness, line], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    let out = "";
    for await (const chunk of proc.stdout) {
      out += String(chunk);
      if (out.includes("\n")) break;
    }
    const { pid, dir } = JSON.parse(out) as { pid: number; dir: string };
    return {
      pid,
      dir,
      kill: async (signal) => {
        proc.kill(signal);
        await exited;
      },
    };
  }

  it("a test process ended by SIGTERM takes its servers along", async () => {
    const c = await startChild();
    assert.ok(processRuns(c.pid));
    await c.kill("SIGTERM");
    assert.ok(await waitUntilGone(c.pid), "server is gone");
    assert.equal(existsSync(c.dir), false, "folder is removed");
  });

  it("servers of a SIGKILLed test process are reaped by the next run", async () => {
    const c = await startChild();
    await c.kill("SIGKILL");
    // Nothing ran in the child, so its server is orphaned until a reaper kills it: ours, or that of another
    // test process starting its first server right now (hence no assertion that the orphan still runs).
    reapStaleServers();
    assert.ok(await waitUntilGone(c.pid), "server is gone");
    assert.equal(existsSync(c.dir), false, "folder is removed");
  });

  it("keeps the server log of a failing test body in test-logs/", async () => {
    const name = `harness self-test ${process.pid}`;
    const dir = path.join(testLogsDir(), sanitizeTestName(name));
    const reported: string[] = [];
    const t = { name, diagnostic: (m: string) => reported.push(m) };
    try {
      await assert.rejects(
        withServer(t, { line, name: "kept" }, async () => {
          throw new Error("deliberate failure");
        }),
        /deliberate failure/,
      );
      assert.deepEqual(readdirSync(dir).sort(), ["kept.conf", "kept.log"]);
      assert.match(readFileSync(path.join(dir, "kept.log"), "utf8"), /Server is ready/);
      assert.match(reported.join("\n"), /server logs kept in /);

      // Shared servers: keepLogsOnFailure wraps just the body; a passing body keeps nothing.
      await rm(dir, { recursive: true });
      const server = await startServer({ line, jetstream: false });
      try {
        assert.equal(await keepLogsOnFailure(t, server, async () => 42), 42);
        assert.equal(existsSync(dir), false);
      } finally {
        await server.stop();
      }

      // A server that does not start: the error carries the log's tail, the whole log is kept.
      await assert.rejects(
        withServer(t, { line, config: "this is { not valid" }, async () => undefined),
        (e: unknown) =>
          e instanceof ServerStartError && /exited during startup[\s\S]*last lines of/.test(e.message),
      );
      assert.deepEqual(readdirSync(dir), ["failed-start.log"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
