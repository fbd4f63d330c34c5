// The step of a KV entry: one publish to the key's subject, with the revision the plan saw as the expected
// last sequence of that subject, so that the server itself refuses a write over a key that another client
// changed since the plan (10071): the guard and the write are one atomic call. jsplan's headers record that
// it wrote the key, and for which owner (jetstream/entries.ts); a delete is the KV clients' delete marker.

import { headers } from "@nats-io/transport-node";
import { type JsApi, JsApiError } from "../connection/js-api.js";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import { kvBucketOf } from "../jetstream/buckets.js";
import {
  KV_OPERATION_HEADER,
  kvKeySubject,
  MANAGED_HEADER,
  OWNER_HEADER,
  sensitiveValueOf,
} from "../jetstream/entries.js";
import type { Change } from "../model/plan.js";

/** The key changed since the plan: nothing was written. */
export class EntryChanged extends Error {
  constructor(readonly address: string) {
    super(
      `${address} changed since the plan was made (another client wrote or deleted the key); nothing was written`,
    );
    this.name = "EntryChanged";
  }
}

export function expectedRevision(change: Change): number {
  const m = /^revision:(\d+)$/.exec(change.before_fingerprint ?? "");
  return m ? Number(m[1]) : 0;
}

/** The value a create or update writes: the plan's, or for a sensitive entry the one the plan keeps hidden. */
export function entryValue(change: Change): string {
  const after = change.after as { value?: string; sensitive?: boolean } | null;
  if (after && !after.sensitive && typeof after.value === "string") return after.value;
  const hidden = sensitiveValueOf(change.after);
  if (hidden === undefined)
    throw new Error(
      `${change.address}: a plan read from JSON holds no sensitive value; plan again from the manifest (apply --plan does)`,
    );
  return hidden;
}

export async function runEntryStep(change: Change, api: JsApi): Promise<void> {
  const bucket = kvBucketOf(change.stream!)!;
  const subject = kvKeySubject(bucket, change.name);
  const h = headers();
  h.set("Nats-Expected-Last-Subject-Sequence", String(expectedRevision(change)));
  h.set("Nats-Expected-Stream", change.stream!);
  let payload = "";
  if (change.action === "delete") {
    h.set(KV_OPERATION_HEADER, "DEL");
  } else {
    payload = entryValue(change);
    h.set(MANAGED_HEADER, "true");
    const owner = (change.after as { owner?: string } | null)?.owner;
    if (owner !== undefined) h.set(OWNER_HEADER, owner);
  }
  try {
    await api.publish(subject, payload, h);
  } catch (err) {
    if (err instanceof JsApiError && err.errCode === ApiErrorCode.StreamWrongLastSequence)
      throw new EntryChanged(change.address);
    throw err;
  }
}
