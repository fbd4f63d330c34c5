// User/password, nkey and token authentication against real servers, through flags, environment, URL and
// natscli context; refused credentials, permissions and account limits; and that no secret is ever printed.

import assert from "node:assert/strict";
import path from "node:path";
import { describe } from "node:test";
import { nkeys } from "@nats-io/transport-node";
import { serverLines } from "../harness/index.js";
import {
  assertCleanFailure,
  assertNoSecrets,
  EMPTY_MANIFEST,
  fullCycle,
  jsplan,
  seedOf,
  sharedServer,
  tempDir,
  writeFile,
} from "./support.js";

const ADMIN_PASSWORD = "s3cret-Admin:pw@with/odd chars!";
const READER_PASSWORD = "r3ader-pw-6f1d2c";
const NOSUB_PASSWORD = "n0sub-pw-91a7b0";
const NOJS_PASSWORD = "n0js-pw-3c88e1";
const SMALL_PASSWORD = "sm4ll-pw-55d0aa";
const TOKEN = "t0ken-8d1f0b2a77c94e1d";

/** What a user needs to read JetStream state and nothing more (no STREAM.CREATE): docs/connection.md's list. */
const READ_ONLY = ["$JS.API.INFO", "$JS.API.STREAM.LIST", "$JS.API.STREAM.INFO.*", "$JS.API.CONSUMER.LIST.*"];

const q = JSON.stringify;

function manifest(owner: string, ...streams: Array<string | { name: string; extra: string[] }>): string {
  const lines = ["version: 1", `owner: ${owner}`, "streams:"];
  for (const s of streams) {
    const name = typeof s === "string" ? s : s.name;
    lines.push(`  - name: ${name}`, `    subjects: ["${name.toLowerCase()}.>"]`);
    if (typeof s !== "string") lines.push(...s.extra.map((l) => `    ${l}`));
  }
  return `${lines.join("\n")}\n`;
}

