// Preflight tests: a server whose config file holds accounts with JetStream limits, one account per scenario,
// and jsplan driven as a user would, with that account's user. A refused plan exits 1 with the limit's code,
// and apply then changes nothing; its neighbour that just fits plans clean and applies.

import assert from "node:assert/strict";
import { type NatsServer, type ServerLine, startServer } from "../harness/index.js";
import { type CliResult, runCli } from "../support/cli.js";

/** Account name → its `jetstream` block (nats-server config syntax). User and password are the name. */
export type Accounts = Readonly<Record<string, string>>;

export async function startLimitedServer(
  line: ServerLine,
  accounts: Accounts,
  jetstreamConfig?: string,
): Promise<NatsServer> {
  const body = Object.entries(accounts)
    .map(([name, js]) => `  ${name} { jetstream: ${js}, users: [{ user: ${name}, password: ${name} }] }`)
    .join("\n");
  return startServer({
    line,
    config: `accounts {\n${body}\n}\n`,
    ...(jetstreamConfig ? { jetstreamConfig } : {}),
    connectOptions: { user: Object.keys(accounts)[0]!, pass: Object.keys(accounts)[0]! },
  });
}

const auth = (account: string) => ["--user", account, "--password", account];

/** `jsplan plan -` as the account's user (text: a refused plan's diagnostics are on stderr). */
export async function planAs(server: NatsServer, account: string, manifest: string): Promise<CliResult> {
  return runCli(["plan", "-", "-s", server.url, ...auth(account), "--detailed-exitcode"], {
    stdin: manifest,
  });
}

export async function applyAs(server: NatsServer, account: string, manifest: string): Promise<CliResult> {
  return runCli(["apply", "-", "-s", server.url, ...auth(account), "--auto-approve", "--allow-destroy"], {
    stdin: manifest,
  });
}

/**
 * The plan is refused (exit 1) with an error line at `address` that matches `message`, and apply then refuses
 * before its first step and changes nothing. Returns the error line.
 */
export async function assertRefused(
  server: NatsServer,
  account: string,
  manifest: string,
  address: string,
  message: RegExp,
): Promise<string> {
  const before = await streamsOf(server, account);
  const plan = await planAs(server, account, manifest);
  assert.equal(plan.code, 1, `plan should be refused:\n${plan.stdout}${plan.stderr}`);
  const line = plan.stderr.split("\n").find((l) => l.includes(`  ${address}  `) && message.test(l));
  assert.ok(line, `expected an error at ${address} matching ${message}, got:\n${plan.stderr}`);
  const applied = await applyAs(server, account, manifest);
  assert.equal(applied.code, 1, `apply should refuse:\n${applied.stdout}${applied.stderr}`);
  assert.ok(applied.stderr.includes(line), `apply names the same error:\n${applied.stderr}`);
  assert.match(applied.stderr, /nothing was changed on the server/);
  assert.deepEqual(await streamsOf(server, account), before, "apply changed nothing");
  return line;
}

/** The plan has no errors and apply carries out every step. */
export async function assertFits(server: NatsServer, account: string, manifest: string): Promise<void> {
  const plan = await planAs(server, account, manifest);
  assert.ok(plan.code === 0 || plan.code === 2, `plan should pass:\n${plan.stdout}${plan.stderr}`);
  const applied = await applyAs(server, account, manifest);
  assert.equal(applied.code, 0, `apply should succeed:\n${applied.stdout}${applied.stderr}`);
  const again = await planAs(server, account, manifest);
  assert.equal(again.code, 0, `no changes after the apply:\n${again.stdout}${again.stderr}`);
}

/** Stream names with their consumer counts, as the account sees them. */
export async function streamsOf(server: NatsServer, account: string): Promise<Record<string, number>> {
  const { connect } = await import("@nats-io/transport-node");
  const nc = await connect({ servers: server.url, user: account, pass: account });
  try {
    const m = await nc.request("$JS.API.STREAM.LIST", "{}", { timeout: 5000 });
    const body = m.json<{
      streams: Array<{ config: { name: string }; state: { consumer_count: number } }> | null;
    }>();
    const out: Record<string, number> = {};
    // jsplan's apply lock is not a resource: apply creates it on its first run in an account, before it
    // reads the server, so a refused first apply leaves it (and only it).
    for (const s of body.streams ?? []) {
      if (s.config.name !== "JSPLAN_LEASE") out[s.config.name] = s.state.consumer_count;
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** Raw JetStream API request as the account's user. */
export async function requestAs(
  server: NatsServer,
  account: string,
  subject: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const { connect } = await import("@nats-io/transport-node");
  const nc = await connect({ servers: server.url, user: account, pass: account });
  try {
    const m = await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: 5000 });
    return m.json<Record<string, unknown>>();
  } finally {
    await nc.close();
  }
}

/** A manifest of streams (name, extra YAML lines) under one owner. */
export function manifest(owner: string, streams: ReadonlyArray<readonly [string, ...string[]]>): string {
  const lines = ["version: 1", `owner: ${owner}`, "streams:"];
  for (const [name, ...extra] of streams) {
    lines.push(
      `  - name: ${name}`,
      `    subjects: ["${name.toLowerCase()}.>"]`,
      ...extra.map((l) => `    ${l}`),
    );
  }
  return `${lines.join("\n")}\n`;
}
