// Taking, renewing and releasing the apply lock (the protocol is in src/jetstream/lease.ts). An apply takes
// it before it reads the server, keeps it renewed while it runs (the prompt included), and releases it at
// the end; a process that dies leaves a lease that expires on its own within its TTL.

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { type JsApi, JsApiError, JsTransportError } from "../connection/js-api.js";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import {
  DEFAULT_LEASE_TTL_MS,
  decodeLeaseMessage,
  describeHolder,
  LEASE_READ,
  LEASE_STREAM,
  LEASE_SUBJECT,
  type LeaseMessage,
  leaseStreamConfig,
} from "../jetstream/lease.js";
import type { LeaseHolder } from "../model/lease.js";

/** Another run holds the lock, and did not let go within the wait. */
export class LeaseHeld extends Error {
  constructor(
    readonly holder: LeaseHolder | null,
    readonly waitedMs: number,
  ) {
    super(
      `another jsplan apply holds the lock of this account${holder ? ` (${describeHolder(holder)})` : ""}${waitedMs >= 1000 ? `, and still did after ${Math.round(waitedMs / 1000)}s` : ""}`,
    );
    this.name = "LeaseHeld";
  }
}

/** The lock could not be taken for another reason (no permission, the account has no room for its stream). */
export class LeaseUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LeaseUnavailable";
  }
}

export interface LeaseOptions {
  readonly owner: string | null;
  readonly jsplanVersion: string;
  /** How long to wait for another run's lease to go (0: fail at once). */
  readonly waitMs: number;
  readonly ttlMs?: number;
  /** Replicas of the lease's stream: more than one in a cluster, so that it survives a node. */
  readonly replicas: number;
  /** Called once when the lease is held by another run and this one starts waiting. */
  readonly onWait?: (holder: LeaseHolder | null) => void;
}

export interface Lease {
  readonly holder: LeaseHolder;
  /** Aborted when the lease is lost (another run took it after it expired, or renewals kept failing). */
  readonly lost: AbortSignal;
  /** Names the manifest's owner in the lease, renewing it at once (the owner is known after the lock is taken). */
  describeOwner(owner: string | null): void;
  /** Stops renewing and deletes the lease; never throws (an unreleased lease expires on its own). */
  release(): Promise<void>;
}

export async function takeLease(nc: NatsConnection, api: JsApi, options: LeaseOptions): Promise<Lease> {
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  await ensureLeaseStream(api, ttlMs, options.replicas);
  const holder: LeaseHolder = {
    id: randomUUID(),
    owner: options.owner,
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
    jsplan_version: options.jsplanVersion,
  };
  const started = Date.now();
  let waiting = false;
  for (;;) {
    const seq = await publishLease(nc, api, holder, 0);
    if (seq !== null) return keep(nc, api, holder, seq, ttlMs);
    const other = await readLease(api);
    // An earlier attempt that timed out may have been stored after all: then the lease is ours.
    if (other?.holder?.id === holder.id) return keep(nc, api, holder, other.seq, ttlMs);
    const waited = Date.now() - started;
    if (waited >= options.waitMs) throw new LeaseHeld(other?.holder ?? null, waited);
    if (!waiting) options.onWait?.(other?.holder ?? null);
    waiting = true;
    // Soon, and not in step with other waiters: the holder may end any moment.
    await sleep(Math.min(100 + Math.random() * 200, options.waitMs - waited));
  }
}

/**
 * Creates the lease's stream unless it is there, and brings its TTL to this run's (an update the server
 * allows in place). It is read first: a create of a stream that exists is checked against the account's
 * limits like a new one, so an account that the plan's streams fill would refuse the lock it already has. A
 * cluster that is still electing, or slow to place an R3 stream, gets a few attempts: a create that timed
 * out may have been done, which the next attempt finds.
 */
async function ensureLeaseStream(api: JsApi, ttlMs: number, replicas: number): Promise<void> {
  const maxAge = leaseStreamConfig(ttlMs, replicas).max_age;
  let info = await readLeaseStream(api);
  if (!info) {
    await createLeaseStream(api, ttlMs, replicas);
    info = await readLeaseStream(api);
    if (!info) throw unavailable(new Error(`stream ${LEASE_STREAM} was created but cannot be read`));
  }
  if (info.config.max_age === maxAge) return;
  try {
    await api.request(`STREAM.UPDATE.${LEASE_STREAM}`, { ...info.config, max_age: maxAge });
  } catch (err) {
    throw unavailable(err);
  }
}

