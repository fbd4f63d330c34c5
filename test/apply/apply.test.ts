// apply against real servers, on the oldest and the newest supported version: convergence, the safety
// gates, saved plans, failures that stop only their dependents, a server killed mid-apply, and Ctrl-C.

import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { connectTo, serverLines, serverTest, withServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { applyManifest, applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import { REPO_ROOT } from "../support/paths.js";
import { bigManifest, spawnJsplan } from "../support/spawn.js";

const examples = readFileSync(path.join(REPO_ROOT, "examples/streams.yaml"), "utf8");

async function streamInfo(
  url: string,
  name: string,
): Promise<{ created: string; state: { messages: number } }> {
  const r = await runRaw(url, `$JS.API.STREAM.INFO.${name}`);
  return r as { created: string; state: { messages: number } };
}

async function runRaw(url: string, subject: string, body?: unknown): Promise<Record<string, unknown>> {
  const { connect } = await import("@nats-io/transport-node");
  const nc = await connect({ servers: url });
  try {
    const m = await nc.request(subject, body === undefined ? undefined : JSON.stringify(body), {
      timeout: 5000,
    });
    return m.json<Record<string, unknown>>();
  } finally {
    await nc.close();
  }
}

async function publish(url: string, subject: string, count: number): Promise<void> {
  const { connect } = await import("@nats-io/transport-node");
  const nc = await connect({ servers: url });
  try {
    for (let i = 0; i < count; i++) await nc.request(subject, `m${i}`, { timeout: 5000 });
  } finally {
    await nc.close();
  }
}

for (const line of serverLines()) {
  describe(`apply on nats-server ${line}`, () => {
    serverTest(
      "applies examples/streams.yaml to an empty server; the next plan is empty and a second apply changes nothing",
      { line },
      async (_t, server) => {
        await applyOk(server, examples);
        assertEmpty(await planOf(server, examples));
        const before = await streamInfo(server.url, "ORDERS");
        const again = await applyOk(server, examples);
        assert.match(again.stdout, /No changes\. The server matches the manifest\./);
        const after = await streamInfo(server.url, "ORDERS");
        assert.equal(after.created, before.created, "the stream was not re-created");
      },
    );

    serverTest(
      "consumer_limits set on a sourced stream: the plan decides what the source's hidden consumer makes the server refuse (10069)",
      { line },
      async (_t, server) => {
        const m = (limits: string) =>
          `owner: t\nstreams:\n  - name: O\n    subjects: [o.>]\n${limits}  - name: A\n    sources: [{ name: O }]\n`;
        await applyOk(server, m(""));
        // Once a message has come through, the source's consumer on O exists.
        await publish(server.url, "o.x", 1);
        for (let i = 0; i < 100 && (await streamInfo(server.url, "A")).state.messages < 1; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        const stricter = m("    consumer_limits: { max_ack_pending: 100 }\n");
        const run = await applyManifest(server, stricter, []);
        if (line === "2.10") {
          // 2.10 compares every consumer with any new consumer_limits: refused before the first step.
          assert.equal(run.code, 1, run.stdout + run.stderr);
          assert.match(
            run.stderr,
            /stream\.O {2}A mirrors or sources this stream through a consumer of the server's own.*10069/,
          );
          assert.match(run.stderr, /nothing was changed on the server/);
        } else {
          // 2.12+ compares only a new inactive_threshold, which the hidden consumer's 10s meets.
          assert.doesNotMatch(run.stdout + run.stderr, /mirrors or sources this stream/);
          assert.equal(run.code, 0, run.stdout + run.stderr);
          assertEmpty(await planOf(server, stricter));
        }
      },
    );

    serverTest(
      "refuses destructive steps without --allow-destroy and touches nothing; does them with it",
      { line },
      async (_t, server) => {
        const v1 =
          "owner: t\nstreams:\n  - name: KEEP\n    subjects: [keep.>]\n  - name: GONE\n    subjects: [gone.>]\n";
        await applyOk(server, v1);
        await publish(server.url, "gone.x", 3);
        await publish(server.url, "keep.x", 2);
        // GONE removed from the manifest (owned: planned as a delete), KEEP changes storage (a replace).
        const v2 = "owner: t\nstreams:\n  - name: KEEP\n    subjects: [keep.>]\n    storage: memory\n";
        const refused = await applyManifest(server, v2, []);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /Apply refused; nothing was changed on the server/);
        assert.match(refused.stderr, /stream\.GONE delete/);
        assert.match(refused.stderr, /stream\.KEEP replace/);
        assert.match(refused.stderr, /--allow-destroy/);
        assert.equal((await streamInfo(server.url, "GONE")).state.messages, 3, "GONE keeps its messages");
        assert.equal((await streamInfo(server.url, "KEEP")).state.messages, 2, "KEEP keeps its messages");
        await applyOk(server, v2, ["--allow-destroy"]);
        const gone = await runRaw(server.url, "$JS.API.STREAM.INFO.GONE");
        assert.equal((gone.error as { err_code: number }).err_code, 10059);
        const keep = await runRaw(server.url, "$JS.API.STREAM.INFO.KEEP");
        assert.equal((keep.config as { storage: string }).storage, "memory");
        assertEmpty(await planOf(server, v2));
      },
    );

    serverTest("protect: true blocks a replace even with --allow-destroy", { line }, async (_t, server) => {
      await applyOk(server, "owner: t\nstreams:\n  - name: P\n    subjects: [p.>]\n    protect: true\n");
      await publish(server.url, "p.x", 1);
      const r = await applyManifest(
        server,
        "owner: t\nstreams:\n  - name: P\n    subjects: [p.>]\n    protect: true\n    storage: memory\n",
        ["--allow-destroy"],
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /blocked by protect: true: stream\.P \(replace\)/);
      assert.equal((await streamInfo(server.url, "P")).state.messages, 1);
      // Removing it from the manifest does not lift the protection: the marker lives on the server.
      const d = await applyManifest(server, "owner: t\nstreams: []\n", ["--allow-destroy"]);
      assert.equal(d.code, 1);
      assert.match(d.stderr, /stream\.P \(delete\)/);
    });

    serverTest(
      "a saved plan runs without a prompt, and is refused when the server changed since",
      { line },
      async (_t, server) => {
        const dir = await mkdtemp(path.join(tmpdir(), "jsplan-plan-"));
        try {
          const manifest = "owner: t\nstreams:\n  - name: S\n    subjects: [s.>]\n    max_age: 1h\n";
          await applyOk(server, "owner: t\nstreams:\n  - name: S\n    subjects: [s.>]\n");
          const file = path.join(dir, "plan.json");
          const made = await runCli(["plan", "-", "-s", server.url, "--out", file], { stdin: manifest });
          assert.equal(made.code, 0, made.stderr);
          // Someone changes S by hand after the plan was made.
          const info = await runRaw(server.url, "$JS.API.STREAM.INFO.S");
          await runRaw(server.url, "$JS.API.STREAM.UPDATE.S", {
            ...(info.config as object),
            description: "changed by hand",
          });
          const stale = await runCli(["apply", "--plan", file, "-s", server.url]);
          assert.equal(stale.code, 1);
          assert.match(stale.stderr, /is stale; nothing was changed/);
          assert.match(stale.stderr, /stream\.S changed since the plan was made \(description\)/);
          // A fresh plan applies without --auto-approve (no terminal here) and without a prompt.
          const fresh = await runCli(["plan", "-", "-s", server.url, "--out", file], { stdin: manifest });
          assert.equal(fresh.code, 0);
          const applied = await runCli(["apply", "--plan", file, "-s", server.url]);
          assert.equal(applied.code, 0, applied.stderr);
          assertEmpty(await planOf(server, manifest));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

    serverTest(
      "a saved plan is refused on another server, and when a resource without a step changed",
      { line },
      async (t, server) => {
        const dir = await mkdtemp(path.join(tmpdir(), "jsplan-plan-"));
        try {
          const base =
            "owner: t\nstreams:\n  - name: S\n    subjects: [s.>]\n  - name: K\n    subjects: [k.>]\n";
          const manifest = base.replace("[s.>]\n", "[s.>]\n    max_age: 1h\n");
          await applyOk(server, base);
          const file = path.join(dir, "plan.json");
          const made = await runCli(["plan", "-", "-s", server.url, "--out", file], { stdin: manifest });
          assert.equal(made.code, 0, made.stderr);

          // The same streams on another server: same version, no cluster, no domain, another name.
          await withServer(t, { line, name: "elsewhere" }, async (other) => {
            await applyOk(other, base);
            const r = await runCli(["apply", "--plan", file, "-s", other.url]);
            assert.equal(r.code, 1, r.stdout);
            assert.match(r.stderr, /the plan was made on server s\d+, and this is elsewhere/);
            assertEmpty(await planOf(other, base), "on the other server, nothing was changed");
          });

          // K has no step, but the plan was made with K as it was.
          const info = await runRaw(server.url, "$JS.API.STREAM.INFO.K");
          await runRaw(server.url, "$JS.API.STREAM.UPDATE.K", { ...(info.config as object), max_msgs: 10 });
          const stale = await runCli(["apply", "--plan", file, "-s", server.url]);
          assert.equal(stale.code, 1);
          assert.match(stale.stderr, /stream\.K changed since the plan was made \(max_msgs\)/);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

    serverTest(
      "without a terminal, apply needs --auto-approve; on a terminal it asks",
      { line },
      async (_t, server) => {
        const m = "owner: t\nstreams:\n  - name: Q\n    subjects: [q.>]\n";
        const r = await runCli(["apply", "-", "-s", server.url], { stdin: m });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /not running on a terminal/);
        const no = await runCli(["apply", "-", "-s", server.url], { stdin: m, tty: true, answers: ["no"] });
        assert.equal(no.code, 1);
        assert.match(no.stderr, /Only 'yes' will be accepted/);
        assert.match(no.stderr, /Apply cancelled; nothing was changed/);
        assert.equal(
          ((await runRaw(server.url, "$JS.API.STREAM.INFO.Q")).error as { err_code: number }).err_code,
          10059,
        );
        const yes = await runCli(["apply", "-", "-s", server.url], { stdin: m, tty: true, answers: ["yes"] });
        assert.equal(yes.code, 0, yes.stderr);
        assertEmpty(await planOf(server, m));
      },
    );

    it("a step the server refuses fails with its code and a hint; independent steps succeed; its dependents are not executed", async (t) => {
      await withServer(t, { line, jetstreamConfig: "max_memory_store: 10MB" }, async (server) => {
        const m = [
          "owner: t",
          "streams:",
          "  - name: BIGMEM",
          "    subjects: [bigmem.>]",
          "    storage: memory",
          "    max_bytes: 100MiB",
          "    consumers:",
          "      - name: reader",
          "        ack_policy: explicit",
          "  - name: FINE",
          "    subjects: [fine.>]",
          "",
        ].join("\n");
        const r = await runCli(["apply", "-", "-s", server.url, "--auto-approve", "--format", "json"], {
          stdin: m,
        });
        assert.equal(r.code, 1);
        const result = JSON.parse(r.stdout) as {
          results: Array<{
            address: string;
            status: string;
            error?: { code: number; hint?: string };
            reason?: string;
          }>;
        };
        const by = new Map(result.results.map((x) => [x.address, x]));
        assert.equal(by.get("stream.FINE")?.status, "succeeded");
        const big = by.get("stream.BIGMEM")!;
        assert.equal(big.status, "failed");
        assert.ok(
          big.error?.code === 10028 || big.error?.code === 10047 || big.error?.code === 10023,
          `code ${big.error?.code}`,
        );
        assert.match(big.error?.hint ?? "", /memory storage/);
        assert.equal(by.get("consumer.BIGMEM.reader")?.status, "not_executed");
        assert.match(
          by.get("consumer.BIGMEM.reader")?.reason ?? "",
          /depends on stream\.BIGMEM, which failed/,
        );
        const text = await runCli(["apply", "-", "-s", server.url, "--auto-approve"], { stdin: m });
        assert.match(text.stderr, /✗ stream\.BIGMEM create failed/);
        assert.match(text.stderr, /hint: not enough memory storage/);
        assert.match(text.stdout, /Apply incomplete: 0 succeeded, 1 failed, 1 not executed/);
        // At the end, for whoever was not watching: the failure again, its hint once, the rest by cause.
        const end = text.stderr.slice(text.stderr.indexOf("\nFailed (1):"));
        assert.match(end, /^ {2}✗ stream\.BIGMEM create failed/m);
        assert.match(end, /^ {2}hint: not enough memory storage/m);
        assert.match(end, /^Not executed \(1\):\n {2}1 step: a step it depends on failed$/m);
      });
    });

    it("a server killed mid-apply: the apply fails promptly with a step report; after a restart it converges", {
      timeout: 120_000,
    }, async (t) => {
      await withServer(t, { line }, async (server) => {
        const m = bigManifest(150, 4);
        let killed = false;
        const run = await spawnJsplan(
          ["apply", "-", "-s", server.url, "--auto-approve", "--concurrency", "4", "--timeout", "3s"],
          m,
          (err) => {
            if (!killed && (err.match(/✓/g)?.length ?? 0) >= 40) {
              killed = true;
              void server.kill("SIGKILL");
            }
          },
        );
        assert.ok(killed, "the server was killed during the apply");
        assert.equal(run.code, 1, run.stderr.slice(-2000));
        assert.ok(run.ms < 60_000, `apply took ${run.ms} ms after the server died`);
        assert.doesNotMatch(run.stderr + run.stdout, /\n\s+at .+:\d+:\d+\)?\n/, "no stack trace");
        assert.match(run.stdout, /Apply incomplete/);
        assert.match(run.stderr, /^Not executed \(\d+\):$/m);
        await server.restart();
        const plan = await planOf(server, m);
        assert.ok(plan.steps.length > 0, "the rest remains to be done");
        // The killed run could not release its lock: it expires within its TTL (30 s).
        await applyOk(server, m, ["--lock-timeout", "60s"]);
        assertEmpty(await planOf(server, m));
      });
    });

    it("Ctrl-C mid-apply stops new steps, waits for those in flight, reports, exits 1; apply then converges", {
      timeout: 120_000,
    }, async (t) => {
      await withServer(t, { line }, async (server) => {
        const m = bigManifest(150, 4);
        let interrupted = false;
        const run = await spawnJsplan(
          ["apply", "-", "-s", server.url, "--auto-approve", "--concurrency", "2"],
          m,
          (err, child) => {
            if (!interrupted && (err.match(/✓/g)?.length ?? 0) >= 20) {
              interrupted = true;
              child.kill("SIGINT");
            }
          },
        );
        assert.ok(interrupted);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /Interrupted/);
        assert.match(run.stdout, /Apply incomplete \(interrupted\)/);
        const ok = (run.stderr.match(/^✓/gm) ?? []).length;
        // The steps not started are counted by cause at the end, not listed one by one.
        assert.doesNotMatch(run.stderr, /^- \S+ not executed/m);
        const skipped = Number(
          /^Not executed \((\d+)\):\n {2}\d+ steps?: interrupted$/m.exec(run.stderr)?.[1] ?? 0,
        );
        assert.ok(skipped > 0, "steps not started are reported as not executed");
        assert.equal(
          ok + skipped + (run.stderr.match(/^✗/gm) ?? []).length,
          150 * 5,
          "every step is reported once",
        );
        await applyOk(server, m);
        assertEmpty(await planOf(server, m));
        const nc = await connectTo(server);
        await nc.close();
      });
    });
  });
}
