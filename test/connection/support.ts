// Credentials for connection tests, made in the test itself: nkeys, operator/account/user JWTs and creds files
// (no nsc), TLS certificates (openssl), temporary natscli config folders, and the check that no secret leaks.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, it } from "node:test";
import { nkeys } from "@nats-io/transport-node";
import {
  keepLogsOnFailure,
  type NatsServer,
  type StartServerOptions,
  startServer,
} from "../harness/index.js";
import { UNLIMITED_ACCOUNT } from "../harness/operator.js";
import { type CliResult, runCli } from "../support/cli.js";

/**
 * One server for the tests of a describe block (started in `before`, stopped in `after`); returns an `it`
 * whose body gets the server and keeps its log if it fails. Call inside describe().
 */
export function sharedServer(
  options: () => StartServerOptions,
): (name: string, fn: (server: NatsServer) => Promise<void>) => void {
  let server: NatsServer | undefined;
  before(async () => {
    server = await startServer(options());
  });
  after(async () => {
    await server?.stop();
  });
  return (name, fn) =>
    it(name, (t) => {
      if (!server) throw new Error("the server did not start");
      const s = server;
      return keepLogsOnFailure(t, s, () => fn(s));
    });
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A TCP listener that accepts connections and never says a word (a firewall, a wrong service). */
export async function silentListener(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

/** Runs jsplan with only the given environment (never the developer's: HOME points to an empty folder). */
export function jsplan(
  args: readonly string[],
  env: Record<string, string | undefined>,
  cwd?: string,
  stdin?: string,
): Promise<CliResult> {
  return runCli(args, { env, ...(cwd ? { cwd } : {}), ...(stdin !== undefined ? { stdin } : {}) });
}

/** A one-line message (maybe two) on stderr, exit 1, no stack trace. */
export function assertCleanFailure(r: CliResult, pattern: RegExp, what: string): void {
  assert.equal(r.code, 1, `${what}: expected exit 1, got ${r.code}\n${r.stderr}${r.stdout}`);
  assert.match(r.stderr, pattern, `${what}: unexpected message`);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `${what}: a stack trace or internal error`);
  const lines = r.stderr.trim().split("\n");
  assert.ok(lines.length <= 2, `${what}: ${lines.length} lines of error:\n${r.stderr}`);
}

export const EMPTY_MANIFEST = "version: 1\n";

export type KeyPair = ReturnType<typeof nkeys.createUser>;

/** A temporary folder, removed when the process exits (and by `dispose`). */
const tempDirs = new Set<string>();

export function tempDir(prefix = "jsplan-conn-"): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (tempDirs.size === 0) {
    process.once("exit", () => {
      for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  tempDirs.add(dir);
  const dispose = () => {
    tempDirs.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, dispose };
}

export function writeFile(file: string, text: string, mode = 0o600): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, { mode });
  return file;
}

export function seedOf(kp: KeyPair): string {
  return new TextDecoder().decode(kp.getSeed());
}

const b64url = (data: Uint8Array | string) => Buffer.from(data).toString("base64url");

/** RFC 4648 base32 without padding, as the JWT library writes the `jti`. */
function base32(data: Uint8Array): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** A NATS JWT (v2): `claims.nats` is the typed part; `sub` the subject's public key; signed by `issuer`. */
export function encodeJwt(
  issuer: KeyPair,
  subject: string,
  name: string,
  nats: Record<string, unknown>,
): string {
  const header = b64url(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
  const claims: Record<string, unknown> = {
    jti: "",
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    nats: { ...nats, version: 2 },
  };
  claims.jti = base32(createHash("sha512-256").update(JSON.stringify(claims)).digest());
  const payload = b64url(JSON.stringify(claims));
  const sig = b64url(issuer.sign(new TextEncoder().encode(`${header}.${payload}`)));
  return `${header}.${payload}.${sig}`;
}

export { UNLIMITED_ACCOUNT };

export const UNLIMITED_JETSTREAM = {
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

export interface OperatorSetup {
  /** Server configuration for operator mode with a memory resolver. */
  readonly config: string;
  /** Creds file text of a user in the account with unlimited JetStream. */
  readonly creds: string;
  readonly userJwt: string;
  readonly userSeed: string;
  /** Creds file text of a user in an account that may hold one stream. */
  readonly limitedCreds: string;
}

export function credsText(jwt: string, seed: string, eol = "\n"): string {
  return [
    "-----BEGIN NATS USER JWT-----",
    jwt,
    "------END NATS USER JWT------",
    "",
    "************************* IMPORTANT *************************",
    "NKEY Seed printed below can be used to sign and prove identity.",
    "NKEYs are sensitive and should be treated as secrets.",
    "",
    "-----BEGIN USER NKEY SEED-----",
    seed,
    "------END USER NKEY SEED------",
    "",
    "*************************************************************",
    "",
  ].join(eol);
}

function userIn(account: KeyPair, name: string): { jwt: string; seed: string; creds: string } {
  const user = nkeys.createUser();
  const jwt = encodeJwt(account, user.getPublicKey(), name, {
    pub: {},
    sub: {},
    subs: -1,
    data: -1,
    payload: -1,
    type: "user",
  });
  const seed = seedOf(user);
  return { jwt, seed, creds: credsText(jwt, seed) };
}

/** An operator with a system account, an account with JetStream, and one whose JetStream holds one stream. */
export function operatorSetup(): OperatorSetup {
  const operator = nkeys.createOperator();
  const sys = nkeys.createAccount();
  const app = nkeys.createAccount();
  const small = nkeys.createAccount();
  const operatorJwt = encodeJwt(operator, operator.getPublicKey(), "OP", {
    type: "operator",
    system_account: sys.getPublicKey(),
  });
  const account = (kp: KeyPair, name: string, js: Record<string, unknown> | undefined) =>
    encodeJwt(operator, kp.getPublicKey(), name, {
      limits: { ...UNLIMITED_ACCOUNT, ...(js ?? {}) },
      default_permissions: { pub: {}, sub: {} },
      type: "account",
    });
  const preload = {
    [sys.getPublicKey()]: account(sys, "SYS", undefined),
    [app.getPublicKey()]: account(app, "APP", UNLIMITED_JETSTREAM),
    [small.getPublicKey()]: account(small, "SMALL", { ...UNLIMITED_JETSTREAM, streams: 1 }),
  };
  const user = userIn(app, "app-user");
  const limited = userIn(small, "small-user");
  const config = [
    `operator: ${JSON.stringify(operatorJwt)}`,
    `system_account: ${JSON.stringify(sys.getPublicKey())}`,
    "resolver: MEMORY",
    "resolver_preload: {",
    ...Object.entries(preload).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
    "}",
  ].join("\n");
  return {
    config,
    creds: user.creds,
    userJwt: user.jwt,
    userSeed: user.seed,
    limitedCreds: limited.creds,
  };
}

export interface TlsFiles {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed nothing here: trusting it alone must fail. */
  readonly otherCa: string;
}

export function haveOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A private CA, a server certificate for 127.0.0.1/localhost and a client certificate, made by openssl. */
export function makeTls(dir: string): TlsFiles {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  const ossl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ca = (name: string) => {
    ossl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      f(`${name}-key.pem`),
      "-out",
      f(`${name}.pem`),
      "-days",
      "2",
      "-subj",
      `/CN=jsplan test ${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
  };
  ca("ca");
  ca("other-ca");
  const leaf = (name: string, ext: string) => {
    ossl(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      f(`${name}-key.pem`),
      "-out",
      f(`${name}.csr`),
      "-subj",
      `/CN=${name}`,
    );
    writeFileSync(f(`${name}.ext`), ext);
    ossl(
      "x509",
      "-req",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca-key.pem"),
      "-CAcreateserial",
      "-out",
      f(`${name}.pem`),
      "-days",
      "2",
      "-extfile",
      f(`${name}.ext`),
    );
  };
  leaf(
    "server",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n",
  );
  leaf("client", "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n");
  return {
    ca: f("ca.pem"),
    serverCert: f("server.pem"),
    serverKey: f("server-key.pem"),
    clientCert: f("client.pem"),
    clientKey: f("client-key.pem"),
    otherCa: f("other-ca.pem"),
  };
}

/** Fails if any secret occurs in `text`; `what` names the output. */
export function assertNoSecrets(text: string, secrets: readonly string[], what: string): void {
  for (const secret of secrets) {
    assert.ok(secret.length >= 6, `secret too short to grep for: ${secret.length} chars`);
    const at = text.indexOf(secret);
    assert.equal(
      at,
      -1,
      `a secret (${secret.slice(0, 3)}…, ${secret.length} chars) appears in ${what} at offset ${at}`,
    );
  }
}

export interface Cycle {
  /** Every byte jsplan wrote (stdout, stderr of every run) and the saved plan. */
  readonly all: string;
  readonly runs: ReadonlyArray<{ args: readonly string[]; result: CliResult }>;
}

/**
 * A full validate / plan (text, json, markdown, --out) / apply --plan / apply / plan cycle in `dir` with the
 * connection `args` and `env`, creating stream `stream` for `owner`. Every run must succeed.
 */
export async function fullCycle(
  dir: string,
  connection: readonly string[],
  env: Record<string, string | undefined>,
  stream: string,
): Promise<Cycle> {
  const manifest = path.join(dir, `${stream}.yaml`);
  writeFile(
    manifest,
    [
      "version: 1",
      `owner: ${stream.toLowerCase()}`,
      "streams:",
      `  - name: ${stream}`,
      `    subjects: ["${stream.toLowerCase()}.>"]`,
      "    consumers:",
      "      - name: worker",
      "        ack_policy: explicit",
      "",
    ].join("\n"),
  );
  const saved = path.join(dir, `${stream}.plan.json`);
  const runs: Array<{ args: readonly string[]; result: CliResult }> = [];
  const step = async (args: readonly string[], okCodes: readonly number[] = [0]) => {
    const result = await runCli(args, { cwd: dir, env });
    runs.push({ args, result });
    assert.ok(
      okCodes.includes(result.code),
      `jsplan ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`,
    );
    return result;
  };
  await step(["validate", manifest]);
  await step(["plan", manifest, ...connection, "--verbose"]);
  await step(["plan", manifest, ...connection, "--format", "json"]);
  await step(["plan", manifest, ...connection, "--format", "markdown"]);
  await step(["plan", manifest, ...connection, "--out", saved]);
  await step(["apply", "--plan", saved, ...connection, "--auto-approve", "--verbose"]);
  await step(["apply", manifest, ...connection, "--auto-approve", "--format", "json"]);
  await step(["plan", manifest, ...connection, "--detailed-exitcode"]);
  const all =
    runs.map((r) => `${r.result.stdout}\n${r.result.stderr}`).join("\n") + readFileSync(saved, "utf8");
  return { all, runs };
}
