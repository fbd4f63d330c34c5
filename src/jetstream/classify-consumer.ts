// Which consumer field changes the connected server takes in place (docs/internals/server-behaviour-consumers.md).
// The fields fixed at creation are in the field table; deliver_subject has a rule of its own.

import { type Classification, classifyByTable, replace, truthy, UPDATE } from "./classify-common.js";
import type { RawFieldChange } from "./field-diff.js";
import { CONSUMER_FIELDS } from "./fields/consumer.js";

export function classifyConsumerChange(ch: RawFieldChange): Classification {
  const byTable = classifyByTable(CONSUMER_FIELDS.row(ch.field), ch.before, ch.after);
  if (byTable) return byTable;
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
