// Rules about a stream's optional features: roll-ups, per-subject discard, delete markers, message
// schedules, counters, asynchronous persistence, sealing. Some need other settings, some exclude them,
// and some make the server turn other flags on by itself; saying so here beats a plan that never
// converges.

import type { DesiredStream } from "../../model/desired.js";
import type { Findings } from "./report.js";

/** A roll-up purges the messages it replaces, which deny_purge forbids. */
export function rollupAllowsPurge(s: DesiredStream, f: Findings): void {
  if (s.config.allow_rollup_hdrs && s.config.deny_purge) {
    f.error(
      s,
      "allow_rollup_hdrs",
      "rollup-deny-purge",
      "roll-ups purge messages, so allow_rollup_hdrs cannot be combined with deny_purge: true",
    );
  }
}

/** Refusing new messages per subject is discard: new applied to max_msgs_per_subject: it needs both. */
export function discardNewPerSubjectHasLimit(s: DesiredStream, f: Findings): void {
  const c = s.config;
  if (!c.discard_new_per_subject) return;
  if (c.discard !== "new") {
    f.error(
      s,
      "discard_new_per_subject",
      "discard-new-per-subject",
      "discard_new_per_subject needs discard: new",
    );
  }
  if (!c.max_msgs_per_subject || c.max_msgs_per_subject <= 0) {
    f.error(
      s,
      "discard_new_per_subject",
      "discard-new-per-subject",
      "discard_new_per_subject needs max_msgs_per_subject greater than 0",
    );
  }
}

/** The server turns on what delete markers need (message TTLs, roll-ups, purging) by itself. */
export function markersForceFlags(s: DesiredStream, f: Findings): void {
  const c = s.config;
  if (c.subject_delete_marker_ttl === undefined || c.subject_delete_marker_ttl <= 0) return;
  forcedFlags(s, f, "subject_delete_marker_ttl");
  if (c.allow_msg_ttl === false) {
    f.error(
      s,
      "allow_msg_ttl",
      "forced-flag",
      "subject_delete_marker_ttl needs allow_msg_ttl: true (the server turns it on); remove allow_msg_ttl: false",
    );
  }
}

/** The server turns on what schedules need (roll-ups, purging) by itself, and refuses what they exclude. */
export function schedulesForceFlags(s: DesiredStream, f: Findings): void {
  const c = s.config;
  if (!c.allow_msg_schedules) return;
  forcedFlags(s, f, "allow_msg_schedules");
  if (c.discard === "new") {
    f.error(s, "discard", "schedules-discard-new", "message schedules cannot be combined with discard: new");
  }
  if (c.sources?.length) {
    f.error(s, "sources", "schedules-sources", "a stream with sources cannot schedule messages");
  }
}

/** A counter's value is the sum of its messages: the server refuses settings that drop or delay some. */
export function counterExcludes(s: DesiredStream, f: Findings): void {
  const c = s.config;
  if (!c.allow_msg_counter) return;
  if (c.retention && c.retention !== "limits") {
    f.error(
      s,
      "retention",
      "counter-retention",
      "a counter stream (allow_msg_counter) needs retention: limits",
    );
  }
  if (c.discard === "new")
    f.error(s, "discard", "counter-discard", "a counter stream (allow_msg_counter) cannot use discard: new");
  if (c.allow_msg_ttl)
    f.error(
      s,
      "allow_msg_ttl",
      "counter-ttl",
      "a counter stream (allow_msg_counter) cannot use per-message TTLs",
    );
  if (c.allow_msg_schedules) {
    f.error(
      s,
      "allow_msg_schedules",
      "counter-schedules",
      "a counter stream (allow_msg_counter) cannot schedule messages",
    );
  }
}

/**
 * Asynchronous persistence acknowledges a message before it is written: the server allows it only for file
 * storage on one replica, and not with atomic batches.
 */
export function asyncPersistAlone(s: DesiredStream, f: Findings): void {
  const c = s.config;
  if (c.persist_mode !== "async") return;
  if (c.storage === "memory")
    f.error(s, "persist_mode", "async-persist", "persist_mode: async needs file storage");
  if ((c.num_replicas ?? 1) > 1)
    f.error(
      s,
      "persist_mode",
      "async-persist",
      "persist_mode: async is not supported on replicated streams (num_replicas > 1)",
    );
  if (c.allow_atomic)
    f.error(s, "persist_mode", "async-persist", "persist_mode: async cannot be combined with allow_atomic");
}

/** Sealing cannot be undone, and changes other settings: worth a warning even when it is meant. */
export function sealedIsForGood(s: DesiredStream, f: Findings): void {
  if (s.config.sealed) {
    f.warning(
      s,
      "sealed",
      "sealed",
      "a sealed stream is read-only for good: it cannot be unsealed, and sealing makes the server set max_age 0, discard new, deny_delete and deny_purge",
    );
  }
}

/** The flags the server forces on for `cause`: reported where the manifest says otherwise. */
function forcedFlags(s: DesiredStream, f: Findings, cause: string): void {
  const c = s.config;
  if (c.allow_rollup_hdrs === false) {
    f.error(
      s,
      "allow_rollup_hdrs",
      "forced-flag",
      `${cause} needs allow_rollup_hdrs: true (the server turns it on); remove allow_rollup_hdrs: false`,
    );
  }
  if (c.deny_purge) {
    f.error(
      s,
      "deny_purge",
      "forced-flag",
      `${cause} needs purging (the server turns deny_purge off); remove deny_purge: true`,
    );
  }
}
