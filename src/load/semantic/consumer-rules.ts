// Rules about one consumer, alone and against its stream when the stream is in the manifest. They mirror
// the server's checkConsumerCfg and the silent adjustments of setConsumerConfigDefaults.

import type { DesiredConsumer, DesiredStream } from "../../model/desired.js";
import { subjectsCollide } from "../../model/subjects.js";
import { formatDuration, MS, SECOND } from "../../model/units.js";
import type { Findings } from "./report.js";
import { metadataBytes } from "./stream-rules.js";
import { SubjectIndex } from "./subject-index.js";

const PULL_ONLY = [
  "max_waiting",
  "max_batch",
  "max_expires",
  "max_bytes",
  "priority_groups",
  "priority_policy",
  "priority_timeout",
] as const;
const PUSH_ONLY = ["deliver_group", "flow_control", "idle_heartbeat", "rate_limit_bps"] as const;

export function filtersOf(c: DesiredConsumer["config"]): string[] {
  if (c.filter_subjects?.length) return c.filter_subjects;
  return c.filter_subject ? [c.filter_subject] : [];
}

export function checkConsumer(k: DesiredConsumer, stream: DesiredStream | undefined, f: Findings): void {
  const c = k.config;
  if (Buffer.byteLength(k.name) > 255)
    f.error(k, "name", "name-too-long", "a consumer name can be at most 255 bytes");
  if (c.durable_name !== undefined && c.durable_name !== k.name) {
    f.error(
      k,
      "durable_name",
      "durable-name",
      `durable_name "${c.durable_name}" must equal name "${k.name}"; remove durable_name`,
    );
  }

  if (c.filter_subject !== undefined && c.filter_subjects !== undefined) {
    f.error(k, "filter_subjects", "filter-both", "use either filter_subject or filter_subjects, not both");
  }
  // Each filter is reported once, against the first earlier one it overlaps (an index, not every pair).
  const filters = c.filter_subjects ?? [];
  const earlierFilters = new SubjectIndex<string>();
  for (let i = 0; i < filters.length; i++) {
    const hit = earlierFilters.firstCollision(filters[i]!, i);
    if (hit) {
      f.error(
        k,
        `filter_subjects[${i}]`,
        "filter-overlap",
        `filter "${filters[i]}" overlaps with "${hit.item}"; filters of one consumer must not overlap`,
      );
    }
    earlierFilters.add(filters[i]!, filters[i]!, i);
  }

  const push = c.deliver_subject !== undefined && c.deliver_subject !== "";
  if (push) {
    for (const field of PULL_ONLY) {
      if (c[field] !== undefined) {
        f.error(
          k,
          field,
          "pull-only",
          `${field} applies to pull consumers only, and this consumer is push (it has deliver_subject); remove ${field}`,
        );
      }
    }
  } else {
    for (const field of PUSH_ONLY) {
      if (c[field] !== undefined && c[field] !== false) {
        f.error(
          k,
          field,
          "push-only",
          `${field} applies to push consumers only, and this consumer is pull (it has no deliver_subject); remove ${field} or add deliver_subject`,
        );
      }
    }
  }

  // Deliver policies and their start positions come in pairs.
  const policy = c.deliver_policy ?? "all";
  if (policy === "by_start_sequence" && c.opt_start_seq === undefined) {
    f.error(k, "deliver_policy", "deliver-start", "deliver_policy: by_start_sequence needs opt_start_seq");
  }
  if (policy !== "by_start_sequence" && c.opt_start_seq !== undefined) {
    f.error(
      k,
      "opt_start_seq",
      "deliver-start",
      "opt_start_seq only applies with deliver_policy: by_start_sequence",
    );
  }
  if (policy === "by_start_time" && c.opt_start_time === undefined) {
    f.error(k, "deliver_policy", "deliver-start", "deliver_policy: by_start_time needs opt_start_time");
  }
  if (policy !== "by_start_time" && c.opt_start_time !== undefined) {
    f.error(
      k,
      "opt_start_time",
      "deliver-start",
      "opt_start_time only applies with deliver_policy: by_start_time",
    );
  }
  if (policy === "last_per_subject" && filtersOf(c).length === 0) {
    f.error(
      k,
      "deliver_policy",
      "deliver-start",
      "deliver_policy: last_per_subject needs filter_subject or filter_subjects",
    );
  }

  // Backoff replaces ack_wait on the server; a different ack_wait would be silently overwritten.
  const ack = c.ack_policy ?? "none";
  if (c.backoff?.length) {
    if (c.ack_wait !== undefined && c.ack_wait !== c.backoff[0]) {
      f.error(
        k,
        "ack_wait",
        "ack-wait-backoff",
        `with backoff the server uses backoff[0] (${formatDuration(c.backoff[0]!)}) as ack_wait, not ${formatDuration(c.ack_wait)}; remove ack_wait`,
      );
    }
    if (c.max_deliver !== undefined && c.max_deliver > 0 && c.backoff.length > c.max_deliver) {
      f.error(
        k,
        "backoff",
        "backoff-max-deliver",
        `backoff has ${c.backoff.length} steps but max_deliver is ${c.max_deliver}: a message is delivered at most max_deliver times, so raise max_deliver or shorten backoff`,
      );
    }
    if (ack === "none") {
      f.error(
        k,
        "backoff",
        "backoff-ack-none",
        "backoff times redeliveries of unacknowledged messages; with ack_policy none nothing is redelivered",
      );
    }
  }
  if (c.max_expires !== undefined && c.max_expires > 0 && c.max_expires < MS) {
    f.error(k, "max_expires", "max-expires-too-small", "max_expires must be 0 (unlimited) or at least 1ms");
  }
  if (push && ack === "none" && c.max_ack_pending !== undefined && c.max_ack_pending !== 0) {
    f.error(
      k,
      "max_ack_pending",
      "ack-none-pending",
      "max_ack_pending has no meaning with ack_policy none on a push consumer; remove it",
    );
  }
  if (c.flow_control && !c.idle_heartbeat) {
    f.error(k, "flow_control", "flow-control-heartbeat", "flow_control needs idle_heartbeat");
  }
  if (push && c.idle_heartbeat !== undefined && c.idle_heartbeat > 0 && c.idle_heartbeat < 100 * MS) {
    f.error(k, "idle_heartbeat", "heartbeat-too-small", "idle_heartbeat must be at least 100ms");
  }
  if (ack === "flow_control") {
    if (!push)
      f.error(
        k,
        "ack_policy",
        "ack-flow-control",
        "ack_policy: flow_control needs a push consumer (deliver_subject)",
      );
    if (c.flow_control === false)
      f.error(k, "flow_control", "ack-flow-control", "ack_policy: flow_control needs flow_control: true");
    if (c.idle_heartbeat !== undefined && c.idle_heartbeat !== SECOND) {
      f.error(k, "idle_heartbeat", "ack-flow-control", "ack_policy: flow_control needs idle_heartbeat: 1s");
    }
    // Left out, max_ack_pending defaults to the stream's limit or 1000, which is fine; unlimited is not (10220).
    if (c.max_ack_pending !== undefined && c.max_ack_pending < 0) {
      f.error(
        k,
        "max_ack_pending",
        "ack-flow-control",
        "ack_policy: flow_control needs a limited max_ack_pending: set one above 0, or leave it out for the default",
      );
    }
    if (c.ack_wait !== undefined || c.backoff !== undefined) {
      f.error(
        k,
        c.ack_wait !== undefined ? "ack_wait" : "backoff",
        "ack-flow-control",
        "ack_policy: flow_control cannot have ack_wait or backoff",
      );
    }
    if (c.max_deliver !== undefined && c.max_deliver > 0) {
      f.error(k, "max_deliver", "ack-flow-control", "ack_policy: flow_control cannot limit max_deliver");
    }
  }

  const prio = c.priority_policy ?? "none";
  if (prio !== "none" && !c.priority_groups?.length) {
    f.error(k, "priority_policy", "priority", `priority_policy: ${prio} needs priority_groups`);
  }
  if (prio === "none" && c.priority_groups?.length) {
    f.error(
      k,
      "priority_groups",
      "priority",
      "priority_groups need a priority_policy (overflow, pinned_client or prioritized)",
    );
  }
  if (c.priority_timeout !== undefined && c.priority_timeout > 0 && prio !== "pinned_client") {
    f.error(
      k,
      "priority_timeout",
      "priority",
      "priority_timeout only applies with priority_policy: pinned_client",
    );
  }
  if (c.metadata && metadataBytes(c.metadata) > 128 * 1024) {
    f.error(k, "metadata", "metadata-too-large", "metadata keys and values together can be at most 128 KiB");
  }
  if (c.inactive_threshold !== undefined && c.inactive_threshold > 0) {
    f.warning(
      k,
      "inactive_threshold",
      "inactive-durable",
      `the server deletes this durable consumer after ${formatDuration(c.inactive_threshold)} without a client, and the next apply creates it again (with its delivery state lost); leave inactive_threshold out for a consumer that must stay`,
    );
  }

  if (stream) checkAgainstStream(k, stream, f, push);
}

