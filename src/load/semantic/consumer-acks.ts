// Rules about acknowledgements: how long the server waits for one (ack_wait, backoff), how often it
// redelivers, how many it lets a consumer owe, and the flow_control ack policy, where the flow control
// itself acknowledges.

import type { DesiredConsumer } from "../../model/desired.js";
import { formatDuration, SECOND } from "../../model/units.js";
import { isPush } from "./consumer-delivery.js";
import type { Findings } from "./report.js";

/** Backoff replaces ack_wait on the server: a different ack_wait would be silently overwritten. */
export function backoffSetsAckWait(k: DesiredConsumer, f: Findings): void {
  const { backoff, ack_wait: ackWait } = k.config;
  if (backoff?.length && ackWait !== undefined && ackWait !== backoff[0]) {
    f.error(
      k,
      "ack_wait",
      "ack-wait-backoff",
      `with backoff the server uses backoff[0] (${formatDuration(backoff[0]!)}) as ack_wait, not ${formatDuration(ackWait)}; remove ack_wait`,
    );
  }
}

/** Steps past max_deliver would never be taken: the server refuses them. */
export function backoffWithinMaxDeliver(k: DesiredConsumer, f: Findings): void {
  const { backoff, max_deliver: maxDeliver } = k.config;
  if (backoff?.length && maxDeliver !== undefined && maxDeliver > 0 && backoff.length > maxDeliver) {
    f.error(
      k,
      "backoff",
      "backoff-max-deliver",
      `backoff has ${backoff.length} steps but max_deliver is ${maxDeliver}: a message is delivered at most max_deliver times, so raise max_deliver or shorten backoff`,
    );
  }
}

export function backoffNeedsAcks(k: DesiredConsumer, f: Findings): void {
  if (k.config.backoff?.length && (k.config.ack_policy ?? "none") === "none") {
    f.error(
      k,
      "backoff",
      "backoff-ack-none",
      "backoff times redeliveries of unacknowledged messages; with ack_policy none nothing is redelivered",
    );
  }
}

/** Nothing is pending without acks; the server refuses the limit on a push consumer. */
export function ackNoneHasNoPending(k: DesiredConsumer, f: Findings): void {
  const c = k.config;
  if (
    isPush(c) &&
    (c.ack_policy ?? "none") === "none" &&
    c.max_ack_pending !== undefined &&
    c.max_ack_pending !== 0
  ) {
    f.error(
      k,
      "max_ack_pending",
      "ack-none-pending",
      "max_ack_pending has no meaning with ack_policy none on a push consumer; remove it",
    );
  }
}

/**
 * ack_policy flow_control (acknowledgement through flow control) has one shape on the server: a push
 * consumer with flow control, a 1s heartbeat and a limited max_ack_pending, and no ack_wait, backoff or
 * max_deliver.
 */
export function flowControlAcks(k: DesiredConsumer, f: Findings): void {
  const c = k.config;
  if (c.ack_policy !== "flow_control") return;
  if (!isPush(c))
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
