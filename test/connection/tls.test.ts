// TLS with a private CA and client certificates made by openssl in the test, by flags, environment and
// context; TLS-first; and what each TLS mistake is called.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { serverLines } from "../harness/index.js";
import {
  assertCleanFailure,
  assertNoSecrets,
  EMPTY_MANIFEST,
  fullCycle,
  haveOpenssl,
  jsplan,
  makeTls,
  sharedServer,
  type TlsFiles,
  tempDir,
  writeFile,
} from "./support.js";

const q = JSON.stringify;
const hasOpenssl = haveOpenssl();

if (!hasOpenssl) {
  it("TLS tests need openssl on PATH", { skip: "openssl is not installed" }, () => {});
} else {
  const { dir: home } = tempDir("jsplan-tls-");
  const env = { HOME: home };
  const tls: TlsFiles = makeTls(path.join(home, "pki"));
  const client = ["--tlsca", tls.ca, "--tlscert", tls.clientCert, "--tlskey", tls.clientKey];
  const serverTls = (extra = "") =>
    `tls {\n  cert_file: ${q(tls.serverCert)}\n  key_file: ${q(tls.serverKey)}\n  ca_file: ${q(tls.ca)}\n  verify: true\n  ${extra}\n}`;
  const probeTls = { caFile: tls.ca, certFile: tls.clientCert, keyFile: tls.clientKey };
  const plan = (args: string[], extraEnv: Record<string, string> = {}) =>
    jsplan(["plan", "-", ...args], { ...env, ...extraEnv }, undefined, EMPTY_MANIFEST);

  for (const line of serverLines()) {
    describe(`TLS with client certificates, nats-server ${line}`, () => {
      const test = sharedServer(() => ({ line, config: serverTls(), connectOptions: { tls: probeTls } }));

      test("CA and client certificate by flags, environment, context, and with tls:// or a host name", async (server) => {
        const ok = async (args: string[], extraEnv: Record<string, string> = {}) => {
          const r = await plan(args, extraEnv);
          assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
        };
        await ok(["-s", server.url, ...client]);
        await ok(["-s", `tls://127.0.0.1:${server.port}`, ...client]);
        await ok(["-s", `nats://localhost:${server.port}`, ...client]);
        await ok(["-s", server.url], { NATS_CA: tls.ca, NATS_CERT: tls.clientCert, NATS_KEY: tls.clientKey });
        const ctx = writeFile(
          path.join(home, "tls.json"),
          q({ url: server.url, ca: "~/pki/ca.pem", cert: "$PKI/client.pem", key: "${PKI}/client-key.pem" }),
        );
        await ok(["--context", ctx], { PKI: path.join(home, "pki") });
      });

      test("an untrusted server certificate, a missing client certificate, missing files", async (server) => {
        let r = await plan(["-s", server.url, "--tlscert", tls.clientCert, "--tlskey", tls.clientKey]);
        assertCleanFailure(
          r,
          /the server's certificate at nats:\/\/127\.0\.0\.1:\d+ is not trusted .*pass the CA that signed it with --tlsca/,
          "no CA",
        );
        r = await plan(["-s", server.url]);
        assertCleanFailure(r, /is not trusted .*--tlsca/, "no TLS options at all");
        r = await plan([
          "-s",
          server.url,
          "--tlsca",
          tls.otherCa,
          "--tlscert",
          tls.clientCert,
          "--tlskey",
          tls.clientKey,
        ]);
        assertCleanFailure(
          r,
          /is not trusted: the CA file given \(--tlsca .*other-ca\.pem\) did not sign it/,
          "wrong CA",
        );
        const started = Date.now();
        r = await plan(["-s", server.url, "--tlsca", tls.ca, "--timeout", "1s"]);
        assertCleanFailure(
          r,
          /the server at nats:\/\/127\.0\.0\.1:\d+ requires a TLS client certificate: pass it with --tlscert and --tlskey/,
          "no client certificate",
        );
        assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
        r = await plan(["-s", server.url, "--tlsca", tls.ca, "--tlscert", tls.clientCert]);
        assertCleanFailure(r, /needs both --tlscert and --tlskey/, "cert without key");
        r = await plan(["-s", server.url, ...client.slice(2), "--tlsca", path.join(home, "nope.pem")]);
        assertCleanFailure(
          r,
          /cannot read the TLS CA file \(--tlsca\) .*nope\.pem: no such file/,
          "missing CA file",
        );
        r = await plan(["-s", server.url, ...client, "--tlsfirst", "--timeout", "2s"]);
        assertCleanFailure(
          r,
          /does not expect TLS first .*drop --tlsfirst/,
          "TLS first against a server without it",
        );
      });

      test("no private key in any output of a full cycle", async (server) => {
        const { dir } = tempDir("jsplan-tls-");
        const key = readFileSync(tls.clientKey, "utf8");
        const body = key.split("\n").filter((l) => l !== "" && !l.startsWith("-----"));
        const c = await fullCycle(dir, ["-s", server.url, ...client], env, "SEC_TLS");
        assertNoSecrets(c.all, body, "the outputs of a TLS cycle");
      });
    });

    describe(`TLS first (handshake_first), nats-server ${line}`, () => {
      const test = sharedServer(() => ({
        line,
        config: serverTls("handshake_first: true"),
        connectOptions: { tls: { ...probeTls, handshakeFirst: true } },
      }));

      test("--tlsfirst or tls_first in the context connects; without it, the message says to add it", async (server) => {
        let r = await plan(["-s", server.url, ...client, "--tlsfirst"]);
        assert.equal(r.code, 0, r.stderr);
        const ctx = writeFile(
          path.join(home, "first.json"),
          q({ url: server.url, ca: tls.ca, cert: tls.clientCert, key: tls.clientKey, tls_first: true }),
        );
        r = await plan(["--context", ctx]);
        assert.equal(r.code, 0, r.stderr);
        r = await plan(["--context", ctx, "--no-tlsfirst", "--timeout", "500ms"]);
        assertCleanFailure(
          r,
          /no NATS greeting came after .*if it expects TLS first \(handshake_first\), pass --tlsfirst/,
          "--no-tlsfirst",
        );
        r = await plan(["-s", server.url, ...client, "--timeout", "500ms"]);
        assertCleanFailure(
          r,
          /cannot connect to nats:\/\/127\.0\.0\.1:\d+: the connection opened but no NATS greeting came after 0\.\ds\. The server may be stopped or overloaded \(raise --timeout\); if it expects TLS first \(handshake_first\), pass --tlsfirst/,
          "no --tlsfirst",
        );
        r = await plan(["-s", server.url, "--tlsfirst", "--tlsca", tls.ca]);
        assertCleanFailure(r, /requires a TLS client certificate/, "TLS first without a client certificate");
      });
    });
  }
}
