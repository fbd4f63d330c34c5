// An in-place update that lowers a stream's limits below what it holds makes the server remove messages at
// (nats-server filestore/memstore UpdateConfig, measured on 2.10.27 and 2.15.1): max_msgs and max_bytes remove
// the oldest messages when the new config discards old ones (discard: new keeps them and refuses new
// publishes instead); max_msgs_per_subject keeps the newest of each subject (2.10 from unlimited only at
// each subject's next message); max_age expires what is older.
// From the stream's state the plan says how many: exactly (max_msgs), at least (max_bytes, max_age: the
// oldest message), or that some may go (max_msgs_per_subject: the counts per subject are not read).

import type { StreamConfig } from "../model/jetstream.js";
import type { ObservedStream } from "../model/observed.js";
import type { Reason, Trims } from "../model/plan.js";
import { formatBytesApprox, formatDuration, formatSize } from "../model/units.js";
import { atLeast, type Version } from "../model/version.js";

export interface Trimming {
  readonly trims: Trims;
  readonly reason: Reason;
}

interface Cut {
  readonly field: string;
  /** Messages removed: exact, at least, or unknown. */
  readonly messages: number | null;
  readonly exact: boolean;
  readonly why: string;
}

const n = (x: number) => x.toLocaleString("en");
const lowered = (before: number | undefined, after: number | undefined) =>
  after !== undefined && after > 0 && (before === undefined || before <= 0 || after < before);

function cuts(before: StreamConfig, after: StreamConfig, obs: ObservedStream, version: Version): Cut[] {
  const st = obs.state;
  if (!st || st.messages === 0) return [];
  const out: Cut[] = [];
  const discardOld = (after.discard ?? "old") === "old";
  const msgs = after.max_msgs;
  if (discardOld && msgs !== undefined && msgs > 0 && st.messages > msgs) {
    const k = st.messages - msgs;
    out.push({
      field: "max_msgs",
      messages: k,
      exact: true,
      why: `max_msgs ${n(msgs)} is below the ${n(st.messages)} messages it holds: the server removes the oldest ${n(k)}`,
    });
  }
  const bytes = after.max_bytes;
  if (discardOld && bytes !== undefined && bytes > 0 && st.bytes > bytes) {
    out.push({
      field: "max_bytes",
      messages: 1,
      exact: false,
      why: `max_bytes ${formatSize(bytes)} is below the ${formatBytesApprox(st.bytes)} it holds: the server removes the oldest messages until at least ${formatBytesApprox(st.bytes - bytes)} are gone`,
    });
  }
  const per = after.max_msgs_per_subject;
  if (lowered(before.max_msgs_per_subject, per) && st.messages > per!) {
    // 2.10 trims at once only when lowering a set limit; from unlimited, at each subject's next message.
    const when =
      !atLeast(version, "2.11.0") && (before.max_msgs_per_subject ?? -1) <= 0
        ? ", when the subject gets its next message"
        : "";
    out.push({
      field: "max_msgs_per_subject",
      messages: null,
      exact: false,
      why: `max_msgs_per_subject ${n(per!)}: a subject that holds more keeps only its newest ${n(per!)}${when} (jsplan does not read the counts per subject, so how many go is not known)`,
    });
  }
  const age = after.max_age;
  const oldest = st.first_ts && obs.observedAt ? Date.parse(obs.observedAt) - Date.parse(st.first_ts) : NaN;
  if (lowered(before.max_age, age) && oldest * 1e6 > age!) {
    out.push({
      field: "max_age",
      messages: 1,
      exact: false,
      why: `max_age ${formatDuration(age!)}: its oldest message is older than that, so the server removes it and every other message past that age`,
    });
  }
  return out;
}

/** What the update removes, or undefined when it removes nothing. */
export function trimmingOf(
  before: StreamConfig,
  after: StreamConfig,
  obs: ObservedStream,
  version: Version,
): Trimming | undefined {
  const found = cuts(before, after, obs, version);
  if (found.length === 0) return undefined;
  const known = found.filter((c) => c.messages !== null).map((c) => c.messages!);
  const exact = found.length === 1 && found[0]!.exact;
  const messages = known.length > 0 ? Math.max(...known) : null;
  const trims: Trims = { messages, exact, fields: found.map((c) => c.field) };
  const plural = (k: number) => `${n(k)} message${k === 1 ? "" : "s"}`;
  const how = messages === null ? "some messages" : exact ? plural(messages) : `at least ${plural(messages)}`;
  return {
    trims,
    reason: {
      code: "update-removes-messages",
      path: found[0]!.field,
      message: `this update removes ${how} at once: ${found.map((c) => c.why).join("; ")}`,
    },
  };
}
