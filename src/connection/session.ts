// A session: a connection the way the `nats` CLI opens one, with the JetStream API behind it already
// answering (the account info is read once, up front), and a watch on whether the connection is lost.

import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { AccountLimits, ServerIdentity } from "../model/observed.js";
import { apiPrefix, buildOptions } from "./client-options.js";
import { ConnectionFailure } from "./errors.js";
import { describeConnectError } from "./explain-connect.js";
import { describeJetStreamError } from "./explain-jetstream.js";
import { JsApi } from "./js-api.js";
import type { ConnectionSettings } from "./settings.js";
import { redactUrl } from "./url.js";

export interface AccountInfoWire {
  limits?: AccountLimits;
  /** Tiered limits (operator mode), by tier name (R1, R3 …). */
  tiers?: Record<string, { limits?: AccountLimits }>;
  domain?: string;
  api?: { level?: number };
}

export interface ServerInfoLike {
  readonly version: string;
  readonly server_name?: string;
  readonly server_id?: string;
  readonly cluster?: string;
  readonly api_lvl?: number;
  /** The client URLs of the servers of its cluster (itself included), unless they do not advertise them. */
  readonly connect_urls?: readonly string[];
}

export interface Session {
  readonly nc: NatsConnection;
  readonly api: JsApi;
  readonly info: ServerInfoLike;
  readonly account: AccountInfoWire;
  /** The servers as printable text. */
  readonly where: string;
  /** The natscli context the settings came from, or null. */
  readonly context: string | null;
  /** True while the connection is down (disconnected, or closed for good). */
  connectionLost(): boolean;
  /** True once the connection is closed for good: the client gave up reconnecting (or was closed). */
  connectionClosed(): boolean;
  close(): Promise<void>;
}

export async function readAccount(api: JsApi): Promise<AccountInfoWire> {
  return api.read<AccountInfoWire>("INFO");
}

export function serverIdentity(info: ServerInfoLike, account: AccountInfoWire): ServerIdentity {
  return {
    version: info.version,
    ...(account.api?.level !== undefined
      ? { apiLevel: account.api.level }
      : info.api_lvl !== undefined
        ? { apiLevel: info.api_lvl }
        : {}),
    ...(info.server_name ? { serverName: info.server_name } : {}),
    ...(info.server_id ? { serverId: info.server_id } : {}),
    cluster: info.cluster ?? null,
    domain: account.domain ?? null,
    clustered: Boolean(info.cluster),
    ...(info.cluster && info.connect_urls && info.connect_urls.length > 0
      ? { clusterSize: info.connect_urls.length }
      : {}),
  };
}

/** Connects, then reads the account info: a failure of either is a ConnectionFailure that says what to do. */
export async function openSession(s: ConnectionSettings): Promise<Session> {
  const where = s.servers.map(redactUrl).join(", ");
  const nc = await connectOrExplain(s, where);
  const api = new JsApi(nc, { prefix: apiPrefix(s), timeout: s.timeoutMs });
  const raw = (nc as unknown as { info?: ServerInfoLike & { domain?: string } }).info;
  let account: AccountInfoWire;
  try {
    account = await readAccount(api);
  } catch (err) {
    await nc.close().catch(() => {});
    throw new ConnectionFailure(describeJetStreamError(err, where, s, raw?.domain), { cause: err });
  }
  return {
    nc,
    api,
    info: raw ?? { version: "0.0.0" },
    account,
    where,
    context: s.context ?? null,
    ...watchConnection(nc),
    close: async () => {
      await nc.close().catch(() => {});
    },
  };
}

async function connectOrExplain(s: ConnectionSettings, where: string): Promise<NatsConnection> {
  const options = await buildOptions(s);
  const started = Date.now();
  try {
    return await connect(options);
  } catch (err) {
    const ms = Date.now() - started;
    throw new ConnectionFailure(await describeConnectError(err, where, ms, s), { cause: err });
  }
}

/** Follows the connection's status from now on: down (disconnected or closed), and closed for good. */
function watchConnection(nc: NatsConnection): Pick<Session, "connectionLost" | "connectionClosed"> {
  let down = false;
  let closed = false;
  void (async () => {
    for await (const st of nc.status()) {
      if (st.type === "disconnect") down = true;
      else if (st.type === "reconnect") down = false;
    }
  })().catch(() => {});
  void nc.closed().then(() => {
    closed = true;
  });
  return { connectionLost: () => down || closed, connectionClosed: () => closed };
}
