// The account limits a stream step meets, as nats-server checks them: the number of streams (10027), the
// bytes the account may reserve (10047 file, 10028 memory), max_bytes_required (10113), the largest
// max_bytes of one stream (10122), a stream max_consumers above the account's (10026), and under tiered
// limits a replica count that no tier covers (10120). Each against the limits the server selects for the
// stream: the account's, or those of the tier of its replica count.

import type { Change } from "../../model/plan.js";
import { formatSize } from "../../model/units.js";
import { bytesText, type Finding, holdersText } from "./findings.js";
import {
  byteLimit,
  type HeldStream,
  heldFrom,
  type Ledger,
  type Selected,
  streamByteLimit,
  whose,
} from "./ledger.js";

type Next = Omit<HeldStream, "ephemeral">;

/** Runs one stream step against the ledger: its findings, and the ledger changed when the server takes it. */
export function streamStep(ledger: Ledger, c: Change): Finding[] {
  const name = String((c.after ?? c.before)?.name ?? c.name);
  if (c.action === "delete") {
    ledger.remove(name);
    ledger.freedStreams.push(c.address);
    return [];
  }
  const next = heldFrom(c.after!);
  const old = ledger.streams.get(name);
  const updating = c.action === "update" && old !== undefined;
  // An update to a replica count that no tier covers keeps the old tier's limits (stream.go
  // configUpdateCheck); a create or a scale-up in a cluster is refused (jsClusteredStreamLimitsCheck).
  const scaleUp = updating && ledger.clustered && next.replicas > old.replicas;
  const sel =
    ledger.select(next.replicas) ?? (updating && !scaleUp ? ledger.select(old.replicas) : undefined);
  if (!sel) {
    if (c.action === "replace") ledger.remove(name);
    return [noTier(c, next.replicas, ledger.tierNames)];
  }
  const limits = sel.limits;
  if (byteLimit(limits, next.storage) >= 0 || (!updating && (limits.max_streams ?? -1) > 0)) {
    ledger.waitFor(c.address, ledger.freedStreams);
  }
  // A replace deletes first: its room and its consumers are gone before the create asks.
  if (!updating) ledger.remove(name);
  const countsStreams = !updating || (scaleUp && sel.tier !== "" && `R${old.replicas}` !== sel.tier);
  const found = [
    ...configFindings(c, next, sel),
    ...(countsStreams ? streamCountFindings(c, ledger, sel) : []),
    ...byteFindings(c, ledger, sel, next, updating ? old : undefined),
  ];
  if (found.length === 0) ledger.put(next, updating ? old : undefined);
  if (c.action === "replace") ledger.freedStreams.push(c.address);
  return found;
}

function finding(c: Change, code: string, sel: Selected, path: string, message: string): Finding {
  return { code, key: sel.tier ? `${code} ${sel.tier}` : code, address: c.address, path, message };
}

function noTier(c: Change, replicas: number, tiers: readonly string[]): Finding {
  const tier = `R${Math.max(1, replicas)}`;
  return {
    code: "plan.account-no-tier",
    key: `plan.account-no-tier ${tier}`,
    address: c.address,
    path: "num_replicas",
    message: `the account's JetStream limits are tiered (${tiers.join(", ")}) and have no ${tier} tier for a stream of ${Math.max(1, replicas)} replica${replicas > 1 ? "s" : ""}: the server refuses it (10120 "no JetStream default or applicable tiered limit present"). Use the replica count of a tier the account has, or ask for an ${tier} tier`,
  };
}

/** What checkStreamCfg and checkLimits refuse about the config itself, on create and update. */
function configFindings(c: Change, next: Next, sel: Selected): Finding[] {
  const out: Finding[] = [];
  const limits = sel.limits;
  const who = whose(sel);
  if (limits.max_bytes_required && next.maxBytes <= 0) {
    out.push(
      finding(
        c,
        "plan.account-max-bytes-required",
        sel,
        "",
        `${who} requires max_bytes on every stream (max_bytes_required), and this one has none: the server refuses it (10113 "account requires a stream config to have max bytes set"). Set max_bytes`,
      ),
    );
  }
  const most = streamByteLimit(limits, next.storage);
  if (most > 0 && next.maxBytes > most) {
    const field = next.storage === "memory" ? "memory_max_stream_bytes" : "storage_max_stream_bytes";
    out.push(
      finding(
        c,
        "plan.account-max-stream-bytes",
        sel,
        "max_bytes",
        `max_bytes ${formatSize(next.maxBytes)} is more than ${who} allows one ${next.storage} stream (${field} ${formatSize(most)}): the server refuses it (10122). Lower max_bytes to at most ${formatSize(most)}`,
      ),
    );
  }
  const accountMax = limits.max_consumers ?? -1;
  if (next.maxConsumers > 0 && accountMax > 0 && next.maxConsumers > accountMax) {
    out.push(
      finding(
        c,
        "plan.account-max-consumers",
        sel,
        "max_consumers",
        `max_consumers ${next.maxConsumers} is more than ${who}'s max_consumers ${accountMax}: the server refuses the stream (10026 "maximum consumers limit reached"). Lower it to at most ${accountMax}, or leave it out`,
      ),
    );
  }
  return out;
}

function streamCountFindings(c: Change, ledger: Ledger, sel: Selected): Finding[] {
  const most = sel.limits.max_streams ?? -1;
  const held = ledger.streamsIn(sel);
  if (most <= 0 || held.count < most) return [];
  const names = held.names;
  const shown = names.slice(0, 8).join(", ") + (names.length > 8 ? ` and ${names.length - 8} more` : "");
  const which = sel.tier ? ` ${sel.tier}` : "";
  return [
    finding(
      c,
      "plan.account-streams",
      sel,
      "",
      `${whose(sel)} may hold at most ${most}${which} stream${most === 1 ? "" : "s"} (max_streams), and holds ${held.count} when this step runs (${shown}): the server refuses it (10027 "maximum number of streams reached"). Delete streams first, or ask for a higher limit`,
    ),
  ];
}

function byteFindings(
  c: Change,
  ledger: Ledger,
  sel: Selected,
  next: Next,
  old: HeldStream | undefined,
): Finding[] {
  const most = byteLimit(sel.limits, next.storage);
  if (most < 0) return [];
  const others = ledger.reservedExcept(next, sel);
  const asks = old ? ledger.updateAsks(old, next, sel) : ledger.createAsks(next, sel);
  if (others.total + asks <= most) return [];
  const memory = next.storage === "memory";
  const what =
    next.maxBytes > 0
      ? `its max_bytes asks for ${bytesText(asks)}`
      : `it has no max_bytes, so its ${old ? "update" : "create"} asks for ${asks} byte${asks === 1 ? "" : "s"}`;
  const code = memory ? "plan.account-memory" : "plan.account-storage";
  return [
    finding(
      c,
      code,
      sel,
      next.maxBytes > 0 ? "max_bytes" : "",
      `${whose(sel)}'s ${memory ? "memory" : "file storage"} limit (${memory ? "max_memory" : "max_storage"} ${bytesText(most)}) cannot hold this stream when its step runs: ${others.total > 0 ? `${holdersText(others)}, and ${what}, ${bytesText(others.total + asks)} in all` : what}. The server refuses it (${memory ? "10028 insufficient memory resources" : "10047 insufficient storage resources"}). Lower max_bytes, delete streams in an earlier apply (room that a deletion frees counts only for the steps after it), or ask for a higher limit`,
    ),
  ];
}
