// Rules about one consumer, alone and against its stream when the stream is in the manifest. They mirror
// the server's checkConsumerCfg and the silent adjustments of setConsumerConfigDefaults.

import type { DesiredConsumer, DesiredStream } from "../../model/desired.js";
import { formatDuration } from "../../model/units.js";
import {
  ackNoneHasNoPending,
  backoffNeedsAcks,
  backoffSetsAckWait,
  backoffWithinMaxDeliver,
  flowControlAcks,
} from "./consumer-acks.js";
import {
  flowControlHasHeartbeat,
  heartbeatNotTooShort,
  lastPerSubjectFiltered,
  maxExpiresNotTooShort,
  settingsOfItsKind,
  startPlacePaired,
} from "./consumer-delivery.js";
import { filtersDisjoint, oneFilterForm } from "./consumer-filters.js";
import {
  priorityGroupsHavePolicy,
  priorityPolicyHasGroups,
  priorityTimeoutPinned,
} from "./consumer-priority.js";
import { checkAgainstStream } from "./consumer-stream.js";
import type { Findings, Rule } from "./report.js";
import { metadataWithinLimit, nameWithinLimit } from "./server-limits.js";

/** jsplan consumers are durable, and the server wants the durable name to be the name. */
function durableNameIsName(k: DesiredConsumer, f: Findings): void {
  const durable = k.config.durable_name;
  if (durable !== undefined && durable !== k.name) {
    f.error(
      k,
      "durable_name",
      "durable-name",
      `durable_name "${durable}" must equal name "${k.name}"; remove durable_name`,
    );
  }
}

/** A durable consumer that the server deletes when idle comes back with the next apply, its state lost. */
function inactiveThresholdDeletes(k: DesiredConsumer, f: Findings): void {
  const threshold = k.config.inactive_threshold;
  if (threshold !== undefined && threshold > 0) {
    f.warning(
      k,
      "inactive_threshold",
      "inactive-durable",
      `the server deletes this durable consumer after ${formatDuration(threshold)} without a client, and the next apply creates it again (with its delivery state lost); leave inactive_threshold out for a consumer that must stay`,
    );
  }
}

/**
 * In the order of their findings at one place: the rule that a field belongs to the other kind of
 * consumer comes before the rules about its value, and backoff's rules before flow_control's.
 */
const CONSUMER_RULES: ReadonlyArray<Rule<DesiredConsumer>> = [
  nameWithinLimit,
  durableNameIsName,
  oneFilterForm,
  filtersDisjoint,
  settingsOfItsKind,
  startPlacePaired,
  lastPerSubjectFiltered,
  maxExpiresNotTooShort,
  flowControlHasHeartbeat,
  heartbeatNotTooShort,
  backoffSetsAckWait,
  backoffWithinMaxDeliver,
  backoffNeedsAcks,
  ackNoneHasNoPending,
  flowControlAcks,
  priorityPolicyHasGroups,
  priorityGroupsHavePolicy,
  priorityTimeoutPinned,
  (k, f) => metadataWithinLimit(k, k.config.metadata, f),
  inactiveThresholdDeletes,
];

export function checkConsumer(k: DesiredConsumer, stream: DesiredStream | undefined, f: Findings): void {
  for (const rule of CONSUMER_RULES) rule(k, f);
  if (stream) checkAgainstStream(k, stream, f);
}
