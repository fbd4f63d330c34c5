// The apply lock around a session: taken right after connecting, before the state is read, so that the
// plan an apply shows is not made while another apply is changing the server; released when it ends.

import { type Lease, LeaseHeld, LeaseUnavailable, takeLease } from "../apply/lease.js";
import type { Session } from "../connection/session.js";
import type { LeaseHolder } from "../model/lease.js";
import { jsplanVersion } from "../version.js";
import { ApplyLocked } from "./errors.js";

export interface LockRequest {
  /** How long to wait for another apply's lock (`--lock-timeout`); 0 fails at once. */
  readonly waitMs: number;
  /** The lease's TTL; the default suits real runs, tests shorten it. */
  readonly ttlMs?: number;
  readonly onWait?: (holder: LeaseHolder | null) => void;
}

export type { Lease };

/** Takes the account's apply lock on the session; ApplyLocked when another run holds it or it cannot be set up. */
export async function lockSession(session: Session, req: LockRequest): Promise<Lease> {
  try {
    return await takeLease(session.nc, session.api, {
      owner: null,
      jsplanVersion: jsplanVersion(),
      waitMs: req.waitMs,
      ...(req.ttlMs !== undefined ? { ttlMs: req.ttlMs } : {}),
      // In a cluster the lock must outlive one node, as the apply does.
      replicas: session.info.cluster ? 3 : 1,
      ...(req.onWait ? { onWait: req.onWait } : {}),
    });
  } catch (err) {
    if (err instanceof LeaseHeld) throw new ApplyLocked("held", err.message, err.holder);
    if (err instanceof LeaseUnavailable) throw new ApplyLocked("unavailable", err.message, null);
    throw err;
  }
}
