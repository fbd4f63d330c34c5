// KV entries against real servers (issue 18): jsplan creates, changes and removes the keys it declares, adopts
// a declared key an application wrote (and says so), never touches an application's key it does not declare,
// keeps sensitive values out of every output, and writes a key only over the revision it planned: a key that
// changed between a saved plan and its apply is reported as changed, not overwritten.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectTo, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { runCli } from "../support/cli.js";

const SECRET = "s3cr3t-token-never-printed";
const NEW_SECRET = "n3w-s3cr3t-never-printed";

const manifest = (entries: string[]) =>
  [
    "version: 1",
    "owner: seeding",
    "key_value:",
    "  - bucket: config",
    "    history: 3",
    ...(entries.length > 0 ? ["    entries:", ...entries.map((e) => `      ${e}`)] : ["    entries: {}"]),
    "",
  ].join("\n");

const FIRST = manifest([
  "feature.dark_mode: 'on'",
  "greeting: hello",
  "retired: soon-gone",
  `api.token: { value: ${SECRET}, sensitive: true }`,
]);
/** SECOND with the secret from the environment, as a saved plan needs it. */
const env = { API_TOKEN: NEW_SECRET };
const fromVariable = () => SECOND.replace(NEW_SECRET, `"${"$"}{API_TOKEN}"`);
const SECOND = manifest([
  "feature.dark_mode: 'off'",
  "greeting: hello",
  "app.adopted: declared-value",
  `api.token: { value: ${NEW_SECRET}, sensitive: true }`,
]);

