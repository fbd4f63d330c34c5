// Which field changes the connected server takes in place, and which force a delete and re-create. The
// table follows what nats-server 2.10.27 and 2.15.1 actually did when each change was tried
// (docs/internals/server-behaviour-streams.md and -consumers.md), not what the clients' types suggest.

import type { ResourceKind } from "../model/address.js";
import { atLeast, type Version } from "../model/version.js";
import type { RawFieldChange } from "./field-diff.js";

export interface Classification {
  readonly forcesReplace: boolean;
  readonly reason?: string;
}

const UPDATE: Classification = { forcesReplace: false };
const replace = (reason: string): Classification => ({ forcesReplace: true, reason });

const truthy = (v: unknown) => v !== undefined && v !== false && v !== null && v !== "" && v !== 0;

export function classifyStreamChange(ch: RawFieldChange, version: Version): Classification {
  const { before, after } = ch;
  switch (ch.field) {
    case "storage":
      return replace("the storage type of a stream cannot change");
    case "retention":
      return before === "workqueue" || after === "workqueue"
        ? replace("retention cannot change to or from workqueue")
        : UPDATE;
    case "max_consumers":
      return atLeast(version, "2.12.5")
        ? UPDATE
        : replace(
            `max_consumers can only change in place on nats-server 2.12.5 or newer (this is ${version.text})`,
          );
    case "mirror":
      if (before !== undefined && after === undefined) {
        return atLeast(version, "2.12.0")
          ? { forcesReplace: false, reason: "the mirror is promoted to a normal stream" }
          : replace(
              `a mirror can only be promoted to a normal stream on nats-server 2.12 or newer (this is ${version.text})`,
            );
      }
      return before === undefined
        ? replace("an existing stream cannot become a mirror")
        : replace("the mirror's origin and options cannot change");
    case "sealed":
      return truthy(before) && !truthy(after) ? replace("a sealed stream cannot be unsealed") : UPDATE;
    case "deny_delete":
      return truthy(before) && !truthy(after)
        ? replace("deny_delete can be turned on, but not off again")
        : UPDATE;
    case "deny_purge":
      return truthy(before) && !truthy(after)
        ? replace("deny_purge can be turned on, but not off again")
        : UPDATE;
    case "allow_msg_ttl":
      if (truthy(before) && !truthy(after))
        return replace("per-message TTLs (allow_msg_ttl) can be turned on, but not off again");
      return atLeast(version, "2.11.2")
        ? UPDATE
        : replace(
            `allow_msg_ttl can only be turned on in place on nats-server 2.11.2 or newer (this is ${version.text})`,
          );
    case "allow_msg_counter":
      return replace("allow_msg_counter is fixed when the stream is created");
    case "allow_msg_schedules":
      return truthy(before) && !truthy(after)
        ? replace("message schedules can be turned on, but not off again")
        : UPDATE;
    case "persist_mode":
      return replace("persist_mode is fixed when the stream is created");
    case "first_seq":
      // The server accepts the update, then purges every message at its next restart to honour it.
      return replace(
        "first_seq only applies to a new stream (changed in place, the server drops all messages at its next restart)",
      );
    default:
      return UPDATE;
  }
}

const CONSUMER_FIXED: Readonly<Record<string, string>> = {
  deliver_policy: "deliver_policy is fixed when the consumer is created",
  opt_start_seq: "opt_start_seq is fixed when the consumer is created",
  opt_start_time: "opt_start_time is fixed when the consumer is created",
  ack_policy: "ack_policy is fixed when the consumer is created",
  replay_policy: "replay_policy is fixed when the consumer is created",
  flow_control: "flow_control is fixed when the consumer is created",
  idle_heartbeat: "idle_heartbeat is fixed when the consumer is created",
  max_waiting: "max_waiting is fixed when the consumer is created",
  mem_storage: "mem_storage is fixed when the consumer is created",
};

export function classifyConsumerChange(ch: RawFieldChange): Classification {
  const fixed = CONSUMER_FIXED[ch.field];
  if (fixed) return replace(fixed);
  if (ch.field === "deliver_subject") {
    if (!truthy(ch.before))
      return replace("a pull consumer cannot become a push consumer (deliver_subject added)");
    if (!truthy(ch.after))
      return replace("a push consumer cannot become a pull consumer (deliver_subject removed)");
    return {
      forcesReplace: false,
      reason: "a push consumer's deliver_subject can change only while no client is subscribed to it",
    };
  }
  return UPDATE;
}

export function classifyChange(kind: ResourceKind, ch: RawFieldChange, version: Version): Classification {
  return kind === "consumer" ? classifyConsumerChange(ch) : classifyStreamChange(ch, version);
}
