// Several accounts in one run (issue 18): manifest files naming natscli contexts (`context: NAME`) are
// planned and applied per account, against a real server with two accounts, each with its own user, and
// natscli contexts pointing at them. The plan is grouped by target; each account holds only its own
// resources; a failure in one target says which targets were done, failed and not started.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { Ajv2020 } from "ajv/dist/2020.js";
import { LEASE_STREAM } from "../../src/jetstream/lease.js";
import { DATE_TIME_RE } from "../../src/load/schema.js";
import { type NatsServer, serverLines, startServer, withConnection } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { REPO_ROOT } from "../support/paths.js";

const USERS = {
  a: { user: "tenant-a", password: "pa-3f9c1b" },
  b: { user: "tenant-b", password: "pb-77d02e" },
  reader: { user: "b-reader", password: "pr-51aa90" },
};
const READ_ONLY = ["$JS.API.INFO", "$JS.API.STREAM.LIST", "$JS.API.STREAM.INFO.*", "$JS.API.CONSUMER.LIST.*"];

const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addFormat("date-time", DATE_TIME_RE);
const planSchema = JSON.parse(readFileSync(path.join(REPO_ROOT, "schemas/plan.schema.json"), "utf8"));
ajv.addSchema(planSchema);
const validateTargets = ajv.compile({ $ref: `${planSchema.$id}#/$defs/targetsDocument` });
const resultSchema = JSON.parse(
  readFileSync(path.join(REPO_ROOT, "schemas/apply-result.schema.json"), "utf8"),
);
ajv.addSchema(resultSchema);
const validateResults = ajv.compile({ $ref: `${resultSchema.$id}#/$defs/targetsResult` });

const CONFIG = `
accounts {
  A: { jetstream: enabled, users: [ { user: ${USERS.a.user}, password: ${USERS.a.password} } ] }
  B: {
    jetstream: enabled
    users: [
      { user: ${USERS.b.user}, password: ${USERS.b.password} }
      { user: ${USERS.reader.user}, password: ${USERS.reader.password}, permissions: { publish: { allow: ${JSON.stringify(READ_ONLY)} }, subscribe: { allow: ["_INBOX.>"] } } }
    ]
  }
}`;

function tenant(context: string, owner: string, ...streams: string[]): string {
  const lines = ["version: 1", `context: ${context}`, `owner: ${owner}`, "streams:"];
  for (const s of streams) lines.push(`  - name: ${s}`, `    subjects: ["${s.toLowerCase()}.>"]`);
  return `${lines.join("\n")}\n`;
}

/** The streams an account holds, as its user sees them (the apply lock's stream left out). */
async function streamsOf(server: NatsServer, who: { user: string; password: string }): Promise<string[]> {
  return withConnection(
    server,
    async (nc) => {
      const jsm = await jetstreamManager(nc);
      const names: string[] = [];
      for await (const n of jsm.streams.names()) if (n !== LEASE_STREAM) names.push(n);
      return names.sort();
    },
    { user: who.user, pass: who.password },
  );
}