async function readLeaseStream(api: JsApi): Promise<{ config: Record<string, unknown> } | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.request<{ config: Record<string, unknown> }>(`STREAM.INFO.${LEASE_STREAM}`);
    } catch (err) {
      if (err instanceof JsApiError && err.errCode === ApiErrorCode.StreamNotFound) return undefined;
      // A cluster still electing (the stream's leader, or the meta leader): a few attempts.
      const transient =
        (err instanceof JsTransportError && err.kind === "timeout") ||
        (err instanceof JsApiError && err.errCode === ApiErrorCode.ClusterNotAvail);
      if (!transient || attempt >= 3) throw unavailable(err);
    }
  }
}

async function createLeaseStream(
  api: JsApi,
  ttlMs: number,
  replicas: number,
  maxBytesRequired = false,
): Promise<void> {
  const config = leaseStreamConfig(ttlMs, replicas, maxBytesRequired);
  for (let attempt = 1; ; attempt++) {
    try {
      await api.request(`STREAM.CREATE.${LEASE_STREAM}`, config, Math.max(api.options.timeout, 10_000));
      return;
    } catch (err) {
      const transient =
        (err instanceof JsTransportError && err.kind === "timeout") ||
        (err instanceof JsApiError && err.errCode === ApiErrorCode.ClusterNotAvail);
      if (transient && attempt < 3) continue;
      if (!(err instanceof JsApiError)) throw unavailable(err);
      // An R1 lock is better than none: fewer nodes than 3, or a tiered account without an R3 tier.
      const fewerNodes: number[] = [
        ApiErrorCode.StreamReplicasNotSupported,
        ApiErrorCode.InsufficientResources,
        ApiErrorCode.NoLimits,
      ];
      if (fewerNodes.includes(err.errCode) && replicas > 1) {
        return createLeaseStream(api, ttlMs, 1, maxBytesRequired);
      }
      if (err.errCode === ApiErrorCode.StreamMaxBytesRequired && !maxBytesRequired) {
        return createLeaseStream(api, ttlMs, replicas, true);
      }
      // Made meanwhile (by another run, or by an attempt that timed out): the caller reads it.
      if (err.errCode === ApiErrorCode.StreamNameExist) return;
      throw unavailable(err);
    }
  }
}

/** Account limits that leave no room for the lease's stream. */
const NO_ROOM: readonly number[] = [
  ApiErrorCode.MaximumStreamsLimit,
  ApiErrorCode.StorageResourcesExceeded,
  ApiErrorCode.AccountResourcesExceeded,
  ApiErrorCode.InsufficientResources,
  ApiErrorCode.StreamMaxStreamBytesExceeded,
];

/** The permissions the lock needs, for a refusal. */
const LOCK_NEEDS = `the lock needs publish permission on $JS.API.STREAM.*.${LEASE_STREAM}, $JS.API.STREAM.MSG.*.${LEASE_STREAM} and $JSPLAN.lease.>; grant it, or run with --no-lock`;

function unavailable(err: unknown): LeaseUnavailable {
  const stream = `stream ${LEASE_STREAM}`;
  if (err instanceof JsApiError && NO_ROOM.includes(err.errCode)) {
    return new LeaseUnavailable(
      `the account has no room for jsplan's apply lock (${stream}, one stream and at most 4 KiB of file storage): ${err.description} (error ${err.errCode}); raise the account's limit by that much, or run with --no-lock`,
      { cause: err },
    );
  }
  if (err instanceof JsTransportError && err.kind === "permission") {
    return new LeaseUnavailable(
      `jsplan may not set up its apply lock (${stream}): ${err.message}; ${LOCK_NEEDS}`,
      { cause: err },
    );
  }
  const what =
    err instanceof JsApiError ? `${err.description} (error ${err.errCode})` : (err as Error).message;
  return new LeaseUnavailable(`could not set up the apply lock (${stream}): ${what}; or run with --no-lock`, {
    cause: err,
  });
}

