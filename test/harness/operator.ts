// Operator mode (decentralised auth): an operator, a system account and accounts whose JWTs the test signs,
// preloaded into the servers' memory resolver. Account JetStream limits, tiered (R1, R3 …) or flat, are set
// in the account JWT, which is the only place tiered limits exist (a server config file cannot hold them).

import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as jwt from "@nats-io/jwt";
import { credsAuthenticator } from "@nats-io/transport-node";

/** JetStream limits as an account JWT holds them (jwt.JetStreamLimits; -1: unlimited). */
export type JwtJetStreamLimits = Partial<jwt.JetStreamLimits>;

export interface OperatorAccountSpec {
  /** Limits by tier name (R1, R3 …). */
  readonly tiers?: Readonly<Record<string, JwtJetStreamLimits>>;
  /** Flat limits (no tiers). */
  readonly flat?: JwtJetStreamLimits;
}

export interface OperatorAccount {
  readonly name: string;
  readonly publicKey: string;
  /** A user's credentials file in this account (for `--creds`). */
  readonly credsFile: string;
  /** The same user, for the harness's own connections. */
  readonly authenticator: ReturnType<typeof credsAuthenticator>;
}

export interface OperatorSetup {
  /** nats-server configuration: operator, system account, memory resolver with every account preloaded. */
  readonly config: string;
  readonly accounts: Readonly<Record<string, OperatorAccount>>;
  /** The folder of the creds files; remove it when done. */
  readonly dir: string;
}

/** Connection limits left unlimited: a JWT's unset account limits mean 0 connections and subscriptions. */
export const UNLIMITED_ACCOUNT = {
  conn: -1,
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  leaf: -1,
};

/** Signs an operator, a system account and `accounts` (each with one user); writes the users' creds files. */
export async function operatorSetup(
  accounts: Readonly<Record<string, OperatorAccountSpec>>,
): Promise<OperatorSetup> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "jsplan-operator-"));
  const operator = jwt.createOperator();
  const system = jwt.createAccount();
  const operatorJwt = await jwt.encodeOperator("jsplan-test", operator, {
    system_account: system.getPublicKey(),
  });
  const preload: string[] = [
    `${system.getPublicKey()}: ${await jwt.encodeAccount("SYS", system, {}, { signer: operator })}`,
  ];
  const out: Record<string, OperatorAccount> = {};
  for (const [name, spec] of Object.entries(accounts)) {
    const account = jwt.createAccount();
    const limits = {
      ...UNLIMITED_ACCOUNT,
      ...(spec.flat ?? {}),
      ...(spec.tiers ? { tiered_limits: spec.tiers } : {}),
    };
    const accountJwt = await jwt.encodeAccount(name, account, { limits }, { signer: operator });
    preload.push(`${account.getPublicKey()}: ${accountJwt}`);
    const user = jwt.createUser();
    const creds = jwt.fmtCreds(await jwt.encodeUser(`${name}-user`, user, account), user);
    const credsFile = path.join(dir, `${name}.creds`);
    await writeFile(credsFile, creds, { mode: 0o600 });
    out[name] = {
      name,
      publicKey: account.getPublicKey(),
      credsFile,
      authenticator: credsAuthenticator(creds),
    };
  }
  const config = [
    `operator: ${operatorJwt}`,
    `system_account: ${system.getPublicKey()}`,
    "resolver: MEMORY",
    `resolver_preload: {\n  ${preload.join("\n  ")}\n}`,
    "",
  ].join("\n");
  return { config, accounts: out, dir };
}
