// The limits a consumer step meets: the number of consumers of its stream (10026; the smaller of the stream's
// max_consumers and the account's, which nats-server applies per stream, not to the account's sum), and the
// account's max_ack_pending (10121).

import type { ConsumerConfig } from "../../model/jetstream.js";
import type { AccountLimits } from "../../model/observed.js";
import type { Change } from "../../model/plan.js";
import type { Finding } from "./findings.js";
import type { Ledger } from "./ledger.js";

/**
 * Runs one consumer step against the ledger. `asked`: the consumer's config as the manifest sets it (the
 * server fills an unset max_ack_pending within the account's limit, so only a value that is set can exceed it).
 */
export function consumerStep(
  ledger: Ledger,
  limits: AccountLimits,
  c: Change,
  asked: ConsumerConfig | undefined,
): Finding[] {
  const stream = ledger.streams.get(c.stream ?? "");
  // Its stream is not there when the step runs: the stream's own step says why.
  if (!stream) return [];
  if (c.action === "delete") {
    stream.consumers.delete(c.name);
    stream.freedBy?.push(c.address);
    return [];
  }
  const out: Finding[] = [];
  const most = limits.max_ack_pending ?? -1;
  const pending = asked?.max_ack_pending ?? 0;
  if (most > 0 && pending > most) {
    out.push({
      code: "plan.account-max-ack-pending",
      key: "plan.account-max-ack-pending",
      address: c.address,
      path: "max_ack_pending",
      message: `max_ack_pending ${pending} is more than the account allows (max_ack_pending ${most}): the server refuses the consumer (10121 "consumer max ack pending exceeds system limit of ${most}"). Lower it to at most ${most}, or leave it out (the server then uses at most ${most})`,
    });
  }
  if (c.action === "update" && stream.consumers.has(c.name)) return out;
  stream.consumers.delete(c.name);
  const limit = consumerLimit(stream.maxConsumers, limits.max_consumers ?? -1);
  const count = stream.consumers.size + stream.ephemeral;
  if (limit.most > 0) ledger.waitFor(c.address, stream.freedBy ?? []);
  if (limit.most > 0 && count >= limit.most) {
    out.push({
      code: "plan.stream-consumers",
      key: `plan.stream-consumers ${stream.name}`,
      address: c.address,
      path: "",
      message: `stream ${stream.name} may have at most ${limit.most} consumer${limit.most === 1 ? "" : "s"} (${limit.from}) and has ${count} when this step runs (${holders(stream.consumers, stream.ephemeral)}): the server refuses it (10026 "maximum consumers limit reached"). Remove consumers in an earlier apply, or raise the limit`,
    });
  }
  // A refused create leaves no consumer (a refused replace has deleted the old one).
  if (out.length === 0) stream.consumers.add(c.name);
  return out;
}

/** The smaller of the stream's and the account's max_consumers, as the server picks it, and whose it is. */
function consumerLimit(streamMax: number, accountMax: number): { most: number; from: string } {
  if (streamMax <= 0 || (accountMax > 0 && accountMax < streamMax)) {
    return { most: accountMax, from: "the account's max_consumers, which the server applies to each stream" };
  }
  return { most: streamMax, from: "its max_consumers" };
}

function holders(names: ReadonlySet<string>, ephemeral: number): string {
  const sorted = [...names].sort();
  const shown = sorted.slice(0, 8).join(", ") + (sorted.length > 8 ? ` and ${sorted.length - 8} more` : "");
  const eph = ephemeral > 0 ? `${shown ? "; " : ""}${ephemeral} ephemeral` : "";
  return `${shown}${eph}`;
}