for (const line of serverLines()) {
  describe(`several accounts in one run, nats-server ${line}`, () => {
    let server: NatsServer;
    let dir: string;
    let env: Record<string, string>;
    before(async () => {
      server = await startServer({
        line,
        config: CONFIG,
        connectOptions: { user: USERS.a.user, pass: USERS.a.password },
      });
      dir = mkdtempSync(path.join(tmpdir(), "jsplan-tenants-"));
      const xdg = path.join(dir, "xdg");
      mkdirSync(path.join(xdg, "nats", "context"), { recursive: true });
      const ctx = (name: string, who: { user: string; password: string }) =>
        writeFileSync(
          path.join(xdg, "nats", "context", `${name}.json`),
          JSON.stringify({ url: server.url, user: who.user, password: who.password }),
          { mode: 0o600 },
        );
      ctx("a", USERS.a);
      ctx("b", USERS.b);
      ctx("b-reader", USERS.reader);
      ctx("a-again", USERS.a);
      // NATS_URL points nowhere: it is the default target's, never a named context's.
      env = { HOME: dir, XDG_CONFIG_HOME: xdg, NATS_URL: "nats://127.0.0.1:1" };
    });
    after(async () => {
      await server?.stop();
    });
    const file = (name: string, text: string) => {
      const p = path.join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const cli = (...args: string[]) => runCli(args, { env, cwd: dir });

    it("plans grouped by target, applies per account, and each account holds only its own", async () => {
      const a = file("tenant-a.yaml", tenant("a", "tenant-a", "ORDERS", "A_ONLY"));
      // The same stream name in the other account is another stream, not a duplicate.
      const b = file("tenant-b.yaml", tenant("b", "tenant-b", "ORDERS", "B_ONLY"));
      const plan = await cli("plan", a, b, "--detailed-exitcode");
      assert.equal(plan.code, 2, plan.stderr);
      const headA = plan.stdout.indexOf(`Target: context a (${server.url}`);
      const headB = plan.stdout.indexOf(`Target: context b (${server.url}`);
      assert.ok(headA >= 0 && headB > headA, plan.stdout);
      assert.match(plan.stdout.slice(headA, headB), /stream\.A_ONLY will be created/);
      assert.doesNotMatch(plan.stdout.slice(headA, headB), /B_ONLY/);
      assert.match(plan.stdout.slice(headB), /stream\.B_ONLY will be created/);
      assert.equal(plan.stdout.match(/Plan: 2 to create, 0 to update/g)?.length, 2, "a summary per target");
      assert.match(
        plan.stdout,
        /Overall \(2 targets\): 4 to create, 0 to update, 0 to replace, 0 to delete\./,
      );

      const json = await cli("plan", a, b, "--format", "json");
      assert.equal(json.code, 0, json.stderr);
      const doc = JSON.parse(json.stdout);
      assert.ok(validateTargets(JSON.parse(json.stdout)), JSON.stringify(validateTargets.errors));
      assert.deepEqual(
        doc.plans.map((p: { target: { context: string }; owner: string }) => [p.target.context, p.owner]),
        [
          ["a", "tenant-a"],
          ["b", "tenant-b"],
        ],
      );
      assert.equal(doc.summary.create, 4);

      const flagged = await cli("plan", a, b, "-s", "nats://127.0.0.1:1");
      assert.equal(flagged.code, 0, flagged.stderr);
      assert.match(flagged.stderr, /the connection flags \(--server\) are not used/);

      const out = await cli("plan", a, b, "--out", path.join(dir, "saved.json"));
      assert.equal(out.code, 1);
      assert.match(out.stderr, /plan --out does not support a manifest whose files name natscli contexts/);

      const applied = await cli("apply", a, b, "--auto-approve");
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /Applying to context a[\s\S]*Apply complete[\s\S]*Applying to context b/);
      assert.match(applied.stdout, /Targets done: context a \([^)]*\); context b \([^)]*\)/);
      assert.deepEqual(await streamsOf(server, USERS.a), ["A_ONLY", "ORDERS"]);
      assert.deepEqual(await streamsOf(server, USERS.b), ["B_ONLY", "ORDERS"]);

      const again = await cli("plan", a, b, "--detailed-exitcode");
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /Overall \(2 targets\): no changes/);

      // Every target's gates before the first call: a delete in one refuses the whole apply.
      file("tenant-a.yaml", tenant("a", "tenant-a", "ORDERS"));
      file("tenant-b.yaml", tenant("b", "tenant-b", "ORDERS", "B_ONLY", "B_NEW"));
      const refused = await cli("apply", a, b, "--auto-approve");
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /Apply refused; nothing was changed on the server:\n {2}- context a \(/);
      assert.deepEqual(await streamsOf(server, USERS.a), ["A_ONLY", "ORDERS"]);
      assert.deepEqual(await streamsOf(server, USERS.b), ["B_ONLY", "ORDERS"], "no B_NEW: nothing ran");
      file("tenant-a.yaml", tenant("a", "tenant-a", "ORDERS", "A_ONLY"));
      file("tenant-b.yaml", tenant("b", "tenant-b", "ORDERS", "B_ONLY"));

      // --target plans the targets that have the address; one that has none is left out.
      const only = await cli("plan", a, b, "--target", "stream.B_ONLY");
      assert.equal(only.code, 0, only.stderr);
      assert.match(only.stdout, /Target: context b /);
      assert.doesNotMatch(only.stdout, /Target: context a /);
      const unknown = await cli("plan", a, b, "--target", "stream.NOWHERE");
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /--target stream\.NOWHERE: no such resource/);
    });

    it("a failure in one target says which targets were done, which failed and which were not started", async () => {
      const a = file("t1-a.yaml", tenant("a", "t1-a", "FIRST_A"));
      const b = file("t1-b.yaml", tenant("b-reader", "t1-b", "FIRST_B"));
      const c = file("t1-c.yaml", tenant("b", "t1-c", "NEVER_C"));
      const r = await cli("apply", a, b, c, "--auto-approve", "--no-lock");
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        /Targets done: context a \([^)]*\) \| failed: context b-reader \([^)]*\) \| not started: context b \([^)]*\)/,
      );
      assert.ok((await streamsOf(server, USERS.a)).includes("FIRST_A"));
      const inB = await streamsOf(server, USERS.b);
      assert.ok(!inB.includes("FIRST_B") && !inB.includes("NEVER_C"), inB.join(", "));

      const json = await cli("apply", a, b, c, "--auto-approve", "--no-lock", "--format", "json");
      assert.equal(json.code, 1);
      assert.ok(validateResults(JSON.parse(json.stdout)), JSON.stringify(validateResults.errors));
      const doc = JSON.parse(json.stdout);
      assert.deepEqual(
        doc.targets.map((t: { target: { context: string }; status: string }) => [t.target.context, t.status]),
        [
          ["a", "done"],
          ["b-reader", "failed"],
          ["b", "not_started"],
        ],
      );
    });

    it("asks once for every target; anything but yes changes nothing", async () => {
      const a = file("ask-a.yaml", tenant("a", "ask-a", "ASK_A"));
      const b = file("ask-b.yaml", tenant("b", "ask-b", "ASK_B"));
      const r = await runCli(["apply", a, b], { env, cwd: dir, tty: true, answers: ["no"] });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /carry out the plan above on 2 targets: context a \([^)]*\); context b \([^)]*\)/,
      );
      assert.equal(r.stderr.match(/Enter a value/g)?.length, 1);
      assert.ok(!(await streamsOf(server, USERS.a)).includes("ASK_A"));
      assert.ok(!(await streamsOf(server, USERS.b)).includes("ASK_B"));
    });

    it("two contexts that reach the same account are refused before any change", async () => {
      const one = file("same-1.yaml", tenant("a", "same-1", "SAME_1"));
      const two = file("same-2.yaml", tenant("a-again", "same-2", "SAME_2"));
      const r = await cli("apply", one, two, "--auto-approve");
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /context "a(-again)?" and context "a(-again)?" reach the same account/);
      const inA = await streamsOf(server, USERS.a);
      assert.ok(!inA.includes("SAME_1") && !inA.includes("SAME_2"), inA.join(", "));
    });

    it("an unknown context is an error at its `context:` key, naming the contexts there are", async () => {
      const bad = file("typo.yaml", `version: 1\nowner: t\n\ncontext: tenant-z\nstreams: []\n`);
      const r = await cli("plan", bad);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /typo\.yaml:4:1/);
      assert.match(r.stderr, /context "tenant-z" not found/);
      assert.match(r.stderr, /the contexts there are: a, a-again, b, b-reader/);
    });

    it("files without context: are the default target, from the flags; watch refuses contexts", async () => {
      const a = file("mixed-a.yaml", tenant("a", "mixed-a", "MIXED_A"));
      const shared = file(
        "shared.yaml",
        "version: 1\nowner: shared\nstreams:\n  - name: SHARED\n    subjects: [shared.>]\n",
      );
      const flags = ["-s", server.url, "--user", USERS.b.user, "--password", USERS.b.password];
      const r = await cli("apply", shared, a, "--auto-approve", ...flags);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(r.stdout.indexOf("Target: default connection") < r.stdout.indexOf("Target: context a"));
      assert.ok((await streamsOf(server, USERS.b)).includes("SHARED"), "the flags' account");
      assert.ok(!(await streamsOf(server, USERS.a)).includes("SHARED"));
      assert.ok((await streamsOf(server, USERS.a)).includes("MIXED_A"), "the context's account");

      const watch = await cli("watch", a);
      assert.notEqual(watch.code, 0);
      assert.match(watch.stderr, /jsplan watch follows one account/);
    });
  });
}
