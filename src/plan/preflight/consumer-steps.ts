// The limits a consumer step meets: the number of consumers of its stream (10026; the smaller of the stream's
// max_consumers and the account's, which nats-server applies per stream, not to the account's sum), and the
// account's max_ack_pending (10121); under tiered limits, those of the tier of the consumer's replica count
// (its own num_replicas, or its stream's), as consumer.go addConsumer selects them, or 10120 without one.

import type { ConsumerConfig } from "../../model/jetstream.js";
import type { Change } from "../../model/plan.js";
import type { Finding } from "./findings.js";
import { type Ledger, whose } from "./ledger.js";

/**
 * Runs one consumer step against the ledger. `asked`: the consumer's config as the manifest sets it (the
 * server fills an unset max_ack_pending within the account's limit, so only a value that is set can exceed it).
 */
export function consumerStep(ledger: Ledger, c: Change, asked: ConsumerConfig | undefined): Finding[] {
  const stream = ledger.streams.get(c.stream ?? "");
  // Its stream is not there when the step runs: the stream's own step says why.
  if (!stream) return [];
  if (c.action === "delete") {
    stream.consumers.delete(c.name);
    stream.freedBy?.push(c.address);
    return [];
  }
  const own = Number((c.after as { num_replicas?: number } | null)?.num_replicas ?? 0);
  const replicas = own > 0 ? own : stream.replicas;
  const sel = ledger.select(replicas);
  if (!sel) {
    const tier = `R${replicas}`;
    return [
      {
        code: "plan.account-no-tier",
        key: `plan.account-no-tier ${tier}`,
        address: c.address,
        path: own > 0 ? "num_replicas" : "",
        message: `the account's JetStream limits are tiered (${ledger.tierNames.join(", ")}) and have no ${tier} tier for a consumer of ${replicas} replica${replicas > 1 ? "s" : ""}: the server refuses it (10120 "no JetStream default or applicable tiered limit present"). Use the replica count of a tier the account has, or ask for an ${tier} tier`,
      },
    ];
  }
  const limits = sel.limits;
  const who = whose(sel);
  const out: Finding[] = [];
  const most = limits.max_ack_pending ?? -1;
  const pending = asked?.max_ack_pending ?? 0;
  if (most > 0 && pending > most) {
    out.push({
      code: "plan.account-max-ack-pending",
      key: `plan.account-max-ack-pending ${sel.tier}`,
      address: c.address,
      path: "max_ack_pending",
      message: `max_ack_pending ${pending} is more than ${who} allows (max_ack_pending ${most}): the server refuses the consumer (10121 "consumer max ack pending exceeds system limit of ${most}"). Lower it to at most ${most}, or leave it out (the server then uses at most ${most})`,
    });
  }
  if (c.action === "update" && stream.consumers.has(c.name)) return out;
  stream.consumers.delete(c.name);
  const limit = consumerLimit(stream.maxConsumers, limits.max_consumers ?? -1, who);
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
function consumerLimit(streamMax: number, accountMax: number, who: string): { most: number; from: string } {
  if (streamMax <= 0 || (accountMax > 0 && accountMax < streamMax)) {
    return { most: accountMax, from: `${who}'s max_consumers, which the server applies to each stream` };
  }
  return { most: streamMax, from: "its max_consumers" };
}

function holders(names: ReadonlySet<string>, ephemeral: number): string {
  const sorted = [...names].sort();
  const shown = sorted.slice(0, 8).join(", ") + (sorted.length > 8 ? ` and ${sorted.length - 8} more` : "");
  const eph = ephemeral > 0 ? `${shown ? "; " : ""}${ephemeral} ephemeral` : "";
  return `${shown}${eph}`;
}