for (const line of serverLines()) {
  describe(`user/password and nkey authentication, nats-server ${line}`, () => {
    const nkeyUser = nkeys.createUser();
    const otherNkey = nkeys.createUser();
    const seed = seedOf(nkeyUser);
    const { dir: home } = tempDir("jsplan-auth-");
    const env = { HOME: home };
    const seedFile = writeFile(path.join(home, "keys", "user.nk"), `${seed}\n`);
    const test = sharedServer(() => ({
      line,
      connectOptions: { user: "admin", pass: ADMIN_PASSWORD },
      config: `
accounts {
  APP: {
    jetstream: enabled
    users: [
      { user: admin, password: ${q(ADMIN_PASSWORD)} }
      { nkey: ${nkeyUser.getPublicKey()} }
      { user: reader, password: ${q(READER_PASSWORD)}, permissions: { publish: { allow: ${q(READ_ONLY)} }, subscribe: { allow: ["_INBOX.>"] } } }
      { user: infoonly, password: ${q(READER_PASSWORD)}, permissions: { publish: { allow: ["$JS.API.INFO"] }, subscribe: { allow: ["_INBOX.>"] } } }
      { user: nosub, password: ${q(NOSUB_PASSWORD)}, permissions: { publish: { allow: ["$JS.API.>"] }, subscribe: { allow: ["nothing.here"] } } }
    ]
  }
  NOJS: { users: [ { user: nojs, password: ${q(NOJS_PASSWORD)} } ] }
  SMALL: {
    jetstream: { max_streams: 1, max_file: 1MB, max_mem: 1MB }
    users: [ { user: small, password: ${q(SMALL_PASSWORD)} } ]
  }
}`,
    }));

    test("user and password from flags, environment, URL and context", async (server) => {
      const ok = async (args: string[], extraEnv: Record<string, string> = {}) => {
        const r = await jsplan(["plan", "-", ...args], { ...env, ...extraEnv }, undefined, EMPTY_MANIFEST);
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
        assertNoSecrets(r.stdout + r.stderr, [ADMIN_PASSWORD], "plan output");
      };
      await ok(["-s", server.url, "--user", "admin", "--password", ADMIN_PASSWORD]);
      await ok(["-s", server.url], { NATS_USER: "admin", NATS_PASSWORD: ADMIN_PASSWORD });
      await ok(["-s", `nats://admin:${encodeURIComponent(ADMIN_PASSWORD)}@127.0.0.1:${server.port}`]);
      await ok(["-s", `admin:${encodeURIComponent(ADMIN_PASSWORD)}@127.0.0.1:${server.port}`]);
      const ctx = writeFile(
        path.join(home, "ctx", "admin.json"),
        q({ url: server.url, user: "admin", password: ADMIN_PASSWORD }),
      );
      await ok(["--context", ctx]);
      // the flag's password beats the environment's wrong one
      await ok(["-s", server.url, "--password", ADMIN_PASSWORD], {
        NATS_USER: "admin",
        NATS_PASSWORD: "wrong-pw-1",
      });
    });

    test("refused or missing credentials are one clear line, with the URL redacted", async (server) => {
      const wrong = "wr0ng-password-x1";
      let r = await jsplan(
        ["plan", "-", "-s", server.url, "--user", "admin", "--password", wrong],
        env,
        undefined,
        EMPTY_MANIFEST,
      );
      assertCleanFailure(
        r,
        /the server at nats:\/\/127\.0\.0\.1:\d+ refused the credentials \(the user and password\): check them/,
        "wrong password",
      );
      r = await jsplan(
        ["plan", "-", "-s", `nats://admin:${wrong}@127.0.0.1:${server.port}`],
        env,
        undefined,
        EMPTY_MANIFEST,
      );
      assertCleanFailure(
        r,
        /the server at nats:\/\/\*\*\*@127\.0\.0\.1:\d+ refused the credentials \(the user and password in the URL\)/,
        "wrong password in URL",
      );
      assertNoSecrets(r.stdout + r.stderr, [wrong], "the refusal");
      r = await jsplan(["plan", "-", "-s", server.url], env, undefined, EMPTY_MANIFEST);
      assertCleanFailure(
        r,
        /the server at nats:\/\/127\.0\.0\.1:\d+ wants credentials and none were given: pass --creds, --nkey, --user and --password, or --token/,
        "none",
      );
      const ctx = writeFile(
        path.join(home, "ctx", "wrong.json"),
        q({ url: server.url, user: "admin", password: wrong }),
      );
      r = await jsplan(["plan", "-", "--context", ctx, "--verbose"], env, undefined, EMPTY_MANIFEST);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /refused the credentials \(the user and password\): check them, or the context in use \(context "wrong"\)/,
      );
      assertNoSecrets(r.stdout + r.stderr, [wrong], "the refusal with --verbose");
    });

    test("nkey seed files: by flag, environment and context path with ~; bad files say what is wrong", async (server) => {
      const ok = async (args: string[], extraEnv: Record<string, string> = {}) => {
        const r = await jsplan(
          ["plan", "-", "-s", server.url, ...args],
          { ...env, ...extraEnv },
          undefined,
          EMPTY_MANIFEST,
        );
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      };
      await ok(["--nkey", seedFile]);
      await ok([], { NATS_NKEY: seedFile });
      await ok(["--context", writeFile(path.join(home, "ctx", "nk.json"), q({ nkey: "~/keys/user.nk" }))]);
      await ok(["--context", writeFile(path.join(home, "ctx", "nk2.json"), q({ nkey: "$KEYS/user.nk" }))], {
        KEYS: path.join(home, "keys"),
      });
      // a seed file with CRLF and surrounding text (as `nsc` decorates it)
      const decorated = writeFile(
        path.join(home, "keys", "decorated.nk"),
        `-----BEGIN USER NKEY SEED-----\r\n${seed}\r\n------END USER NKEY SEED------\r\n`,
      );
      await ok(["--nkey", decorated]);

      let r = await jsplan(["plan", "-", "-s", server.url, "--nkey", seed], env, undefined, EMPTY_MANIFEST);
      assertCleanFailure(
        r,
        /cannot read the nkey seed file \(a value that looks like a secret itself, not a file name; not shown\): no such file; --nkey takes the path of a file, not its content/,
        "seed as path",
      );
      assertNoSecrets(r.stderr + r.stdout, [seed], "the seed given as a path");
      const garbage = writeFile(path.join(home, "keys", "garbage.nk"), "not a seed\n");
      r = await jsplan(["plan", "-", "-s", server.url, "--nkey", garbage], env, undefined, EMPTY_MANIFEST);
      assertCleanFailure(r, /the nkey file .*garbage\.nk holds no user nkey seed/, "garbage");
      const broken = writeFile(path.join(home, "keys", "broken.nk"), `${seed.slice(0, -2)}AA\n`);
      r = await jsplan(["plan", "-", "-s", server.url, "--nkey", broken], env, undefined, EMPTY_MANIFEST);
      assertCleanFailure(
        r,
        /the seed in the nkey file .*broken\.nk is not a valid user nkey seed/,
        "checksum",
      );
      assertNoSecrets(r.stderr + r.stdout, [seed.slice(0, -2)], "a broken seed");
      r = await jsplan(
        ["plan", "-", "-s", server.url, "--nkey", path.join(home, "keys", "none.nk")],
        env,
        undefined,
        EMPTY_MANIFEST,
      );
      assertCleanFailure(r, /cannot read the nkey seed file .*none\.nk: no such file$/m, "missing");
      const unknown = writeFile(path.join(home, "keys", "unknown.nk"), seedOf(otherNkey));
      r = await jsplan(["plan", "-", "-s", server.url, "--nkey", unknown], env, undefined, EMPTY_MANIFEST);
      assertCleanFailure(r, /refused the credentials \(the nkey seed\)/, "unknown nkey");
    });

    test("a user that may read JetStream state but not create streams: plan works, apply names the refused subject", async (server) => {
      const { dir } = tempDir("jsplan-auth-");
      // something to read: a stream with a consumer, made by the admin
      const existing = {
        name: "READONLY_OLD",
        extra: ["consumers:", "  - name: c1", "    ack_policy: explicit"],
      };
      writeFile(path.join(dir, "existing.yaml"), manifest("readers", existing));
      let r = await jsplan(
        [
          "apply",
          "existing.yaml",
          "-s",
          server.url,
          "--user",
          "admin",
          "--password",
          ADMIN_PASSWORD,
          "--auto-approve",
        ],
        env,
        dir,
      );
      assert.equal(r.code, 0, r.stderr + r.stdout);
      writeFile(path.join(dir, "jsplan.yaml"), manifest("readers", existing, "READONLY_X"));
      const auth = ["-s", server.url, "--user", "reader", "--password", READER_PASSWORD];
      r = await jsplan(["plan", ...auth, "--format", "json"], env, dir);
      assert.equal(r.code, 0, r.stderr);
      const changes = (JSON.parse(r.stdout) as { changes: Array<{ address: string; action: string }> })
        .changes;
      assert.deepEqual(changes.map((c) => `${c.address} ${c.action}`).sort(), [
        "consumer.READONLY_OLD.c1 no-op",
        "stream.READONLY_OLD no-op",
        "stream.READONLY_X create",
      ]);
      // The apply lock comes first: refused before any step, naming what the lock needs.
      r = await jsplan(["apply", ...auth, "--auto-approve"], env, dir);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /Apply refused: jsplan may not take its apply lock \(\$JSPLAN\.lease\.apply\): permission denied: publishing to \$JSPLAN\.lease\.apply; the lock needs publish permission on .*--no-lock/,
      );
      r = await jsplan(["apply", ...auth, "--auto-approve", "--no-lock"], env, dir);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const all = r.stdout + r.stderr;
      assert.match(
        all,
        /stream\.READONLY_X create failed .*permission denied: publishing to \$JS\.API\.STREAM\.CREATE\.READONLY_X/,
      );
      assert.doesNotMatch(all, /\n\s+at |internal error/);
      r = await jsplan(["apply", ...auth, "--auto-approve", "--no-lock", "--format", "json"], env, dir);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /\$JS\.API\.STREAM\.CREATE\.READONLY_X/);

      // a user that may not even list streams: plan stops, naming the subject
      r = await jsplan(
        ["plan", "-s", server.url, "--user", "infoonly", "--password", READER_PASSWORD],
        env,
        dir,
      );
      assertCleanFailure(r, /\$JS\.API\.STREAM\.LIST/, "no STREAM.LIST");
      // a user whose replies cannot reach it
      r = await jsplan(["plan", "-s", server.url, "--user", "nosub", "--password", NOSUB_PASSWORD], env, dir);
      assertCleanFailure(
        r,
        /permission denied at nats:\/\/127\.0\.0\.1:\d+: the user may not subscribe to its reply subjects \(_INBOX\.[^)]*\); it needs subscribe permission on _INBOX\.>/,
        "no inbox",
      );
      // an account without JetStream
      r = await jsplan(["plan", "-s", server.url, "--user", "nojs", "--password", NOJS_PASSWORD], env, dir);
      assertCleanFailure(
        r,
        /JetStream is not enabled for this account at nats:\/\/127\.0\.0\.1:\d+; ask the operator to give the account JetStream limits/,
        "no JetStream",
      );
      assertNoSecrets(all + r.stderr, [READER_PASSWORD, NOSUB_PASSWORD, NOJS_PASSWORD], "permission errors");
    });

    test("account limits reached: apply refuses before any step, naming the limit", async (server) => {
      const { dir } = tempDir("jsplan-auth-");
      // --no-lock: the lock's own stream would take the account's only stream (see the test after this).
      const auth = [
        ...["-s", server.url, "--user", "small", "--password", SMALL_PASSWORD, "--auto-approve"],
        "--no-lock",
      ];
      writeFile(path.join(dir, "one.yaml"), manifest("small", "SMALL_A"));
      let r = await jsplan(["apply", "one.yaml", ...auth], env, dir);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      // streams are created concurrently: add the second one alone, so the limit decides and not a race
      writeFile(path.join(dir, "two.yaml"), manifest("small", "SMALL_A", "SMALL_B"));
      r = await jsplan(["apply", "two.yaml", ...auth], env, dir);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      // The preflight knows the account's limits: refused at plan time, nothing sent.
      assert.match(
        r.stderr,
        /stream\.SMALL_B {2}the account may hold at most 1 stream \(max_streams\).*10027 "maximum number of streams reached"/,
      );
      assert.match(r.stderr, /nothing was changed on the server/);
      assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at |internal error/);
      // the account's 1 MB of file storage
      writeFile(
        path.join(dir, "big.yaml"),
        manifest("small", { name: "SMALL_A", extra: ["max_bytes: 2MB"] }),
      );
      r = await jsplan(["apply", "big.yaml", ...auth], env, dir);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /stream\.SMALL_A {2}.*10047/);
      assert.match(r.stderr, /nothing was changed on the server/);
    });

    test("an account without room for the apply lock's stream: apply is refused before any step", async (server) => {
      const { dir } = tempDir("jsplan-auth-");
      const auth = ["-s", server.url, "--user", "small", "--password", SMALL_PASSWORD, "--auto-approve"];
      writeFile(path.join(dir, "one.yaml"), manifest("small", "SMALL_A"));
      const r = await jsplan(["apply", "one.yaml", ...auth, "--no-lock"], env, dir);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const again = await jsplan(["apply", "one.yaml", ...auth], env, dir);
      assert.equal(again.code, 1, again.stderr + again.stdout);
      assert.match(
        again.stderr,
        /Apply refused: the account has no room for jsplan's apply lock \(stream JSPLAN_LEASE, one stream and at most 4 KiB of file storage\): maximum number of streams reached \(error 10027\); raise the account's limit by that much, or run with --no-lock; nothing was changed/,
      );
    });

    test("no password or seed in any output of a full validate/plan/apply cycle", async (server) => {
      const { dir } = tempDir("jsplan-auth-");
      const secrets = [ADMIN_PASSWORD, encodeURIComponent(ADMIN_PASSWORD), seed];
      const cycles = [
        await fullCycle(
          dir,
          ["-s", server.url, "--user", "admin", "--password", ADMIN_PASSWORD],
          env,
          "SEC_PW_FLAG",
        ),
        await fullCycle(
          dir,
          ["-s", server.url],
          { ...env, NATS_USER: "admin", NATS_PASSWORD: ADMIN_PASSWORD },
          "SEC_PW_ENV",
        ),
        await fullCycle(
          dir,
          ["-s", `nats://admin:${encodeURIComponent(ADMIN_PASSWORD)}@127.0.0.1:${server.port}`],
          env,
          "SEC_PW_URL",
        ),
        await fullCycle(dir, ["-s", server.url, "--nkey", seedFile], env, "SEC_NKEY"),
        await fullCycle(
          dir,
          [
            "--context",
            writeFile(
              path.join(dir, "secret-context.json"),
              q({ url: server.url, user: "admin", password: ADMIN_PASSWORD }),
            ),
          ],
          env,
          "SEC_PW_CONTEXT",
        ),
      ];
      for (const c of cycles) assertNoSecrets(c.all, secrets, `the outputs of ${c.runs[1]!.args.join(" ")}`);
    });
  });

  describe(`token authentication, nats-server ${line}`, () => {
    const { dir: home } = tempDir("jsplan-token-");
    const env = { HOME: home };
    const test = sharedServer(() => ({
      line,
      connectOptions: { token: TOKEN },
      config: `authorization { token: ${q(TOKEN)} }`,
    }));

    test("token from --token, NATS_TOKEN, the URL, --user alone and the context; a wrong one is refused", async (server) => {
      const ok = async (args: string[], extraEnv: Record<string, string> = {}) => {
        const r = await jsplan(["plan", "-", ...args], { ...env, ...extraEnv }, undefined, EMPTY_MANIFEST);
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      };
      await ok(["-s", server.url, "--token", TOKEN]);
      await ok(["-s", server.url], { NATS_TOKEN: TOKEN });
      await ok(["-s", `nats://${TOKEN}@127.0.0.1:${server.port}`]);
      await ok(["-s", server.url, "--user", TOKEN]);
      await ok(["--context", writeFile(path.join(home, "tok.json"), q({ url: server.url, token: TOKEN }))]);
      await ok(["-s", server.url, "--token", TOKEN], { NATS_TOKEN: "wrong-token-from-env" });

      let r = await jsplan(
        ["plan", "-", "-s", server.url, "--token", "wrong-token-1234"],
        env,
        undefined,
        EMPTY_MANIFEST,
      );
      assertCleanFailure(r, /refused the credentials \(the token\): check them/, "wrong token");
      r = await jsplan(
        ["plan", "-", "-s", `nats://wrong-token-1234@127.0.0.1:${server.port}`],
        env,
        undefined,
        EMPTY_MANIFEST,
      );
      assertCleanFailure(
        r,
        /the server at nats:\/\/\*\*\*@127\.0\.0\.1:\d+ refused the credentials \(the token in the URL\)/,
        "wrong token in URL",
      );
      assertNoSecrets(r.stderr + r.stdout, ["wrong-token-1234"], "the refusal");
    });

    test("no token in any output of a full validate/plan/apply cycle", async (server) => {
      const { dir } = tempDir("jsplan-token-");
      const cycles = [
        await fullCycle(dir, ["-s", server.url, "--token", TOKEN], env, "SEC_TOKEN_FLAG"),
        await fullCycle(dir, ["-s", server.url], { ...env, NATS_TOKEN: TOKEN }, "SEC_TOKEN_ENV"),
        await fullCycle(dir, ["-s", `nats://${TOKEN}@127.0.0.1:${server.port}`], env, "SEC_TOKEN_URL"),
      ];
      for (const c of cycles) assertNoSecrets(c.all, [TOKEN], `the outputs of ${c.runs[1]!.args.join(" ")}`);
    });
  });
}
