// Operator (JWT) mode: creds files made in the test (operator, accounts and users signed here, no nsc), with
// LF and CRLF line endings, by flag, environment and context; JWT account limits; and no creds content in
// any output.

import assert from "node:assert/strict";
import path from "node:path";
import { describe } from "node:test";
import { credsAuthenticator } from "@nats-io/transport-node";
import { serverLines } from "../harness/index.js";
import {
  assertCleanFailure,
  assertNoSecrets,
  EMPTY_MANIFEST,
  fullCycle,
  jsplan,
  operatorSetup,
  sharedServer,
  tempDir,
  writeFile,
} from "./support.js";

const q = JSON.stringify;

for (const line of serverLines()) {
  describe(`operator mode with creds files, nats-server ${line}`, () => {
    const op = operatorSetup();
    const { dir: home } = tempDir("jsplan-op-");
    const env = { HOME: home };
    const credsFile = writeFile(path.join(home, "creds", "app.creds"), op.creds);
    const crlfFile = writeFile(path.join(home, "creds", "app-crlf.creds"), op.creds.replace(/\n/g, "\r\n"));
    const smallFile = writeFile(path.join(home, "creds", "small.creds"), op.limitedCreds);
    const test = sharedServer(() => ({
      line,
      config: op.config,
      connectOptions: { authenticator: credsAuthenticator(new TextEncoder().encode(op.creds)) },
    }));

    test("creds by flag, NATS_CREDS and context (with ~ and $VAR paths), LF or CRLF", async (server) => {
      const ok = async (args: string[], extraEnv: Record<string, string> = {}) => {
        const r = await jsplan(["plan", "-", ...args], { ...env, ...extraEnv }, undefined, EMPTY_MANIFEST);
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      };
      await ok(["-s", server.url, "--creds", credsFile]);
      await ok(["-s", server.url, "--creds", crlfFile]);
      await ok(["-s", server.url], { NATS_CREDS: crlfFile });
      await ok([
        "--context",
        writeFile(path.join(home, "c1.json"), q({ url: server.url, creds: "~/creds/app.creds" })),
      ]);
      await ok(
        [
          "--context",
          writeFile(path.join(home, "c2.json"), q({ url: server.url, creds: "$CREDS_DIR/app-crlf.creds" })),
        ],
        {
          CREDS_DIR: path.join(home, "creds"),
        },
      );
      await ok([
        "--context",
        writeFile(
          path.join(home, "c3.json"),
          q({ url: server.url, user_jwt: op.userJwt, user_seed: op.userSeed }),
        ),
      ]);
      // a creds flag replaces the context's user and password
      await ok([
        "--creds",
        credsFile,
        "--context",
        writeFile(path.join(home, "c4.json"), q({ url: server.url, user: "x", password: "not-this-one" })),
      ]);
    });

    test("missing, broken or misplaced creds are clear errors that show no creds content", async (server) => {
      const secrets = [op.userJwt, op.userSeed];
      let r = await jsplan(["plan", "-", "-s", server.url], env, undefined, EMPTY_MANIFEST);
      assertCleanFailure(r, /wants credentials and none were given/, "no creds");
      r = await jsplan(
        ["plan", "-", "-s", server.url, "--creds", path.join(home, "nope.creds")],
        env,
        undefined,
        EMPTY_MANIFEST,
      );
      assertCleanFailure(r, /cannot read the creds file .*nope\.creds: no such file/, "missing file");
      r = await jsplan(
        ["plan", "-", "-s", server.url, `--creds=${op.creds}`],
        env,
        undefined,
        EMPTY_MANIFEST,
      );
      assertCleanFailure(
        r,
        /cannot read the creds file \(a value that looks like a secret itself, not a file name; not shown\)/,
        "content as path",
      );
      assertNoSecrets(r.stdout + r.stderr, secrets, "creds content given as a path");
      const truncated = writeFile(
        path.join(home, "creds", "truncated.creds"),
        op.creds.slice(0, op.creds.indexOf("*")),
      );
      r = await jsplan(["plan", "-", "-s", server.url, "--creds", truncated], env, undefined, EMPTY_MANIFEST);
      assertCleanFailure(
        r,
        /the creds file .*truncated\.creds is not a NATS user credentials file/,
        "no seed",
      );
      assertNoSecrets(r.stdout + r.stderr, secrets, "a broken creds file");
      r = await jsplan(["plan", "-", "-s", server.url, "--nkey", credsFile], env, undefined, EMPTY_MANIFEST);
      assertCleanFailure(
        r,
        /the nkey file .*app\.creds is a creds file \(it holds a user JWT\): pass it with --creds instead/,
        "creds as nkey",
      );
      assertNoSecrets(r.stdout + r.stderr, secrets, "a creds file given as --nkey");
    });

    test("the account's JWT limit on streams: apply refuses before any step, naming the limit", async (server) => {
      const { dir } = tempDir("jsplan-op-");
      // --no-lock: the lock's own stream would take the account's only stream.
      const auth = ["-s", server.url, "--creds", smallFile, "--auto-approve", "--no-lock"];
      writeFile(path.join(dir, "one.yaml"), "version: 1\nowner: small\nstreams:\n  - name: JWT_A\n");
      let r = await jsplan(["apply", "one.yaml", ...auth], env, dir);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      writeFile(
        path.join(dir, "two.yaml"),
        "version: 1\nowner: small\nstreams:\n  - name: JWT_A\n  - name: JWT_B\n",
      );
      r = await jsplan(["apply", "two.yaml", ...auth], env, dir);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      // The preflight knows the JWT's limit: refused at plan time, nothing sent.
      assert.match(
        r.stderr,
        /stream\.JWT_B {2}the account may hold at most 1 stream \(max_streams\).*10027 "maximum number of streams reached"/,
      );
      assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at |internal error/);
    });

    test("no JWT, seed or creds text in any output of a full validate/plan/apply cycle", async (server) => {
      const { dir } = tempDir("jsplan-op-");
      const secrets = [op.userSeed, op.userJwt, ...op.userJwt.split("."), op.creds];
      const cycles = [
        await fullCycle(dir, ["-s", server.url, "--creds", credsFile], env, "SEC_CREDS_FLAG"),
        await fullCycle(dir, ["-s", server.url], { ...env, NATS_CREDS: crlfFile }, "SEC_CREDS_ENV"),
      ];
      for (const c of cycles) assertNoSecrets(c.all, secrets, `the outputs of ${c.runs[1]!.args.join(" ")}`);
    });
  });
}