for (const line of serverLines()) {
  describe(`KV entries, nats-server ${line}`, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    let dir: string;
    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
      dir = mkdtempSync(path.join(tmpdir(), "jsplan-entries-"));
    });
    after(async () => {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const cli = (text: string, ...args: string[]) =>
      runCli([...args, "-", "-s", server.url], { stdin: text });
    /** The key's value, undefined when it is deleted or was never written. */
    const valueAt = async (key: string) => {
      const e = await (await new Kvm(nc).open("config")).get(key);
      return e && e.operation === "PUT" ? e.string() : undefined;
    };
    /** The owner header of the key's last message (the KV client does not show a message's headers). */
    const ownerOf = async (key: string) => {
      const jsm = await jetstreamManager(nc);
      const m = await jsm.streams.getMessage("KV_config", { last_by_subj: `$KV.config.${key}` });
      return m?.header?.get("Jsplan-Owner") || undefined;
    };

    it("creates the bucket with its keys, stamped with the owner; the next plan is empty", async () => {
      const applied = await cli(FIRST, "apply", "--auto-approve");
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(await valueAt("feature.dark_mode"), "on");
      assert.equal(await valueAt("api.token"), SECRET);
      assert.equal(await ownerOf("greeting"), "seeding");
      for (const out of [applied.stdout, applied.stderr]) assert.ok(!out.includes(SECRET), "secret printed");
      const again = await cli(FIRST, "plan", "--detailed-exitcode");
      assert.equal(again.code, 0, again.stdout + again.stderr);
    });

    it("changes and removes only its own keys; an application's key it does not declare is never touched", async () => {
      const kv = await new Kvm(nc).open("config");
      const appRevision = await kv.put("app.state", "written-by-the-app");
      await kv.put("app.adopted", "written-by-the-app");

      const planned = await cli(SECOND, "plan", "--detailed-exitcode");
      assert.equal(planned.code, 2, planned.stderr);
      const text = planned.stdout;
      assert.match(text, /~ kv_entry\.config\.feature\.dark_mode/);
      assert.match(text, /- kv_entry\.config\.retired/);
      assert.match(text, /kv_entry\.config\.app\.adopted[\s\S]*adopting a key an application wrote/);
      assert.match(text, /\(sensitive\)/);
      assert.doesNotMatch(text, /app\.state/);

      const applied = await cli(SECOND, "apply", "--auto-approve");
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(await valueAt("feature.dark_mode"), "off");
      assert.equal(await valueAt("retired"), undefined, "the owned key that is no longer declared is gone");
      assert.equal(await valueAt("api.token"), NEW_SECRET);
      assert.deepEqual(
        [await valueAt("app.adopted"), await ownerOf("app.adopted")],
        ["declared-value", "seeding"],
      );
      const app = await kv.get("app.state");
      assert.deepEqual([app?.string(), app?.revision], ["written-by-the-app", appRevision]);
      assert.equal((await cli(SECOND, "plan", "--detailed-exitcode")).code, 0);
      // Even a manifest that declares no entry at all leaves the application's key where it is.
      await cli(manifest([]), "apply", "--auto-approve");
      assert.equal(await valueAt("app.state"), "written-by-the-app");
      assert.equal(await valueAt("greeting"), undefined);
    });

    it("prints no sensitive value in text, JSON, markdown, saved plans or verbose logs", async () => {
      await cli(FIRST, "apply", "--auto-approve");
      const run = (...args: string[]) =>
        runCli([...args, "-", "-s", server.url], { stdin: fromVariable(), env });
      const file = path.join(dir, "sensitive.plan.json");
      const outputs = [
        await run("plan"),
        await run("plan", "--format", "json"),
        await run("plan", "--format", "markdown"),
        await run("plan", "--out", file, "--verbose"),
      ];
      assert.equal(outputs[3]!.code, 0, outputs[3]!.stderr);
      const saved = readFileSync(file, "utf8");
      assert.ok(!saved.includes(SECRET) && !saved.includes(NEW_SECRET), "a secret is in the saved plan");
      // The saved plan holds a digest of the variable: without the same value the apply refuses it.
      const without = await runCli(["apply", "--plan", file, "--auto-approve", "-s", server.url]);
      assert.equal(without.code, 1);
      assert.match(without.stderr, /is stale; nothing was changed[\s\S]*the variable API_TOKEN is not set/);
      const other = await runCli(["apply", "--plan", file, "--auto-approve", "-s", server.url], {
        env: { API_TOKEN: "something-else" },
      });
      assert.match(other.stderr, /the variable API_TOKEN has another value than when the plan was made/);
      assert.equal(await valueAt("api.token"), SECRET, "nothing was written");
      const applied = await runCli(
        ["apply", "--plan", file, "--auto-approve", "-s", server.url, "--verbose"],
        {
          env,
        },
      );
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(await valueAt("api.token"), NEW_SECRET, "apply --plan wrote it from the environment");
      outputs.push(applied, without, other, await run("apply", "--auto-approve", "--format", "json"));
      for (const r of outputs) {
        for (const out of [r.stdout, r.stderr]) {
          assert.ok(!out.includes(SECRET) && !out.includes(NEW_SECRET), `a secret is printed:\n${out}`);
        }
      }
    });

    it("refuses to save a plan whose manifest holds a sensitive value in its own text", async () => {
      const file = path.join(dir, "literal.plan.json");
      const r = await cli(SECOND, "plan", "--out", file);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /kv_entry\.config\.api\.token is sensitive and its value is written in the manifest's text[\s\S]*set it from a variable/,
      );
      assert.ok(!r.stderr.includes(NEW_SECRET));
      assert.ok(!existsSync(file), "no file was written");
    });

    it("a key another client writes while the prompt waits is reported as changed, and keeps that value", async () => {
      await cli(FIRST, "apply", "--auto-approve");
      const kv = await new Kvm(nc).open("config");
      const r = await runCli(["apply", "-", "-s", server.url], {
        stdin: SECOND,
        tty: true,
        answers: [
          async () => {
            await kv.put("feature.dark_mode", "changed-by-someone");
            return "yes";
          },
        ],
      });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /kv_entry\.config\.feature\.dark_mode changed since the plan was made/);
      assert.match(r.stdout, /1 changed since the plan/);
      assert.equal(
        await valueAt("feature.dark_mode"),
        "changed-by-someone",
        "the other client's write stays",
      );
      assert.equal(await valueAt("greeting"), "hello", "the other steps ran");
    });

    it("a saved plan whose key changed before its apply is stale: nothing is written", async () => {
      await cli(FIRST, "apply", "--auto-approve");
      const file = path.join(dir, "race.plan.json");
      const made = await runCli(["plan", "-", "--out", file, "-s", server.url], {
        stdin: fromVariable(),
        env,
      });
      assert.equal(made.code, 0, made.stderr);
      await (await new Kvm(nc).open("config")).put("feature.dark_mode", "changed-again");

      const applied = await runCli(["apply", "--plan", file, "--auto-approve", "-s", server.url], { env });
      assert.notEqual(applied.code, 0);
      assert.match(applied.stderr, /is stale; nothing was changed/);
      assert.equal(await valueAt("feature.dark_mode"), "changed-again");
      assert.equal(await valueAt("retired"), "soon-gone", "no other step ran");
    });
  });
}