function checkAgainstStream(k: DesiredConsumer, s: DesiredStream, f: Findings, push: boolean): void {
  const c = k.config;
  const sc = s.config;
  const streamSubjects = sc.subjects?.length ? sc.subjects : sc.mirror || sc.sources?.length ? [] : [s.name];
  // Messages of mirrors and sources keep their origin's subjects, so filters can only be checked against a
  // stream that stores nothing but its own subjects.
  const ownSubjectsOnly = !sc.mirror && !sc.sources?.length;
  if (ownSubjectsOnly) {
    const filters = filtersOf(c);
    filters.forEach((flt, i) => {
      if (!streamSubjects.some((subj) => subjectsCollide(flt, subj))) {
        const path = c.filter_subjects?.length ? `filter_subjects[${i}]` : "filter_subject";
        f.error(
          k,
          path,
          "filter-outside-stream",
          `filter "${flt}" matches none of stream ${s.name}'s subjects (${streamSubjects.join(", ")}), so this consumer would never receive a message`,
        );
      }
    });
  }
  if (push && c.deliver_subject && streamSubjects.some((subj) => subjectsCollide(c.deliver_subject!, subj))) {
    f.error(
      k,
      "deliver_subject",
      "deliver-subject-cycle",
      `deliver_subject "${c.deliver_subject}" overlaps stream ${s.name}'s subjects: delivered messages would be stored again (a cycle)`,
    );
  }
  const streamReplicas = sc.num_replicas ?? 1;
  if (c.num_replicas !== undefined && c.num_replicas > streamReplicas) {
    f.error(
      k,
      "num_replicas",
      "consumer-replicas",
      `a consumer cannot have more replicas (${c.num_replicas}) than its stream ${s.name} (${streamReplicas})`,
    );
  }
  const retention = sc.retention ?? "limits";
  if (
    retention !== "limits" &&
    c.num_replicas !== undefined &&
    c.num_replicas !== 0 &&
    c.num_replicas !== streamReplicas
  ) {
    f.error(
      k,
      "num_replicas",
      "consumer-replicas",
      `on a ${retention} stream a consumer's num_replicas must equal the stream's (${streamReplicas}) or be left out`,
    );
  }
  const limits = sc.consumer_limits;
  if (limits?.inactive_threshold && c.inactive_threshold === undefined) {
    f.warning(
      k,
      "",
      "inactive-durable",
      `this consumer inherits consumer_limits.inactive_threshold (${formatDuration(limits.inactive_threshold)}) from stream ${s.name}: the server deletes it when idle that long, and the next apply creates it again`,
    );
  }
  // The server gives a consumer without max_ack_pending the stream's limit, and then refuses a push consumer
  // with ack_policy none that has one (10082, nats-server 2.10 and 2.15 alike).
  if (limits?.max_ack_pending && push && (c.ack_policy ?? "none") === "none") {
    f.error(
      k,
      "ack_policy",
      "consumer-limits",
      `stream ${s.name} sets consumer_limits.max_ack_pending, which the server applies to every consumer, and a push consumer with ack_policy none cannot have a max_ack_pending; use ack_policy explicit (or all), or remove the stream's limit`,
    );
  }
  if (
    limits?.max_ack_pending &&
    c.max_ack_pending !== undefined &&
    (c.max_ack_pending > limits.max_ack_pending || c.max_ack_pending === -1)
  ) {
    f.error(
      k,
      "max_ack_pending",
      "consumer-limits",
      `max_ack_pending ${c.max_ack_pending} exceeds stream ${s.name}'s consumer_limits.max_ack_pending (${limits.max_ack_pending})`,
    );
  }
  if (
    limits?.inactive_threshold &&
    c.inactive_threshold !== undefined &&
    c.inactive_threshold > limits.inactive_threshold
  ) {
    f.error(
      k,
      "inactive_threshold",
      "consumer-limits",
      `inactive_threshold ${formatDuration(c.inactive_threshold)} exceeds stream ${s.name}'s consumer_limits.inactive_threshold (${formatDuration(limits.inactive_threshold)})`,
    );
  }
  if (retention === "workqueue") {
    const ack = c.ack_policy ?? "none";
    if (ack !== "explicit" && ack !== "flow_control") {
      f.error(
        k,
        "ack_policy",
        "workqueue-ack",
        `consumers of the work-queue stream ${s.name} need ack_policy: explicit`,
      );
    }
    if ((c.deliver_policy ?? "all") !== "all") {
      f.error(
        k,
        "deliver_policy",
        "workqueue-deliver",
        `consumers of the work-queue stream ${s.name} must deliver all messages (deliver_policy: all)`,
      );
    }
  }
}

