// natscli contexts and the precedence of flags over environment over context, against a real server with a
// JetStream domain; and the resolution itself, without a server.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { resolveConnection } from "../../src/cli/connection-args.js";
import { ExitError } from "../../src/cli/exit-error.js";
import { serverLines } from "../harness/index.js";
import {
  assertCleanFailure,
  assertNoSecrets,
  closedPort,
  EMPTY_MANIFEST,
  jsplan,
  sharedServer,
  tempDir,
  writeFile,
} from "./support.js";

/** A HOME with an XDG config folder holding natscli contexts; `selected` goes to context.txt. */
function configHome(contexts: Record<string, Record<string, unknown>>, selected?: string) {
  const { dir } = tempDir("jsplan-ctx-");
  const xdg = path.join(dir, "xdg");
  for (const [name, body] of Object.entries(contexts)) {
    writeFile(path.join(xdg, "nats", "context", `${name}.json`), JSON.stringify(body, null, 2));
  }
  if (selected !== undefined) writeFile(path.join(xdg, "nats", "context.txt"), `${selected}\n`);
  return { home: dir, xdg, env: { HOME: dir, XDG_CONFIG_HOME: xdg } as Record<string, string> };
}

const plan = (args: string[], env: Record<string, string>) =>
  jsplan(["plan", "-", "--format", "json", ...args], env, undefined, EMPTY_MANIFEST);

describe("connection settings: flags > environment > context", () => {
  it("takes each value from the highest level that has it", () => {
    const { env } = configHome(
      { dev: { url: "nats://ctx:4222", user: "ctx-user", password: "ctx-pass", token: "ctx-token" } },
      "dev",
    );
    const fromCtx = resolveConnection({}, env);
    assert.deepEqual(fromCtx.servers, ["nats://ctx:4222"]);
    assert.equal(fromCtx.user, "ctx-user");
    assert.equal(fromCtx.source, 'context "dev"');
    const fromEnv = resolveConnection({}, { ...env, NATS_URL: "nats://env:4222", NATS_PASSWORD: "env-pass" });
    assert.deepEqual(fromEnv.servers, ["nats://env:4222"]);
    assert.equal(fromEnv.user, "ctx-user");
    assert.equal(fromEnv.password, "env-pass");
    const fromFlags = resolveConnection(
      { server: "nats://a:1, nats://b:2", token: "flag-token" },
      { ...env, NATS_URL: "nats://env:4222", NATS_TOKEN: "env-token" },
    );
    assert.deepEqual(fromFlags.servers, ["nats://a:1", "nats://b:2"]);
    assert.equal(fromFlags.token, "flag-token");
    // an empty environment variable is no value
    assert.deepEqual(resolveConnection({}, { ...env, NATS_URL: "" }).servers, ["nats://ctx:4222"]);
  });

  it("uses the identity given at the highest level, not a mix of levels", () => {
    const { env } = configHome({ dev: { creds: "/ctx/user.creds", nkey: "/ctx/user.nk" } }, "dev");
    const ctx = resolveConnection({}, env);
    assert.equal(ctx.creds, "/ctx/user.creds");
    assert.equal(ctx.nkey, undefined, "natscli order: creds before nkey");
    const flagUser = resolveConnection({ user: "u", password: "p" }, env);
    assert.equal(flagUser.creds, undefined, "a user given as a flag replaces the context's creds");
    assert.equal(flagUser.user, "u");
    const envNkey = resolveConnection({}, { ...env, NATS_NKEY: "/env/user.nk" });
    assert.equal(envNkey.nkey, "/env/user.nk");
    assert.equal(envNkey.creds, undefined);
    const { env: env2 } = configHome({ dev: { user: "cu", password: "cp" } }, "dev");
    const envCreds = resolveConnection({}, { ...env2, NATS_CREDS: "/env/u.creds" });
    assert.equal(envCreds.creds, "/env/u.creds");
    assert.equal(envCreds.user, undefined);
  });

  it("expands ~ and environment variables in the context's file paths", () => {
    const { env, home } = configHome(
      {
        dev: {
          creds: "~/keys/user.creds",
          cert: "$CERTS/client.pem",
          key: "${CERTS}/client-key.pem",
          ca: "file://~/ca.pem",
        },
      },
      "dev",
    );
    const s = resolveConnection({}, { ...env, CERTS: "/etc/certs" });
    assert.equal(s.creds, path.join(home, "keys/user.creds"));
    assert.deepEqual(s.tls, {
      cert: "/etc/certs/client.pem",
      key: "/etc/certs/client-key.pem",
      ca: path.join(home, "ca.pem"),
    });
  });

  it("reads password and token from env:// references, and refuses other references", () => {
    const { env } = configHome({ a: { user: "u", password: "env://PW" }, b: { token: "op://vault/nats" } });
    assert.equal(resolveConnection({ context: "a" }, { ...env, PW: "from-env" }).password, "from-env");
    assert.throws(
      () => resolveConnection({ context: "a" }, env),
      (e: unknown) => {
        assert.ok(e instanceof ExitError);
        assert.match(e.message, /environment variable PW, which is not set/);
        return true;
      },
    );
    assert.throws(
      () => resolveConnection({ context: "b" }, env),
      /op: reference, which jsplan does not read/,
    );
  });

  it("chooses between a JetStream domain and an API prefix", () => {
    const { env } = configHome({ dev: { jetstream_domain: "hub" } }, "dev");
    assert.equal(resolveConnection({}, env).jsDomain, "hub");
    assert.equal(resolveConnection({ "js-domain": "leaf" }, env).jsDomain, "leaf");
    const prefixed = resolveConnection({ "js-api-prefix": "$JS.x.API" }, env);
    assert.equal(prefixed.jsDomain, undefined, "an API prefix flag replaces the context's domain");
    assert.equal(prefixed.jsApiPrefix, "$JS.x.API");
    assert.ok(!resolveConnection({ "js-domain": "" }, env).jsDomain, "--js-domain '' clears it");
    assert.throws(
      () => resolveConnection({ "js-domain": "a", "js-api-prefix": "b" }, {}),
      /cannot be used together/,
    );
  });
});

