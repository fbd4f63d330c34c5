// Rules about how a consumer delivers: pushed to a deliver subject or pulled by clients, from where in
// the stream, and with the heartbeats and flow control of a push consumer or the request limits of a
// pull one.

import type { DesiredConsumer } from "../../model/desired.js";
import { MS } from "../../model/units.js";
import { filtersOf } from "./consumer-filters.js";
import type { Findings } from "./report.js";

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

/** The deliver policies that start at a given place, and the field that gives the place. */
const START_FIELDS = [
  ["by_start_sequence", "opt_start_seq"],
  ["by_start_time", "opt_start_time"],
] as const;

/** A consumer with a deliver subject is a push consumer; any other is pulled by its clients. */
export function isPush(c: DesiredConsumer["config"]): boolean {
  return c.deliver_subject !== undefined && c.deliver_subject !== "";
}

/** The server refuses the settings of the other kind of consumer. */
export function settingsOfItsKind(k: DesiredConsumer, f: Findings): void {
  const c = k.config;
  if (isPush(c)) {
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
}

/** A start policy cannot start without its place, and the server refuses a place without its policy. */
export function startPlacePaired(k: DesiredConsumer, f: Findings): void {
  const policy = k.config.deliver_policy ?? "all";
  for (const [startPolicy, field] of START_FIELDS) {
    if (policy === startPolicy && k.config[field] === undefined) {
      f.error(k, "deliver_policy", "deliver-start", `deliver_policy: ${startPolicy} needs ${field}`);
    }
    if (policy !== startPolicy && k.config[field] !== undefined) {
      f.error(k, field, "deliver-start", `${field} only applies with deliver_policy: ${startPolicy}`);
    }
  }
}

/** The last message per subject of a filter: without a filter the server has no subjects to go by. */
export function lastPerSubjectFiltered(k: DesiredConsumer, f: Findings): void {
  if (k.config.deliver_policy === "last_per_subject" && filtersOf(k.config).length === 0) {
    f.error(
      k,
      "deliver_policy",
      "deliver-start",
      "deliver_policy: last_per_subject needs filter_subject or filter_subjects",
    );
  }
}

/** The server's shortest wait for a pull request. */
export function maxExpiresNotTooShort(k: DesiredConsumer, f: Findings): void {
  const expires = k.config.max_expires;
  if (expires !== undefined && expires > 0 && expires < MS) {
    f.error(k, "max_expires", "max-expires-too-small", "max_expires must be 0 (unlimited) or at least 1ms");
  }
}

/** When no messages flow, heartbeats carry the flow control's state: the server refuses one without the other. */
export function flowControlHasHeartbeat(k: DesiredConsumer, f: Findings): void {
  if (k.config.flow_control && !k.config.idle_heartbeat) {
    f.error(k, "flow_control", "flow-control-heartbeat", "flow_control needs idle_heartbeat");
  }
}

/** The server's shortest heartbeat interval. */
export function heartbeatNotTooShort(k: DesiredConsumer, f: Findings): void {
  const heartbeat = k.config.idle_heartbeat;
  if (isPush(k.config) && heartbeat !== undefined && heartbeat > 0 && heartbeat < 100 * MS) {
    f.error(k, "idle_heartbeat", "heartbeat-too-small", "idle_heartbeat must be at least 100ms");
  }
}
