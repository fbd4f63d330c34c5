// The apply lock: one apply at a time per account (per JetStream domain), kept in JetStream itself so that
// nothing outside the server is needed. A stream of jsplan's own holds at most one message on the lease
// subject (max_msgs_per_subject 1); taking the lease is publishing it only if there is none
// (Nats-Expected-Last-Subject-Sequence: 0, which the server checks atomically), renewing it is publishing
// again over our own sequence, and max_age makes a lease whose process died expire on its own.
// Measured on 2.10.27 and 2.15.1: a lease not renewed is gone about one second after its TTL.

import type { LeaseHolder } from "../model/lease.js";

/** The stream that holds the lease. Never observed as a resource, exported, or planned. */
export const LEASE_STREAM = "JSPLAN_LEASE";
export const LEASE_SUBJECT = "$JSPLAN.lease.apply";
/** How long a lease lives without renewal; renewed every third of it. */
export const DEFAULT_LEASE_TTL_MS = 30_000;

/**
 * The largest the lease's stream can be: one message of about 300 bytes. Its config names this as max_bytes
 * only where the account requires max_bytes, since a stream without it reserves none of the account's
 * storage.
 */
export const LEASE_MAX_BYTES = 4096;

/** The lease's stream config: tiny, file-backed, self-expiring, marked as jsplan's own. */
export function leaseStreamConfig(ttlMs: number, replicas: number, maxBytesRequired = false) {
  return {
    name: LEASE_STREAM,
    description: "jsplan's apply lock: one apply at a time in this account (managed by jsplan; do not use)",
    subjects: ["$JSPLAN.lease.>"],
    retention: "limits",
    storage: "file",
    num_replicas: replicas,
    max_msgs_per_subject: 1,
    max_age: ttlMs * 1_000_000,
    ...(maxBytesRequired ? { max_bytes: LEASE_MAX_BYTES } : {}),
    max_msg_size: 1024,
    discard: "old",
    duplicate_window: 1_000_000_000,
    metadata: { "jsplan.role": "apply-lock" },
  } as const;
}

/** The holder recorded in a lease message, or null when the message is not one of ours. */
export function parseHolder(data: string): LeaseHolder | null {
  try {
    const v = JSON.parse(data) as Partial<LeaseHolder>;
    if (typeof v.id !== "string" || typeof v.host !== "string" || typeof v.since !== "string") return null;
    return {
      id: v.id,
      owner: typeof v.owner === "string" ? v.owner : null,
      host: v.host,
      pid: typeof v.pid === "number" ? v.pid : 0,
      since: v.since,
      jsplan_version: typeof v.jsplan_version === "string" ? v.jsplan_version : "",
    };
  } catch {
    return null;
  }
}

/** "owner team-a, host ci-7, process 4242, since 2026-12-03T10:00:00Z" */
export function describeHolder(h: LeaseHolder): string {
  return `${h.owner ? `owner ${h.owner}, ` : ""}host ${h.host}, process ${h.pid}, since ${h.since}`;
}

/** The request body that reads the lease message, and what its answer holds. */
export const LEASE_READ = { last_by_subj: LEASE_SUBJECT } as const;

export interface LeaseMessage {
  readonly seq: number;
  readonly holder: LeaseHolder | null;
}

/** The answer of STREAM.MSG.GET for the lease subject (its data is base64). */
export function decodeLeaseMessage(wire: { message?: { seq?: number; data?: string } }): LeaseMessage | null {
  const m = wire.message;
  if (!m || typeof m.seq !== "number") return null;
  const data = m.data ? Buffer.from(m.data, "base64").toString("utf8") : "";
  return { seq: m.seq, holder: parseHolder(data) };
}
