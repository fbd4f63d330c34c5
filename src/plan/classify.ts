// Which field changes the connected server takes in place, and which force a delete and re-create. The
// table follows what nats-server 2.10.27 and 2.15.1 actually did when each change was tried
// (docs/internals/server-behaviour-streams.md and -consumers.md), not what the clients' types suggest.

import type { StreamConfig } from "../model/jetstream.js";
import { atLeast, type Version } from "../model/version.js";
import type { RawFieldChange } from "./field-diff.js";

export interface Classification {
  readonly forcesReplace: boolean;
  readonly reason?: string;
}

const UPDATE: Classification = { forcesReplace: false };
const replace = (reason: string): Classification => ({ forcesReplace: true, reason });

const truthy = (v: unknown) => v !== undefined && v !== false && v !== null && v !== "" && v !== 0;

/** What the stream rules need beyond the changed field itself. */
export interface StreamChangeContext {
  readonly version: Version;
  readonly before: StreamConfig;
  readonly after: StreamConfig;
  /** The live stream's first sequence (from its state), when known. */
  readonly firstSeq?: number;
  /** For each consumer_limits field, whether a live consumer of the stream holds a non-zero value. */
  readonly consumersHold?: { readonly max_ack_pending: boolean; readonly inactive_threshold: boolean };
}

export function classifyStreamChange(ch: RawFieldChange, ctx: StreamChangeContext): Classification {
  const { before, after } = ch;
  const version = ctx.version;
  // Once sealed, a stream with message schedules or subject delete markers refuses every update: those
  // features need the roll-ups and purges that sealing took away, and the server cannot give them back
  // ("can not cancel deny purge", or a pedantic "... cannot be set if roll-ups are disabled"; 2.15.1).
  if (
    truthy(ctx.before.sealed) &&
    (truthy(ctx.before.allow_msg_schedules) || truthy(ctx.before.subject_delete_marker_ttl))
  ) {
    return replace(
      "a sealed stream with message schedules or subject delete markers cannot be changed in place",
    );
  }
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
      // The change may be deep inside the mirror (a filter): what counts is whether there is one on each side.
      if (ctx.before.mirror && !ctx.after.mirror) {
        return atLeast(version, "2.12.0")
          ? { forcesReplace: false, reason: "the mirror is promoted to a normal stream" }
          : replace(
              `a mirror can only be promoted to a normal stream on nats-server 2.12 or newer (this is ${version.text})`,
            );
      }
      return ctx.before.mirror
        ? replace("the mirror's origin and options cannot change")
        : replace("an existing stream cannot become a mirror");
    case "mirror_direct":
      return ctx.after.mirror
        ? { forcesReplace: false, reason: "a mirror serves direct gets when its origin does" }
        : UPDATE;
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
      if (truthy(before) && !truthy(after)) {
        return replace(
          "per-message TTLs (allow_msg_ttl) can be turned on, but not off again (subject_delete_marker_ttl turns them on); keep allow_msg_ttl: true to keep the stream",
        );
      }
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
    case "first_seq": {
      // The server accepts the update, then at its next restart purges the messages below a first_seq that
      // lies beyond the stream's current first sequence. Lowering or removing it is harmless.
      const next = typeof after === "number" ? after : 0;
      return next > (ctx.firstSeq ?? 0)
        ? replace(
            "a first_seq beyond the stream's first sequence only applies to a new stream (changed in place, the server drops the messages below it at its next restart)",
          )
        : UPDATE;
    }
    case "consumer_limits": {
      // Before 2.12.12 and 2.14.3, any change of consumer_limits makes the server compare every consumer
      // against both new limits with `>`, an unset limit counting as 0: the update fails (10069) while any
      // consumer holds a value of its own for a limit the new config leaves unset (e.g. the max_ack_pending
      // of 1000 every explicit-ack consumer gets), whichever field changed. (Verified on 2.10.27; the
      // reference's "fixed in 2.12.0" is wrong: v2.12.0-v2.12.11 and v2.14.0-v2.14.2 have the old check.)
      if (consumerLimitsCheckFixed(version)) return UPDATE;
      const unset = (["max_ack_pending", "inactive_threshold"] as const).filter(
        (f) => !truthy(ctx.after.consumer_limits?.[f]),
      );
      const held = unset.filter((f) => ctx.consumersHold?.[f]);
      return held.length > 0
        ? replace(
            `nats-server ${version.text} refuses any change of consumer_limits while a consumer holds a ${held.join(" or ")} that the new limits leave unset (fixed in 2.12.12 and 2.14.3)`,
          )
        : UPDATE;
    }
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

/** nats-server checks a consumer_limits change only against the limits it sets from 2.12.12 and 2.14.3. */
function consumerLimitsCheckFixed(version: Version): boolean {
  return atLeast(version, "2.14.3") || (atLeast(version, "2.12.12") && !atLeast(version, "2.14.0"));
}
