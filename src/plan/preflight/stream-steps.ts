// The account limits a stream step meets, as nats-server checks them: the number of streams (10027), the
// bytes the account may reserve (10047 file, 10028 memory), max_bytes_required (10113), the largest
// max_bytes of one stream (10122), and a stream max_consumers above the account's (10026).

import type { AccountLimits } from "../../model/observed.js";
import type { Change } from "../../model/plan.js";
import { formatSize } from "../../model/units.js";
import { bytesText, type Finding, holdersText } from "./findings.js";
import { byteLimit, type HeldStream, heldFrom, type Ledger, streamByteLimit } from "./ledger.js";

type Next = Omit<HeldStream, "ephemeral">;

/** Runs one stream step against the ledger: its findings, and the ledger changed when the server takes it. */
export function streamStep(ledger: Ledger, limits: AccountLimits, c: Change): Finding[] {
  const name = String((c.after ?? c.before)?.name ?? c.name);
  if (c.action === "delete") {
    ledger.remove(name);
    ledger.freedStreams.push(c.address);
    return [];
  }
  const next = heldFrom(c.after!);
  const old = ledger.streams.get(name);
  const updating = c.action === "update" && old !== undefined;
  if (byteLimit(limits, next.storage) >= 0 || (!updating && (limits.max_streams ?? -1) > 0)) {
    ledger.waitFor(c.address, ledger.freedStreams);
  }
  // A replace deletes first: its room and its consumers are gone before the create asks.
  if (!updating) ledger.remove(name);
  const found = [
    ...configFindings(c, next, limits),
    ...(updating ? [] : streamCountFindings(c, ledger, limits)),
    ...byteFindings(c, ledger, limits, next, updating ? old : undefined),
  ];
  if (found.length === 0) ledger.put(next, updating ? old : undefined);
  if (c.action === "replace") ledger.freedStreams.push(c.address);
  return found;
}

function finding(c: Change, code: string, path: string, message: string): Finding {
  return { code, key: code, address: c.address, path, message };
}

/** What checkStreamCfg and checkLimits refuse about the config itself, on create and update. */
function configFindings(c: Change, next: Next, limits: AccountLimits): Finding[] {
  const out: Finding[] = [];
  if (limits.max_bytes_required && next.maxBytes <= 0) {
    out.push(
      finding(
        c,
        "plan.account-max-bytes-required",
        "",
        'the account requires max_bytes on every stream (max_bytes_required), and this one has none: the server refuses it (10113 "account requires a stream config to have max bytes set"). Set max_bytes',
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
        "max_bytes",
        `max_bytes ${formatSize(next.maxBytes)} is more than the account allows one ${next.storage} stream (${field} ${formatSize(most)}): the server refuses it (10122). Lower max_bytes to at most ${formatSize(most)}`,
      ),
    );
  }
  const accountMax = limits.max_consumers ?? -1;
  if (next.maxConsumers > 0 && accountMax > 0 && next.maxConsumers > accountMax) {
    out.push(
      finding(
        c,
        "plan.account-max-consumers",
        "max_consumers",
        `max_consumers ${next.maxConsumers} is more than the account's max_consumers ${accountMax}: the server refuses the stream (10026 "maximum consumers limit reached"). Lower it to at most ${accountMax}, or leave it out`,
      ),
    );
  }
  return out;
}

function streamCountFindings(c: Change, ledger: Ledger, limits: AccountLimits): Finding[] {
  const most = limits.max_streams ?? -1;
  if (most <= 0 || ledger.streamCount < most) return [];
  const names = [...ledger.streams.keys()].sort();
  const shown = names.slice(0, 8).join(", ") + (names.length > 8 ? ` and ${names.length - 8} more` : "");
  return [
    finding(
      c,
      "plan.account-streams",
      "",
      `the account may hold at most ${most} stream${most === 1 ? "" : "s"} (max_streams), and holds ${ledger.streamCount} when this step runs (${shown}): the server refuses it (10027 "maximum number of streams reached"). Delete streams first, or ask for a higher limit`,
    ),
  ];
}

function byteFindings(
  c: Change,
  ledger: Ledger,
  limits: AccountLimits,
  next: Next,
  old: HeldStream | undefined,
): Finding[] {
  const most = byteLimit(limits, next.storage);
  if (most < 0) return [];
  const others = ledger.reservedExcept(next);
  const asks = old ? ledger.updateAsks(old, next) : ledger.createAsks(next);
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
      next.maxBytes > 0 ? "max_bytes" : "",
      `the account's ${memory ? "memory" : "file storage"} limit (${memory ? "max_memory" : "max_storage"} ${bytesText(most)}) cannot hold this stream when its step runs: ${others.total > 0 ? `${holdersText(others)}, and ${what}, ${bytesText(others.total + asks)} in all` : what}. The server refuses it (${memory ? "10028 insufficient memory resources" : "10047 insufficient storage resources"}). Lower max_bytes, delete streams in an earlier apply (room that a deletion frees counts only for the steps after it), or ask for a higher limit`,
    ),
  ];
}
