// Smaller things a user meets, without a server: colours in a pipe, plan --format json failing with a JSON
// document, shell completion, a bad NATS_TIMEOUT named as such, export notes naming buckets, the stale-plan
// message for another domain, and the README's set-up wording.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { exportManifest } from "../../src/export/from-observed.js";
import type { StreamConfig } from "../../src/model/jetstream.js";
import type { Plan, SavedPlan } from "../../src/model/plan.js";
import { checkSavedPlan } from "../../src/reconcile/saved-plan.js";
import { closedPort, tempDir, writeFile } from "../connection/support.js";
import { runCli } from "../support/cli.js";
import { observedFrom } from "../support/observed-fixture.js";
import { FIXTURES, REPO_ROOT } from "../support/paths.js";

const VALID = "version: 1\nstreams:\n  - name: A\n    subjects: [a]\n";
const ESC = "\u001b[";

describe("colours", () => {
  const validate = (env: Record<string, string>, flags: string[] = [], tty = false) =>
    runCli(["validate", "-", ...flags], { stdin: VALID, env, tty });

  it("go into a pipe with --color or FORCE_COLOR, and never with --no-color or NO_COLOR", async () => {
    assert.ok(!(await validate({})).stdout.includes(ESC), "a pipe gets no colours by default");
    assert.ok((await validate({}, ["--color"])).stdout.includes(ESC), "--color");
    assert.ok((await validate({ FORCE_COLOR: "1" })).stdout.includes(ESC), "FORCE_COLOR=1");
    assert.ok(!(await validate({ FORCE_COLOR: "0" }, [], true)).stdout.includes(ESC), "FORCE_COLOR=0");
    assert.ok(!(await validate({ FORCE_COLOR: "1", NO_COLOR: "1" })).stdout.includes(ESC), "NO_COLOR wins");
    assert.ok(!(await validate({ FORCE_COLOR: "1" }, ["--no-color"])).stdout.includes(ESC), "--no-color");
    assert.ok((await validate({ NO_COLOR: "1" }, ["--color"])).stdout.includes(ESC), "the flag wins");
    assert.ok((await validate({}, [], true)).stdout.includes(ESC), "a terminal gets colours");
  });
});

describe("plan --format json when it fails", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const load = (name: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, "schemas", name), "utf8"));
  ajv.addSchema(load("validate-result.schema.json"));
  const check = ajv.compile(load("plan-failure.schema.json"));
  const failure = (stdout: string) => {
    const doc = JSON.parse(stdout) as {
      ok: false;
      error: { kind: string; message: string; diagnostics: unknown[] };
    };
    assert.ok(check(doc), JSON.stringify(check.errors));
    return doc.error;
  };

  it("prints a JSON document on stdout for a manifest with errors", async () => {
    const r = await runCli(["plan", "-", "--format", "json"], {
      stdin: "version: 1\nstreams:\n  - name: A\n    max_age: soon\n",
    });
    assert.equal(r.code, 1);
    const e = failure(r.stdout);
    assert.equal(e.kind, "manifest");
    assert.match(e.message, /the manifest has 1 error/);
    assert.match(JSON.stringify(e.diagnostics), /"line":4/);
    assert.match(r.stderr, /max_age/, "and the text on stderr, as always");
  });

  it("for a server that cannot be reached, and for a bad setting", async () => {
    const port = await closedPort();
    let r = await runCli(
      ["plan", "-", "--format", "json", "-s", `nats://127.0.0.1:${port}`, "--timeout", "1s"],
      {
        stdin: VALID,
      },
    );
    assert.equal(r.code, 1);
    assert.equal(failure(r.stdout).kind, "connection");
    r = await runCli(["plan", "-", "--format", "json"], { stdin: VALID, env: { NATS_TIMEOUT: "abc" } });
    assert.equal(r.code, 1);
    assert.deepEqual(failure(r.stdout), {
      kind: "settings",
      message: 'NATS_TIMEOUT must be a duration such as 5s or 30s (got "abc")',
      diagnostics: [],
    });
  });

  it("prints nothing on stdout for the text format", async () => {
    const r = await runCli(["plan", "-"], {
      stdin: "version: 1\nstreams:\n  - name: A\n    max_age: soon\n",
    });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
  });
});

describe("a bad NATS_TIMEOUT", () => {
  it("is reported as NATS_TIMEOUT, and a bad --timeout as --timeout", async () => {
    let r = await runCli(["plan", "-"], { stdin: VALID, env: { NATS_TIMEOUT: "abc" } });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'jsplan: NATS_TIMEOUT must be a duration such as 5s or 30s (got "abc")\n');
    r = await runCli(["plan", "-", "--timeout", "abc"], { stdin: VALID, env: { NATS_TIMEOUT: "abc" } });
    assert.match(r.stderr, /^jsplan: --timeout must be a duration .*\(got "abc"\)\nRun "jsplan --help"/);
  });
});