/** Work-queue streams hand each message to one consumer: at most one unfiltered, filters disjoint. */
export function checkWorkQueue(s: DesiredStream, consumers: readonly DesiredConsumer[], f: Findings): void {
  if (s.config.retention !== "workqueue") return;
  let unfiltered: DesiredConsumer | undefined;
  const seen: Array<{ k: DesiredConsumer; filter: string }> = [];
  // The same filters, indexed: the first earlier filter of another consumer that overlaps is found without
  // comparing with every one (a work queue may have thousands of consumers).
  const seenIndex = new SubjectIndex<{ k: DesiredConsumer; filter: string }>();
  for (const k of consumers) {
    const filters = filtersOf(k.config);
    if (filters.length === 0) {
      if (unfiltered) {
        f.error(
          k,
          "",
          "workqueue-unfiltered",
          `work-queue stream ${s.name} already has an unfiltered consumer (${unfiltered.name}); give this one a filter_subject`,
        );
      } else {
        unfiltered = k;
      }
      if (seen.length > 0) {
        f.error(
          k,
          "",
          "workqueue-overlap",
          `on work-queue stream ${s.name} an unfiltered consumer overlaps the filtered consumer ${seen[0]!.k.name}`,
        );
      }
      continue;
    }
    for (const flt of filters) {
      if (unfiltered && unfiltered !== k) {
        f.error(
          k,
          filterPath(k, flt),
          "workqueue-overlap",
          `on work-queue stream ${s.name} filter "${flt}" overlaps the unfiltered consumer ${unfiltered.name}`,
        );
      }
      const clash = seenIndex.firstCollision(flt, k)?.item;
      if (clash) {
        f.error(
          k,
          filterPath(k, flt),
          "workqueue-overlap",
          `on work-queue stream ${s.name} filter "${flt}" overlaps "${clash.filter}" of consumer ${clash.k.name}: each message goes to one consumer only`,
        );
      }
      seen.push({ k, filter: flt });
      seenIndex.add(flt, { k, filter: flt }, k);
    }
  }
}

function filterPath(k: DesiredConsumer, flt: string): string {
  const i = k.config.filter_subjects?.indexOf(flt) ?? -1;
  return i >= 0 ? `filter_subjects[${i}]` : "filter_subject";
}
