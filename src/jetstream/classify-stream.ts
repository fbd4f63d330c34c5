// Which stream field changes the connected server takes in place, and which force a delete and re-create.
// The rules follow what nats-server 2.10.27 and 2.15.1 actually did when each change was tried
// (docs/internals/server-behaviour-streams.md), not what the clients' types suggest. Immutable and one-way
// fields are in the field table; the fields whose rule depends on the version, the other side or the
// stream's state are here.

import type { StreamConfig } from "../model/jetstream.js";
import { atLeast, type Version } from "../model/version.js";
import { type Classification, classifyByTable, replace, truthy, UPDATE } from "./classify-common.js";
import type { RawFieldChange } from "./field-diff.js";
import { STREAM_FIELDS } from "./fields/stream.js";

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

type Rule = (ch: RawFieldChange, ctx: StreamChangeContext) => Classification;

const notOlder = (version: Version, min: string, field: string, what: string): Classification =>
  atLeast(version, min)
    ? UPDATE
    : replace(
        `${field} can only ${what} on nats-server ${min.replace(/\.0$/, "")} or newer (this is ${version.text})`,
      );

/** The stream fields whose rule the table cannot say, each with its rule. */
const SPECIAL: Readonly<Record<string, Rule>> = {
  retention: ({ before, after }) =>
    before === "workqueue" || after === "workqueue"
      ? replace("retention cannot change to or from workqueue")
      : UPDATE,
  max_consumers: (_ch, { version }) => notOlder(version, "2.12.5", "max_consumers", "change in place"),
  // The change may be deep inside the mirror (a filter): what counts is whether there is one on each side.
  mirror: (_ch, ctx) => {
    if (ctx.before.mirror && !ctx.after.mirror) {
      return atLeast(ctx.version, "2.12.0")
        ? { forcesReplace: false, reason: "the mirror is promoted to a normal stream" }
        : replace(
            `a mirror can only be promoted to a normal stream on nats-server 2.12 or newer (this is ${ctx.version.text})`,
          );
    }
    return ctx.before.mirror
      ? replace("the mirror's origin and options cannot change")
      : replace("an existing stream cannot become a mirror");
  },
  mirror_direct: (_ch, ctx) =>
    ctx.after.mirror
      ? { forcesReplace: false, reason: "a mirror serves direct gets when its origin does" }
      : UPDATE,
  allow_msg_ttl: ({ before, after }, { version }) => {
    if (truthy(before) && !truthy(after)) {
      return replace(
        "per-message TTLs (allow_msg_ttl) can be turned on, but not off again (subject_delete_marker_ttl turns them on); keep allow_msg_ttl: true to keep the stream",
      );
    }
    return notOlder(version, "2.11.2", "allow_msg_ttl", "be turned on in place");
  },
  // The server accepts the update, then at its next restart purges the messages below a first_seq that
  // lies beyond the stream's current first sequence. Lowering or removing it is harmless.
  first_seq: ({ after }, ctx) =>
    (typeof after === "number" ? after : 0) > (ctx.firstSeq ?? 0)
      ? replace(
          "a first_seq beyond the stream's first sequence only applies to a new stream (changed in place, the server drops the messages below it at its next restart)",
        )
      : UPDATE,
  consumer_limits: consumerLimitsRule,
};

export function classifyStreamChange(ch: RawFieldChange, ctx: StreamChangeContext): Classification {
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
  return (
    classifyByTable(STREAM_FIELDS.row(ch.field), ch.before, ch.after) ??
    SPECIAL[ch.field]?.(ch, ctx) ??
    UPDATE
  );
}

/**
 * Before 2.12.12 and 2.14.3, any change of consumer_limits makes the server compare every consumer against
 * both new limits with `>`, an unset limit counting as 0: the update fails (10069) while any consumer holds
 * a value of its own for a limit the new config leaves unset (e.g. the max_ack_pending of 1000 every
 * explicit-ack consumer gets), whichever field changed. (Verified on 2.10.27; the reference's "fixed in
 * 2.12.0" is wrong: v2.12.0-v2.12.11 and v2.14.0-v2.14.2 have the old check.)
 */
function consumerLimitsRule(_ch: RawFieldChange, ctx: StreamChangeContext): Classification {
  const version = ctx.version;
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

/** nats-server checks a consumer_limits change only against the limits it sets from 2.12.12 and 2.14.3. */
function consumerLimitsCheckFixed(version: Version): boolean {
  return atLeast(version, "2.14.3") || (atLeast(version, "2.12.12") && !atLeast(version, "2.14.0"));
}
