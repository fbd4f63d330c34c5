// Connection failures that do not need credentials: nothing listening, a silent port, a host that does not
// resolve, a server without JetStream; URL redaction; and secrets in flags that the parser could echo.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveConnection } from "../../src/connection/resolve.js";
import { redactUrl } from "../../src/connection/url.js";
import { serverLines } from "../harness/index.js";
import {
  assertCleanFailure,
  assertNoSecrets,
  closedPort,
  EMPTY_MANIFEST,
  jsplan,
  sharedServer,
  silentListener,
  tempDir,
} from "./support.js";

const { dir: home } = tempDir("jsplan-err-");
const env = { HOME: home };
const plan = (args: string[], extraEnv: Record<string, string> = {}) =>
  jsplan(["plan", "-", ...args], { ...env, ...extraEnv }, undefined, EMPTY_MANIFEST);

describe("URLs are printed without credentials", () => {
  it("redacts user, password and token in every URL form", () => {
    const cases: Array<[string, string]> = [
      ["nats://u:p@host:4222", "nats://***@host:4222"],
      ["tls://token@host:4222", "tls://***@host:4222"],
      ["u:p@127.0.0.1:4222", "***@127.0.0.1:4222"],
      ["nats://u:p%40ss@host", "nats://***@host"],
      ["nats://u:p@ss/w:rd@host:1", "nats://***@host:1"],
      ["nats://host:4222", "nats://host:4222"],
      ["host", "host"],
      [" nats://u:p@host ", "nats://***@host"],
    ];
    for (const [url, shown] of cases) assert.equal(redactUrl(url), shown, url);
  });

  it("takes the last of a repeated flag", () => {
    const s = resolveConnection({ server: ["nats://a:1", "nats://b:2"] as unknown as string }, env);
    assert.deepEqual(s.servers, ["nats://b:2"]);
  });
});

describe("connection failures without a server", () => {
  it("nothing listening: names the address and how long it took, exit 1 at once", async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await plan(["-s", `nats://127.0.0.1:${port}`, "--timeout", "1s"]);
    assertCleanFailure(
      r,
      new RegExp(
        `cannot connect to nats://127\\.0\\.0\\.1:${port}: connection refused after \\d+\\.\\ds \\(nothing listens there\\)\\. Is the server running\\? Set the address with -s/--server or NATS_URL`,
      ),
      "refused",
    );
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    const other = await closedPort();
    const both = await plan(["-s", `127.0.0.1:${port},127.0.0.1:${other}`]);
    assertCleanFailure(
      both,
      new RegExp(`127\\.0\\.0\\.1:${port}, 127\\.0\\.0\\.1:${other}: connection refused`),
      "two servers",
    );
  });

  it("a port that accepts and says nothing: names the address and the wait, within the timeout", async () => {
    const silent = await silentListener();
    try {
      const started = Date.now();
      const r = await plan(["-s", `127.0.0.1:${silent.port}`, "--timeout", "1s"]);
      const took = Date.now() - started;
      assertCleanFailure(
        r,
        new RegExp(
          `cannot connect to 127\\.0\\.0\\.1:${silent.port}: the connection opened but no NATS greeting came after 1\\.\\ds`,
        ),
        "silent",
      );
      assert.ok(took >= 900 && took < 3000, `took ${took} ms`);
      const fromEnv = await plan([], { NATS_URL: `nats://127.0.0.1:${silent.port}`, NATS_TIMEOUT: "1s" });
      assertCleanFailure(fromEnv, /no NATS greeting came after 1\.\ds/, "NATS_TIMEOUT");
    } finally {
      await silent.close();
    }
  });

  it("a host name that does not resolve", async () => {
    const r = await plan(["-s", "nats://no-such-host.invalid:4222", "--timeout", "2s"]);
    assertCleanFailure(
      r,
      /cannot connect to nats:\/\/no-such-host\.invalid:4222: the host name does not resolve/,
      "dns",
    );
  });

  it("a bad --timeout is a usage error", async () => {
    const r = await plan(["--timeout", "soon"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--timeout must be a duration such as 5s or 30s \(got "soon"\)/);
  });

  it("credentials in a URL or a flag never reach the output, even when the flag is misparsed", async () => {
    const port = await closedPort();
    const secret = "Xyzzy-pa55word-77";
    const runs = [
      await plan(["-s", `nats://admin:${secret}@127.0.0.1:${port}`, "--verbose"]),
      await plan(["-s", `nats://${secret}@127.0.0.1:${port}`]),
      await plan(["-s", `127.0.0.1:${port}`], { NATS_URL: `nats://u:${secret}@h:1` }),
      await plan([], { NATS_URL: `nats://u:${secret}@127.0.0.1:${port}` }),
      await plan(["-s", `127.0.0.1:${port}`, "--password", `-${secret}`]),
      await plan(["-s", `127.0.0.1:${port}`, "--token", `--${secret}`]),
      await plan(["-s", `127.0.0.1:${port}`, "--user", "u", `--password=-${secret}`]),
    ];
    for (const r of runs) {
      assert.equal(r.code, 1);
      assertNoSecrets(r.stdout + r.stderr, [secret], `jsplan's output (${r.stderr.trim()})`);
    }
    assert.match(runs[0]!.stderr, new RegExp(`nats://\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
    assert.match(runs[4]!.stderr, /Not enough arguments following: password/);
  });
});

for (const line of serverLines()) {
  describe(`a server without JetStream, nats-server ${line}`, () => {
    const test = sharedServer(() => ({ line, jetstream: false }));

    test("says JetStream is not enabled, at once", async (server) => {
      const started = Date.now();
      const r = await plan(["-s", server.url]);
      assertCleanFailure(
        r,
        /JetStream is not available at nats:\/\/127\.0\.0\.1:\d+: nothing answers on \$JS\.API\.INFO\. Enable JetStream on the server/,
        "no JetStream",
      );
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
      const domain = await plan(["-s", server.url, "--js-domain", "hub"]);
      assertCleanFailure(
        domain,
        /in domain "hub": nothing answers on \$JS\.hub\.API\.INFO\. Check --js-domain/,
        "with a domain",
      );
      // validate needs no server at all
      const v = await jsplan(["validate", "-"], env, undefined, EMPTY_MANIFEST);
      assert.equal(v.code, 0, v.stderr);
    });
  });
}
