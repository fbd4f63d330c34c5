// The server's advisories about streams and consumers (created, updated, deleted), as they happen: what
// `jsplan watch` follows to notice a change within a second instead of polling. nats-server publishes them
// in the account on $JS.EVENT.ADVISORY.STREAM.<EVENT>.<stream> and
// $JS.EVENT.ADVISORY.CONSUMER.<EVENT>.<stream>.<consumer>. There is none for a consumer updated in place
// (measured on 2.10.27 and 2.15.1): watch's periodic re-read catches that.

import type { NatsConnection, Subscription } from "@nats-io/transport-node";

export type AdvisoryEvent = "created" | "updated" | "deleted";

export interface Advisory {
  readonly kind: "stream" | "consumer";
  readonly event: AdvisoryEvent;
  readonly stream: string;
  readonly consumer?: string;
}

const PREFIX = "$JS.EVENT.ADVISORY.";
const EVENTS: Readonly<Record<string, AdvisoryEvent>> = {
  CREATED: "created",
  UPDATED: "updated",
  DELETED: "deleted",
};

/** The advisory a subject names, or undefined for the others (leader elections, acks, snapshots …). */
export function parseAdvisorySubject(subject: string): Advisory | undefined {
  if (!subject.startsWith(PREFIX)) return undefined;
  const [kind, name, stream, consumer, ...rest] = subject.slice(PREFIX.length).split(".");
  const event = EVENTS[name ?? ""];
  if (!event || !stream || rest.length > 0) return undefined;
  if (kind === "STREAM" && consumer === undefined) return { kind: "stream", event, stream };
  if (kind === "CONSUMER" && consumer) return { kind: "consumer", event, stream, consumer };
  return undefined;
}

/**
 * Calls `onAdvisory` for every stream and consumer advisory from now on; returns a function that stops.
 * The subscriptions live on the connection, so they come back by themselves after a reconnect.
 */
export function followAdvisories(nc: NatsConnection, onAdvisory: (a: Advisory) => void): () => void {
  const subs: Subscription[] = ["STREAM", "CONSUMER"].map((kind) =>
    nc.subscribe(`${PREFIX}${kind}.*.>`, {
      callback: (err, msg) => {
        if (err) return;
        const a = parseAdvisorySubject(msg.subject);
        if (a) onAdvisory(a);
      },
    }),
  );
  return () => {
    for (const s of subs) s.unsubscribe();
  };
}
