// `jsplan show PLANFILE` reads a saved plan without a server, and the plan's header, the saved plan and
// apply's prompt say where the plan was made: the server URL (never its credentials), the natscli context
// and the JetStream domain. One server, the newest line.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { SavedPlan } from "../../src/model/plan.js";
import { sharedServer, tempDir, writeFile } from "../connection/support.js";
import { serverLines } from "../harness/index.js";
import { runCli } from "../support/cli.js";

const MANIFEST = `version: 1
owner: shop
streams:
  - name: ORDERS
    subjects: ["orders.>"]
    consumers:
      - name: worker
        ack_policy: explicit
`;

describe("jsplan show, without a server", () => {
  it("refuses a file that is missing or not a saved plan, in one line", async () => {
    const { dir } = tempDir("jsplan-show-");
    let r = await runCli(["show", path.join(dir, "nope.json")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^jsplan: cannot read the saved plan .*nope\.json: ENOENT\n$/);
    const bad = writeFile(path.join(dir, "bad.json"), "{ not json");
    r = await runCli(["show", bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not a saved plan \(not JSON\); make one with jsplan plan --out/);
    r = await runCli(["show"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Not enough non-option arguments/);
  });
});

for (const line of serverLines().slice(-1)) {
  describe(`where the plan was made, against nats-server ${line}`, () => {
    const test = sharedServer(() => ({ line, jetstreamConfig: "domain: hub" }));

    test("plan, plan --out, show and apply's prompt name the URL, the context and the domain", async (server) => {
      const { dir } = tempDir("jsplan-target-");
      const xdg = path.join(dir, "xdg");
      writeFile(path.join(xdg, "nats", "context", "prod.json"), JSON.stringify({ url: server.url }));
      writeFile(path.join(xdg, "nats", "context.txt"), "prod\n");
      const env = { HOME: dir, XDG_CONFIG_HOME: xdg };
      const manifest = writeFile(path.join(dir, "jsplan.yaml"), MANIFEST);
      const saved = path.join(dir, "plan.json");
      const where = `at ${server.url} (context "prod"), domain hub; owner shop`;

      const text = await runCli(["plan", manifest, "--out", saved], { env, cwd: dir });
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout.split("\n")[0]!, new RegExp(`^nats-server ${line}\\.\\d+ ${esc(where)}$`));
      const plan = JSON.parse(readFileSync(saved, "utf8")) as SavedPlan;
      assert.equal(plan.format_version, "1.2");
      assert.deepEqual(plan.target, { url: server.url, context: "prod", account: null });

      const md = await runCli(["plan", manifest, "--format", "markdown"], { env, cwd: dir });
      assert.match(
        md.stdout,
        new RegExp(`· \`${esc(server.url)}\` \\(context \`prod\`\\) · domain \`hub\` · owner \`shop\``),
      );

      // show: the same plan from the file alone (no server in its environment).
      const shown = await runCli(["show", saved], { cwd: dir });
      assert.equal(shown.code, 0, shown.stderr);
      assert.equal(shown.stdout, text.stdout);
      assert.match(
        shown.stderr,
        /Saved \d{4}-\d\d-\d\dT.* from .*jsplan\.yaml by jsplan .*jsplan apply --plan/,
      );
      const json = await runCli(["show", saved, "--format", "json"]);
      assert.deepEqual(JSON.parse(json.stdout), plan);
      const shownMd = await runCli(["show", saved, "--format", "markdown", "--max-chars", "5000"]);
      assert.equal(shownMd.stdout, md.stdout);
      const small = await runCli(["show", saved, "--format", "markdown", "--max-chars", "10"]);
      assert.equal(small.code, 1);
      assert.match(small.stderr, /--max-chars must be a whole number of at least 1000/);

      // apply asks on a terminal, naming where it would apply.
      const asked = await runCli(["apply", manifest], { env, cwd: dir, tty: true, answers: ["no"] });
      assert.equal(asked.code, 1);
      assert.match(
        asked.stderr,
        new RegExp(
          `jsplan will carry out the plan above on ${esc(server.url)} \\(context "prod"\\), domain hub\\.`,
        ),
      );
      assert.match(asked.stderr, /Apply cancelled; nothing was changed/);
    });

    test("graph --live draws what the server holds", async (server) => {
      const applied = await runCli(["apply", "-", "-s", server.url, "--auto-approve"], { stdin: MANIFEST });
      assert.equal(applied.code, 0, applied.stderr);
      const r = await runCli(["graph", "--live", "-s", server.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^flowchart LR\n/);
      assert.match(
        r.stdout,
        /n(\d+)\["stream ORDERS"\][\s\S]*n\d+\(\["consumer worker"\]\)[\s\S]*n\1 -\.- n\d+/,
      );
      const paths = await runCli(["graph", "--live", "jsplan.yaml", "-s", server.url]);
      assert.equal(paths.code, 1);
      assert.match(paths.stderr, /--live draws what the server holds: give no manifest paths/);
    });

    test("never shows the credentials of a URL", async (server) => {
      const withToken = server.url.replace("nats://", "nats://s3cr3t-token@");
      const r = await runCli(["plan", "-", "-s", withToken, "--format", "json"], { stdin: MANIFEST });
      assert.equal(r.code, 0, r.stderr);
      const plan = JSON.parse(r.stdout) as SavedPlan;
      assert.deepEqual(plan.target, { url: server.url, context: null, account: null });
      const text = await runCli(["plan", "-", "-s", withToken], { stdin: MANIFEST });
      assert.doesNotMatch(text.stdout + text.stderr, /s3cr3t/);
      assert.match(
        text.stdout,
        new RegExp(`^nats-server \\S+ at ${esc(server.url)}, domain hub; owner shop\n`),
      );
    });
  });
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
