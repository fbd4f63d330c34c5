// Who holds jsplan's apply lock, for a plan to say that an apply is running (it never takes the lock).

import type { JsApi } from "../connection/js-api.js";
import { decodeLeaseMessage, LEASE_READ, LEASE_STREAM } from "../jetstream/lease.js";
import type { LeaseHolder } from "../model/lease.js";

/** The holder of the lease, or null when nobody holds it (or it cannot be read: the plan does not need it). */
export async function readLeaseHolder(api: JsApi): Promise<LeaseHolder | null> {
  try {
    const wire = await api.request<{ message?: { seq?: number; data?: string } }>(
      `STREAM.MSG.GET.${LEASE_STREAM}`,
      LEASE_READ,
    );
    return decodeLeaseMessage(wire)?.holder ?? null;
  } catch {
    // No message (nobody holds it), no stream, or no answer: a plan says nothing rather than guess.
    return null;
  }
}
