// Rules about a consumer against its stream, when the stream is in the manifest too: the subjects it
// stores, its replicas, its retention and the consumer_limits it sets for every consumer.

import type { DesiredConsumer, DesiredStream } from "../../model/desired.js";
import { subjectsCollide } from "../../model/subjects.js";
import { formatDuration } from "../../model/units.js";
import { isPush } from "./consumer-delivery.js";
import { filtersOf } from "./consumer-filters.js";
import type { Findings } from "./report.js";
import { workQueueAcksExplicit, workQueueDeliversAll } from "./work-queue.js";

type ConsumerStreamRule = (k: DesiredConsumer, s: DesiredStream, f: Findings) => void;

/**
 * Messages of mirrors and sources keep their origin's subjects, so filters can only be checked against a
 * stream that stores nothing but its own subjects.
 */
function filtersInsideStream(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  const sc = s.config;
  if (sc.mirror || sc.sources?.length) return;
  const subjects = sc.subjects?.length ? sc.subjects : [s.name];
  filtersOf(k.config).forEach((flt, i) => {
    if (!subjects.some((subj) => subjectsCollide(flt, subj))) {
      const path = k.config.filter_subjects?.length ? `filter_subjects[${i}]` : "filter_subject";
      f.error(
        k,
        path,
        "filter-outside-stream",
        `filter "${flt}" matches none of stream ${s.name}'s subjects (${subjects.join(", ")}), so this consumer would never receive a message`,
      );
    }
  });
}

/** A push consumer publishes what it delivers: on a subject of its own stream, that is stored again. */
function deliverSubjectOutsideStream(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  const deliver = k.config.deliver_subject;
  if (isPush(k.config) && deliver && storesOwnSubject(s, deliver)) {
    f.error(
      k,
      "deliver_subject",
      "deliver-subject-cycle",
      `deliver_subject "${deliver}" overlaps stream ${s.name}'s subjects: delivered messages would be stored again (a cycle)`,
    );
  }
}

/** A consumer's state is kept by a subset of its stream's replicas: there are no more to keep it. */
function replicasAtMostStream(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  const replicas = k.config.num_replicas;
  const streamReplicas = s.config.num_replicas ?? 1;
  if (replicas !== undefined && replicas > streamReplicas) {
    f.error(
      k,
      "num_replicas",
      "consumer-replicas",
      `a consumer cannot have more replicas (${replicas}) than its stream ${s.name} (${streamReplicas})`,
    );
  }
}

/** On interest and work-queue streams the consumers' acks delete messages: the server keeps both in step. */
function replicasMatchRetention(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  const replicas = k.config.num_replicas;
  const streamReplicas = s.config.num_replicas ?? 1;
  const retention = s.config.retention ?? "limits";
  if (retention !== "limits" && replicas !== undefined && replicas !== 0 && replicas !== streamReplicas) {
    f.error(
      k,
      "num_replicas",
      "consumer-replicas",
      `on a ${retention} stream a consumer's num_replicas must equal the stream's (${streamReplicas}) or be left out`,
    );
  }
}

/** The stream's limit applies to a consumer that sets none: the server deletes it, the next apply creates it. */
function inheritsInactiveThreshold(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  const limit = s.config.consumer_limits?.inactive_threshold;
  if (limit && k.config.inactive_threshold === undefined) {
    f.warning(
      k,
      "",
      "inactive-durable",
      `this consumer inherits consumer_limits.inactive_threshold (${formatDuration(limit)}) from stream ${s.name}: the server deletes it when idle that long, and the next apply creates it again`,
    );
  }
}

/**
 * The server gives a consumer without max_ack_pending the stream's limit, and then refuses a push consumer
 * with ack_policy none that has one (10082, nats-server 2.10 and 2.15 alike).
 */
function inheritedPendingNeedsAcks(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  if (
    s.config.consumer_limits?.max_ack_pending &&
    isPush(k.config) &&
    (k.config.ack_policy ?? "none") === "none"
  ) {
    f.error(
      k,
      "ack_policy",
      "consumer-limits",
      `stream ${s.name} sets consumer_limits.max_ack_pending, which the server applies to every consumer, and a push consumer with ack_policy none cannot have a max_ack_pending; use ack_policy explicit (or all), or remove the stream's limit`,
    );
  }
}

/** The stream's consumer_limits are ceilings: the server refuses a consumer above them (unlimited is above). */
function pendingWithinLimit(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  const limit = s.config.consumer_limits?.max_ack_pending;
  const pending = k.config.max_ack_pending;
  if (limit && pending !== undefined && (pending > limit || pending === -1)) {
    f.error(
      k,
      "max_ack_pending",
      "consumer-limits",
      `max_ack_pending ${pending} exceeds stream ${s.name}'s consumer_limits.max_ack_pending (${limit})`,
    );
  }
}

/** The same ceiling for inactive_threshold. */
function inactiveWithinLimit(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  const limit = s.config.consumer_limits?.inactive_threshold;
  const threshold = k.config.inactive_threshold;
  if (limit && threshold !== undefined && threshold > limit) {
    f.error(
      k,
      "inactive_threshold",
      "consumer-limits",
      `inactive_threshold ${formatDuration(threshold)} exceeds stream ${s.name}'s consumer_limits.inactive_threshold (${formatDuration(limit)})`,
    );
  }
}

/** In the order of their findings at one place: the stream's limits come before its retention's rules. */
const CONSUMER_STREAM_RULES: readonly ConsumerStreamRule[] = [
  filtersInsideStream,
  deliverSubjectOutsideStream,
  replicasAtMostStream,
  replicasMatchRetention,
  inheritsInactiveThreshold,
  inheritedPendingNeedsAcks,
  pendingWithinLimit,
  inactiveWithinLimit,
  workQueueAcksExplicit,
  workQueueDeliversAll,
];

export function checkAgainstStream(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  for (const rule of CONSUMER_STREAM_RULES) rule(k, s, f);
}

/** Whether messages published to `subject` are stored by the stream; what its origins store is not known. */
function storesOwnSubject(s: DesiredStream, subject: string): boolean {
  const subjects = s.config.subjects;
  if (subjects?.length) return subjects.some((subj) => subjectsCollide(subject, subj));
  return !s.config.mirror && !s.config.sources?.length && subjectsCollide(subject, s.name);
}
