// jsplan on a 3-node JetStream cluster, on the oldest and the newest supported server (issue #5, part 4):
// replicated streams and consumers, scaling as an in-place update, placement moves, a move and a scale
// together (which the server refuses in one update, so apply makes two), and stream leaders moving while an
// apply runs. One cluster per server line carries every check; each check uses its own streams.

import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectTo, type NatsCluster, serverLines, withCluster } from "../harness/index.js";
import { applyManifest, applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import {
  acting,
  changeOf,
  clusterView,
  deleteStreams,
  jsApi,
  jsApiOk,
  NODE_TAGS_CONFIG,
  type Obj,
  publish,
  runCliWatching,
  servedBy,
  yaml,
} from "./support.js";

const CLUSTER = "jsc";
const node = (i: number) => `${CLUSTER}-n${i}`;
const ALL_NODES = [node(1), node(2), node(3)];

for (const line of serverLines()) {
  describe(`jsplan on a 3-node nats-server ${line} cluster`, () => {
    it("replicas, placement and leader moves", { timeout: 240_000 }, (t) =>
      withCluster(t, { line, name: CLUSTER, config: NODE_TAGS_CONFIG }, async (cluster) => {
        const nc = await connectTo(cluster);
        const url = cluster.urls.join(",");

        await t.test("R3 streams and consumers; scaling 3 → 1 → 3 is an update in place", () =>
          replicas(nc, url).finally(() => deleteStreams(nc, ["RA", "RB"])),
        );
        await t.test("placement: a move is an update; a move and a scale together take two updates", (t) =>
          placement(t, nc, url),
        );
        try {
          await t.test("stream leaders stepping down while an apply runs do not fail it", (t) =>
            leaderStepdowns(t, nc, url),
          );
          await t.test("the node leading a stream is killed while an apply runs", (t) =>
            leaderKilled(t, nc, cluster),
          );
        } finally {
          await deleteStreams(nc, LEADER_STREAMS);
        }
      }),
    );
  });
}

// --- 1. replicas --------------------------------------------------------------------------------------

async function replicas(nc: NatsConnection, url: string): Promise<void> {
  const m = (replicasA: number, c3: number) =>
    yaml({
      version: 1,
      owner: "cluster-replicas",
      streams: [
        {
          name: "RA",
          subjects: ["ra.>"],
          num_replicas: replicasA,
          consumers: [
            { name: "follows", ack_policy: "explicit", num_replicas: 0 },
            { name: "own", ack_policy: "explicit", num_replicas: c3 },
          ],
        },
        { name: "RB", subjects: ["rb.>"], num_replicas: 3 },
      ],
    });
  const r3 = m(3, 3);
  await applyOk(url, r3);
  assertEmpty(await planOf(url, r3), "right after applying R3 streams");
  assert.equal((await servedBy(nc, "RA", 3)).peers.length, 3);
  assert.equal((await servedBy(nc, "RB", 3)).peers.length, 3);
  const own = await jsApi(nc, "CONSUMER.INFO.RA.own");
  assert.equal((own.body.config as Obj).num_replicas, 3, "consumer own is R3");
  await publish(nc, "ra.x", 5);

  // 3 → 1: the stream and its R3 consumer scale down in place.
  const r1 = m(1, 1);
  const down = await planOf(url, r1);
  assert.deepEqual(
    acting(down),
    [
      { address: "consumer.RA.own", action: "update", paths: ["num_replicas"] },
      { address: "stream.RA", action: "update", paths: ["num_replicas"] },
    ],
    "scale down: two updates",
  );
  const scale = changeOf(down, "stream.RA");
  assert.equal(scale.destructive, false);
  assert.deepEqual(
    scale.diff.map((d) => [d.path, d.before, d.after, d.forces_replace]),
    [["num_replicas", 3, 1, false]],
  );
  const created = (await clusterView(nc, "RA")).config;
  await applyOk(url, r1);
  assertEmpty(await planOf(url, r1), "right after scaling down");
  const after1 = await servedBy(nc, "RA", 1);
  assert.equal(after1.messages, 5, "the messages survive the scale down");
  assert.deepEqual(after1.config, { ...created, num_replicas: 1 }, "the same stream, scaled");
  const follows = await jsApi(nc, "CONSUMER.INFO.RA.follows");
  assert.equal(
    (follows.body.config as Obj).num_replicas ?? 0,
    0,
    "consumer follows still follows the stream",
  );

  // 1 → 3 again.
  const up = await planOf(url, r3);
  assert.deepEqual(
    acting(up).map((c) => [c.address, c.action]),
    [
      ["consumer.RA.own", "update"],
      ["stream.RA", "update"],
    ],
  );
  await applyOk(url, r3);
  assertEmpty(await planOf(url, r3), "right after scaling up");
  const after3 = await servedBy(nc, "RA", 3);
  assert.equal(after3.messages, 5, "the messages survive the scale up");
  const ownAfter = await jsApi(nc, "CONSUMER.INFO.RA.own");
  assert.equal((ownAfter.body.config as Obj).num_replicas, 3, "consumer own is R3 again");
}

// --- 2. placement ---------------------------------------------------------------------------------------

function placementManifest(replicas: number, tags: string[]): string {
  return yaml({
    version: 1,
    owner: "cluster-placement",
    streams: [
      {
        name: "PL",
        subjects: ["pl.>"],
        ...(replicas !== 1 ? { num_replicas: replicas } : {}),
        placement: { tags },
        consumers: [{ name: "reader", ack_policy: "explicit" }],
      },
    ],
  });
}

async function placement(t: TestContext, nc: NatsConnection, url: string): Promise<void> {
  const onN1 = placementManifest(1, [node(1)]);
  await applyOk(url, onN1);
  assertEmpty(await planOf(url, onN1));
  assert.deepEqual((await servedBy(nc, "PL", 1)).peers, [node(1)]);
  await publish(nc, "pl.x", 4);

  /** Plan (one update step with these fields), apply, empty plan, where the stream is, what it holds. */
  const step = async (replicas: number, tags: string[], on: string[], what: string, paths: string[]) => {
    const manifest = placementManifest(replicas, tags);
    const plan = await planOf(url, manifest);
    assert.deepEqual(acting(plan), [{ address: "stream.PL", action: "update", paths }], what);
    assert.equal(plan.steps.length, 1, `${what}: one step`);
    assert.equal(changeOf(plan, "stream.PL").destructive, false);
    const r = await applyManifest(url, manifest, []);
    assert.equal(r.code, 0, `${what}: apply failed:\n${r.stderr}${r.stdout}`);
    assertEmpty(await planOf(url, manifest), `right after ${what}`);
    const v = await servedBy(nc, "PL", replicas, on);
    assert.equal(v.messages, 4, `${what}: the messages survive`);
    assert.ok((await jsApi(nc, "CONSUMER.INFO.PL.reader")).ok, `${what}: the consumer survives`);
  };

  try {
    await t.test("a move n1 → n2 is an update", () =>
      step(1, [node(2)], [node(2)], "a move n1 → n2", ["placement.tags"]),
    );
    await t.test(
      "a move and a scale up (R1 on n2 → R3 on az:any): one update step, applied as two updates",
      {},
      async () => {
        try {
          await step(3, ["az:any"], ALL_NODES, "a move and a scale up", ["num_replicas", "placement.tags"]);
        } catch (e) {
          // Bring the stream where the step should have: move first, then scale (what apply should do).
          await servedBy(nc, "PL", 1);
          const base = (await clusterView(nc, "PL")).config;
          await jsApiOk(nc, "STREAM.UPDATE.PL", { ...base, placement: { tags: ["az:any"] } });
          await servedBy(nc, "PL", 1);
          await jsApiOk(nc, "STREAM.UPDATE.PL", {
            ...base,
            num_replicas: 3,
            placement: { tags: ["az:any"] },
          });
          await servedBy(nc, "PL", 3);
          assertEmpty(
            await planOf(url, placementManifest(3, ["az:any"])),
            "after moving and scaling by hand",
          );
          throw e;
        }
      },
    );
    await t.test(
      "a move and a scale down (R3 on az:any → R1 on n3): one update step, applied as two",
      {},
      () => step(1, [node(3)], [node(3)], "a move and a scale down", ["num_replicas", "placement.tags"]),
    );
  } finally {
    await deleteStreams(nc, ["PL"]);
  }
}

// --- 3. leaders moving during an apply ---------------------------------------------------------------------

const LEADER_STREAMS = ["LM0", "LM1", "LM2", "LM3", "LM4", "LM5"];

function leaderManifest(owner: string, streams: readonly string[], rev: number): string {
  return yaml({
    version: 1,
    owner,
    streams: streams.map((name) => ({
      name,
      subjects: [`${name.toLowerCase()}.>`],
      num_replicas: 3,
      description: `revision ${rev}`,
      consumers: [
        { name: "a", ack_policy: "explicit", description: `revision ${rev}` },
        { name: "b", ack_policy: "explicit", max_deliver: 3 + rev },
      ],
    })),
  });
}

async function leaderStepdowns(t: TestContext, nc: NatsConnection, url: string): Promise<void> {
  const v1 = leaderManifest("cluster-leaders", LEADER_STREAMS, 1);
  await applyOk(url, v1);
  for (const s of LEADER_STREAMS) await servedBy(nc, s, 3);

  // Every write jsplan sends is seen here too (a plain subscription next to the API's own); at the first write
  // to a stream (or consumer), its leader is told to step down at once: the leader moves while the write is on
  // its way. A repeated write is left alone.
  const stepdowns: Array<Promise<string>> = [];
  const seen = new Set<string>();
  const stepDown = (suffix: string) =>
    nc
      .request(`$JS.API.${suffix}`, undefined, { timeout: 3000 })
      .then((m) => {
        const e = m.json<{ error?: { err_code: number } }>().error;
        return e ? `${suffix}: ${e.err_code}` : "ok";
      })
      .catch((e: Error) => `${suffix}: ${e.message}`);
  const sub = nc.subscribe("$JS.API.>", {
    callback: (_err, msg) => {
      const [, , kind, op, stream, consumer] = msg.subject.split(".");
      if (!stream?.startsWith("LM") || seen.has(msg.subject)) return;
      seen.add(msg.subject);
      if (kind === "STREAM" && op === "UPDATE") stepdowns.push(stepDown(`STREAM.LEADER.STEPDOWN.${stream}`));
      if (kind === "CONSUMER" && op === "CREATE" && consumer) {
        stepdowns.push(stepDown(`CONSUMER.LEADER.STEPDOWN.${stream}.${consumer}`));
      }
    },
  });
  await nc.flush();
  const v2 = leaderManifest("cluster-leaders", LEADER_STREAMS, 2);
  let r: Awaited<ReturnType<typeof runCliWatching>>;
  const started = Date.now();
  try {
    r = await runCliWatching(["apply", "-", "-s", url, "--auto-approve", "--no-color"], v2);
  } finally {
    sub.unsubscribe();
  }
  const took = Date.now() - started;
  const outcomes = await Promise.all(stepdowns);
  const done = outcomes.filter((o) => o === "ok").length;
  t.diagnostic(
    `apply took ${took} ms; ${done} of ${outcomes.length} leader stepdowns were done (others: ${JSON.stringify(outcomes.filter((o) => o !== "ok"))})`,
  );
  assert.ok(done > 0, `no leader stepped down during the apply: ${JSON.stringify(outcomes)}`);
  await t.test("the apply succeeds", () => {
    assert.equal(r.code, 0, `the apply failed while ${done} leaders stepped down:\n${r.stderr}${r.stdout}`);
  });
  if (r.code !== 0) {
    // Evidence for the report: the streams whose update "failed" hold the new config all the same.
    const committed: string[] = [];
    for (const s of LEADER_STREAMS) {
      const v = await servedBy(nc, s, 3);
      if (v.config.description === "revision 2") committed.push(s);
    }
    t.diagnostic(
      `after the failed apply, the server holds revision 2 of ${committed.join(", ") || "no stream"}`,
    );
    await applyOk(url, v2);
  }
  for (const s of LEADER_STREAMS) await servedBy(nc, s, 3);
  assertEmpty(await planOf(url, v2), "after the apply with leaders stepping down");
}

async function leaderKilled(t: TestContext, nc: NatsConnection, cluster: NatsCluster): Promise<void> {
  // The victim leads one of the streams and is not the meta leader; jsplan talks to the two other nodes, so
  // that what is tested is a stream leader going away, not jsplan's own connection.
  const meta = await cluster.metaLeader();
  assert.ok(meta, "the cluster has a meta leader");
  let found: NatsCluster["servers"][number] | undefined;
  let led = "";
  for (let i = 0; !found; i++) {
    for (const s of LEADER_STREAMS) {
      const v = await servedBy(nc, s, 3);
      found = cluster.servers.find((n) => n.name === v.leader && n !== meta);
      led = s;
      if (found) break;
    }
    assert.ok(found || i < 10, "every stream leader is on the meta leader");
    if (!found) await jsApi(nc, "STREAM.LEADER.STEPDOWN.LM0");
  }
  const victim = found!;
  const survivors = cluster.servers
    .filter((s) => s !== victim)
    .map((s) => s.url)
    .join(",");
  const v3 = leaderManifest("cluster-leaders", LEADER_STREAMS, 3);
  // The victim is killed the moment jsplan's update of the stream it leads is on its way (seen by a plain
  // subscription on a survivor, next to the API's own).
  const watcher = await connectTo(cluster, { servers: survivors.split(",") });
  let killed = false;
  const sub = watcher.subscribe(`$JS.API.STREAM.UPDATE.${led}`, {
    callback: () => {
      if (killed) return;
      killed = true;
      void victim.kill("SIGKILL");
    },
  });
  await watcher.flush();
  try {
    const r = await runCliWatching(
      ["apply", "-", "-s", survivors, "--auto-approve", "--concurrency", "1", "--no-color"],
      v3,
    );
    sub.unsubscribe();
    assert.ok(killed, "the node was killed during the apply");
    await t.test(`the apply succeeds (${victim.name}, leader of ${led}, killed)`, {}, () => {
      assert.equal(
        r.code,
        0,
        `the apply failed when ${victim.name} (leader of ${led}) was killed:\n${r.stderr}${r.stdout}`,
      );
    });
    if (r.code !== 0) {
      // At least: the steps were committed or can be done again, and a second apply converges.
      await applyOk(survivors, v3);
    }
    assertEmpty(await planOf(survivors, v3), "after the apply with a node killed");
  } finally {
    if (killed) {
      await victim.restart();
      await cluster.waitReady();
    }
  }
  for (const s of LEADER_STREAMS) await servedBy(nc, s, 3);
  assertEmpty(await planOf(cluster.urls.join(","), v3), "after the node is back");
}