/** Publishes the lease over `expected` (0: only if there is none); its sequence, or null when held by another. */
async function publishLease(
  nc: NatsConnection,
  api: JsApi,
  holder: LeaseHolder,
  expected: number,
): Promise<number | null> {
  const h = headers();
  h.set("Nats-Expected-Last-Subject-Sequence", String(expected));
  h.set("Nats-Expected-Stream", LEASE_STREAM);
  let reply: Awaited<ReturnType<NatsConnection["request"]>> | undefined;
  // In a cluster, a lease stream created a moment ago may not be listening on every node yet ("no
  // responders"): a few short tries before giving up.
  for (let attempt = 1; reply === undefined; attempt++) {
    try {
      reply = await nc.request(LEASE_SUBJECT, JSON.stringify(holder), {
        timeout: api.options.timeout,
        headers: h,
      });
    } catch (err) {
      const noResponders = /no responders/i.test((err as Error).message ?? "");
      if (noResponders && attempt < 10) {
        await sleep(100 * attempt);
        continue;
      }
      if (/permissions violation/i.test((err as Error).message ?? "")) {
        throw new LeaseUnavailable(
          `jsplan may not take its apply lock (${LEASE_SUBJECT}): permission denied: publishing to ${LEASE_SUBJECT}; ${LOCK_NEEDS}`,
          { cause: err },
        );
      }
      throw new LeaseUnavailable(`the apply lock got no answer: ${(err as Error).message}`, { cause: err });
    }
  }
  const ack = reply.json<{ seq?: number; error?: { err_code?: number; description?: string } }>();
  if (ack.error) {
    if (ack.error.err_code === ApiErrorCode.StreamWrongLastSequence) return null;
    throw new LeaseUnavailable(
      `the apply lock was refused: ${ack.error.description ?? "unknown error"} (error ${ack.error.err_code})`,
    );
  }
  if (typeof ack.seq !== "number")
    throw new LeaseUnavailable("the apply lock got no sequence from the server");
  return ack.seq;
}

async function readLease(api: JsApi): Promise<LeaseMessage | null> {
  try {
    return decodeLeaseMessage(await api.request(`STREAM.MSG.GET.${LEASE_STREAM}`, LEASE_READ));
  } catch {
    return null; // it went away between the refusal and the read (10037): the next attempt takes it
  }
}

/** Renews every third of the TTL; the lease is lost when another run holds it or it outlived its TTL. */
function keep(nc: NatsConnection, api: JsApi, taken: LeaseHolder, first: number, ttlMs: number): Lease {
  const controller = new AbortController();
  let holder = taken;
  let seq = first;
  let renewedAt = Date.now();
  let stopped = false;
  let pending: Promise<void> = Promise.resolve();
  const renew = async () => {
    if (stopped || controller.signal.aborted) return;
    try {
      let next = await publishLease(nc, api, holder, seq);
      // A renewal that timed out may have been stored after all: then the lease is still ours.
      if (next === null) {
        const now = await readLease(api);
        if (now?.holder?.id === holder.id) next = await publishLease(nc, api, holder, now.seq);
      }
      if (next === null) return controller.abort(new Error("another run took the apply lock"));
      seq = next;
      renewedAt = Date.now();
    } catch {
      // No answer this time; the next tick tries again, until the lease would have expired.
      if (Date.now() - renewedAt >= ttlMs) controller.abort(new Error("the apply lock could not be renewed"));
    }
  };
  const timer = setInterval(
    () => {
      pending = pending.then(renew);
    },
    Math.max(250, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    get holder() {
      return holder;
    },
    lost: controller.signal,
    describeOwner: (owner) => {
      holder = { ...holder, owner };
      pending = pending.then(renew); // at once, so that a run refused meanwhile can name the owner
    },
    release: async () => {
      stopped = true;
      clearInterval(timer);
      await pending; // a renewal in flight would otherwise leave a lease behind
      if (controller.signal.aborted) return;
      if (nc.isClosed()) return;
      try {
        // Briefly: a server that stopped answering must not hold up the end of the run.
        await api.request(
          `STREAM.MSG.DELETE.${LEASE_STREAM}`,
          { seq, no_erase: true },
          Math.min(api.options.timeout, 2000),
        );
      } catch {
        // Already gone, or no answer: it expires on its own.
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