for (const line of serverLines()) {
  describe(`natscli contexts against nats-server ${line}`, () => {
    const test = sharedServer(() => ({ line, jetstreamConfig: "domain: hub" }));

    test("selects the context named in context.txt, by --context, by NATS_CONTEXT, or by file path", async (server) => {
      const deadPort = await closedPort();
      const { env, home, xdg } = configHome(
        {
          good: { url: server.url, description: "the test server" },
          broken: { url: `nats://127.0.0.1:${deadPort}` },
        },
        "good",
      );
      let r = await plan([], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).server.domain, "hub");

      const other = configHome(
        { good: { url: server.url }, broken: { url: `nats://127.0.0.1:${deadPort}` } },
        "broken",
      );
      const brokenSelected = other.env;
      r = await plan([], brokenSelected);
      assertCleanFailure(
        r,
        new RegExp(`127\\.0\\.0\\.1:${deadPort}.*connection refused.*context "broken"`),
        "broken",
      );
      r = await plan(["--context", "good"], brokenSelected);
      assert.equal(r.code, 0, r.stderr);
      r = await plan([], { ...brokenSelected, NATS_CONTEXT: "good" });
      assert.equal(r.code, 0, r.stderr);
      r = await plan(["--context", "broken"], { ...brokenSelected, NATS_CONTEXT: "good" });
      assert.equal(r.code, 1, "--context wins over NATS_CONTEXT");

      // a context file anywhere, by path, also with ~
      const file = writeFile(
        path.join(other.home, "elsewhere", "prod.json"),
        JSON.stringify({ url: server.url }),
      );
      r = await plan(["--context", file], brokenSelected);
      assert.equal(r.code, 0, r.stderr);
      r = await plan(["--context", "~/elsewhere/prod.json"], brokenSelected);
      assert.equal(r.code, 0, r.stderr);
      r = await plan([], { ...brokenSelected, NATS_CONTEXT: file });
      assert.equal(r.code, 0, r.stderr);
      // the default folder without XDG_CONFIG_HOME is ~/.config/nats
      const plainHome = tempDir("jsplan-ctx-").dir;
      writeFile(path.join(plainHome, ".config/nats/context/dflt.json"), JSON.stringify({ url: server.url }));
      writeFile(path.join(plainHome, ".config/nats/context.txt"), "dflt");
      r = await plan([], { HOME: plainHome });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(home && xdg);
    });

    test("flags override the environment, which overrides the context", async (server) => {
      const deadPort = await closedPort();
      const dead = `nats://127.0.0.1:${deadPort}`;
      const { env } = configHome({ wrong: { url: dead }, right: { url: server.url } }, "wrong");
      let r = await plan([], { ...env, NATS_URL: server.url });
      assert.equal(r.code, 0, `NATS_URL over the context's url: ${r.stderr}`);
      r = await plan(["-s", server.url], { ...env, NATS_URL: dead });
      assert.equal(r.code, 0, `-s over NATS_URL: ${r.stderr}`);
      r = await plan(["--context", "right"], { ...env, NATS_URL: dead });
      assertCleanFailure(
        r,
        new RegExp(`cannot connect to nats://127\\.0\\.0\\.1:${deadPort}`),
        "NATS_URL wins",
      );
    });

    test("a missing or broken context is a clear error", async (server) => {
      const { env, home } = configHome({ good: { url: server.url } });
      let r = await plan(["--context", "nope"], env);
      assertCleanFailure(
        r,
        /context "nope" not found: no .*nope\.json; list the contexts with `nats context ls`/,
        "missing",
      );
      r = await plan([], { ...env, NATS_CONTEXT: "nope" });
      assertCleanFailure(r, /context "nope" not found/, "missing by NATS_CONTEXT");
      const selected = configHome({}, "gone").env;
      r = await plan([], selected);
      assertCleanFailure(
        r,
        /context "gone" not found: .*\(it is selected in .*context\.txt\)/,
        "selected but missing",
      );
      // Settings jsplan cannot honour are refused, not ignored.
      const proxied = writeFile(
        path.join(home, "proxied.json"),
        JSON.stringify({ url: server.url, socks_proxy: "127.0.0.1:1080" }),
      );
      r = await plan(["--context", proxied], env);
      assertCleanFailure(r, /sets socks_proxy, which jsplan does not support/, "socks proxy");
      // --no-context, as natscli's: the selected context is not read at all.
      r = await plan(["--no-context", "-s", server.url], selected);
      assert.equal(r.code, 0, `${r.stderr}${r.stdout}`);
      r = await plan(["--context", path.join(home, "missing.json")], env);
      assertCleanFailure(r, /context file .*missing\.json not found/, "missing file");

      const secret = "hunter2-context-password";
      const bad = writeFile(
        path.join(home, "bad.json"),
        `{\n  "url": "${server.url}",\n  "user": "admin",\n  "password": ${secret}\n}\n`,
      );
      r = await plan(["--context", bad], env);
      assertCleanFailure(r, /context file .*bad\.json is not valid JSON at line 4, column \d+/, "bad JSON");
      assertNoSecrets(r.stderr + r.stdout, [secret], "the error about a broken context");
    });

    test("a JetStream domain from --js-domain, the context, or as an API prefix", async (server) => {
      const { env } = configHome({
        hub: { url: server.url, jetstream_domain: "hub" },
        wrong: { url: server.url, jetstream_domain: "spoke" },
        prefix: { url: server.url, jetstream_api_prefix: "$JS.hub.API" },
      });
      for (const args of [
        ["-s", server.url, "--js-domain", "hub"],
        ["--context", "hub"],
        ["--context", "prefix"],
        ["--context", "wrong", "--js-domain", "hub"],
        ["-s", server.url, "--js-api-prefix", "$JS.hub.API"],
        ["--context", "wrong", "--js-api-prefix", "$JS.API"],
      ]) {
        const r = await plan(args, env);
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      }
      const started = Date.now();
      let r = await plan(["--context", "wrong"], env);
      assertCleanFailure(
        r,
        /JetStream is not available at nats:\/\/127\.0\.0\.1:\d+ in domain "spoke": nothing answers on \$JS\.spoke\.API\.INFO; the server's own JetStream domain is "hub"\. Check --js-domain/,
        "wrong domain",
      );
      assert.ok(
        Date.now() - started < 3000,
        "a wrong domain fails at once (no responders), without a timeout",
      );
      r = await plan(["-s", server.url, "--js-api-prefix", "$JS.nowhere.API"], env);
      assertCleanFailure(
        r,
        /under the API prefix "\$JS\.nowhere\.API": nothing answers on \$JS\.nowhere\.API\.INFO/,
        "prefix",
      );
    });
  });
}
