// Rules about the consumers of a work-queue stream, which hands each message to one consumer and deletes
// it when that consumer acknowledges it.

import type { DesiredConsumer, DesiredStream } from "../../model/desired.js";
import { filtersOf } from "./consumer-filters.js";
import type { Findings } from "./report.js";
import { SubjectIndex } from "./subject-index.js";

/** The server deletes a work-queue message on its ack: it needs each one acknowledged. */
export function workQueueAcksExplicit(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  if (s.config.retention !== "workqueue") return;
  const ack = k.config.ack_policy ?? "none";
  if (ack !== "explicit" && ack !== "flow_control") {
    f.error(
      k,
      "ack_policy",
      "workqueue-ack",
      `consumers of the work-queue stream ${s.name} need ack_policy: explicit`,
    );
  }
}

/** A work queue holds only what no consumer has taken yet: there is no earlier place to start from. */
export function workQueueDeliversAll(k: DesiredConsumer, s: DesiredStream, f: Findings): void {
  if (s.config.retention === "workqueue" && (k.config.deliver_policy ?? "all") !== "all") {
    f.error(
      k,
      "deliver_policy",
      "workqueue-deliver",
      `consumers of the work-queue stream ${s.name} must deliver all messages (deliver_policy: all)`,
    );
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