describe("shell completion", () => {
  const complete = async (words: string[], cwd?: string, env: Record<string, string> = {}) => {
    const r = await runCli(["--get-yargs-completions", "jsplan", ...words], { env, ...(cwd ? { cwd } : {}) });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split("\n").filter(Boolean);
  };

  it("prints a bash or a zsh script", async () => {
    const zsh = await runCli(["completion", "zsh"]);
    assert.equal(zsh.code, 0, zsh.stderr);
    assert.match(zsh.stdout, /^#compdef jsplan\n/);
    assert.match(zsh.stdout, /compdef _jsplan_completions jsplan/);
    const bash = await runCli(["completion", "bash"]);
    assert.match(bash.stdout, /complete -o bashdefault -o default -F _jsplan_completions jsplan/);
    assert.equal((await runCli(["completion"], { env: { SHELL: "/usr/bin/zsh" } })).stdout, zsh.stdout);
    assert.equal((await runCli(["completion"], { env: { SHELL: "/bin/bash" } })).stdout, bash.stdout);
    const fish = await runCli(["completion", "fish"]);
    assert.equal(fish.code, 1);
    assert.match(fish.stderr, /Invalid values/);
  });

  it("completes commands, flags without --s, and choices", async () => {
    assert.deepEqual(await complete(["p"]), ["plan"]);
    assert.ok((await complete([""])).includes("show"));
    assert.deepEqual(await complete(["s"], undefined, { SHELL: "zsh" }), [
      "show:Show a plan saved with `jsplan plan --out FILE`, without a server",
      "schema:Print the JSON Schema of manifests (or of plan JSON), for editors and other tools",
    ]);
    const flags = await complete(["plan", "--"]);
    assert.ok(flags.includes("--server") && flags.includes("--target") && flags.includes("--max-chars"));
    assert.deepEqual(
      flags.filter((f) => /^--.$/.test(f)),
      [],
      "no --s, --h, --V",
    );
    assert.ok((await complete(["plan", "-"])).includes("-s"));
    assert.deepEqual(await complete(["plan", "--format", ""]), ["text", "json", "markdown"]);
    assert.ok(!(await complete(["plan", "--format", "json", "--"])).includes("--format"), "given once");
  });

  it("completes --target with the manifest's addresses", async () => {
    const { dir } = tempDir("jsplan-complete-");
    writeFile(
      path.join(dir, "jsplan.yaml"),
      "version: 1\nstreams:\n  - name: ORDERS\n    subjects: [o]\n    consumers:\n      - name: worker\nkey_value:\n  - bucket: config\n",
    );
    writeFile(path.join(dir, "other.yaml"), "version: 1\nstreams:\n  - name: OTHER\n    subjects: [x]\n");
    assert.deepEqual(await complete(["plan", "--target", ""], dir), [
      "consumer.ORDERS.worker",
      "kv.config",
      "stream.ORDERS",
    ]);
    assert.deepEqual(await complete(["apply", "other.yaml", "--target", "st"], dir), ["stream.OTHER"]);
    assert.deepEqual(await complete(["plan", "--target", ""], tempDir().dir), [], "no manifest: nothing");
  });
});

describe("export notes", () => {
  it("name a bucket by its address, kv.config, not by its stream", () => {
    const kv = { name: "KV_config", subjects: ["$KV.config.>"], metadata: { "jsplan.owner": "other" } };
    const plain = { name: "ORDERS", subjects: ["orders.>"], metadata: { "jsplan.owner": "other" } };
    const observed = observedFrom({
      server: { version: "2.15.1" },
      streams: [{ config: kv as unknown as StreamConfig }, { config: plain as unknown as StreamConfig }],
    });
    const { notes } = exportManifest(observed, { owner: "me" });
    assert.ok(notes.includes('kv.config is managed by owner "other"; left out'), notes.join("\n"));
    assert.ok(notes.includes('stream ORDERS is managed by owner "other"; left out'), notes.join("\n"));
  });
});

describe("a saved plan made for another JetStream domain", () => {
  it("is stale, and the message names the domains", () => {
    const dir = path.join(FIXTURES, "plans", "all-creates");
    const plan = JSON.parse(readFileSync(path.join(dir, "plan.json"), "utf8")) as Plan;
    const saved: SavedPlan = {
      ...plan,
      saved: {
        created_at: "2026-01-01T00:00:00Z",
        manifest_sha256: "x",
        manifest_files: [],
        fingerprints: {},
        sources: [],
        variables: {},
        targets: [],
      },
    };
    const observed = observedFrom({ server: { version: plan.server.version, domain: "hub" } });
    assert.throws(
      () => checkSavedPlan(saved, observed, "plan.json"),
      (err: Error) => {
        assert.match(
          err.message,
          /the plan was made for nats-server 2\.15\.1 without a JetStream domain, and this is 2\.15\.1 in JetStream domain hub/,
        );
        return true;
      },
    );
  });
});

describe("docs", () => {
  it("README: npm install fetches no server; the demo and the tests do", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    assert.doesNotMatch(readme, /set-up installs the dependencies, builds jsplan and fetches/);
    assert.match(readme, /`npm install` installs the dependencies and builds jsplan; it fetches no\s+server/);
  });

  it("docs/contract.md lists no markdown format for apply", () => {
    const contract = readFileSync(path.join(REPO_ROOT, "docs", "contract.md"), "utf8");
    assert.doesNotMatch(contract, /text\|json\|markdown` \(plan, apply\)/);
    assert.match(contract, /`--format text\|json` \(validate, apply\)/);
  });
});
