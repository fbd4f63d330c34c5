// Rules about one stream's own configuration that JSON Schema cannot express. Each mirrors a check the
// server makes at create or update time (or a silent adjustment it would make), so that a manifest is
// refused in the pull request rather than halfway through an apply.

import type { DesiredStream } from "../../model/desired.js";
import { isSubsetMatch, subjectsCollide } from "../../model/subjects.js";
import { formatDuration, MS, SECOND } from "../../model/units.js";
import type { Findings } from "./report.js";
import { SubjectIndex } from "./subject-index.js";

const MAX_METADATA_BYTES = 128 * 1024;
const MIRROR_FORBIDDEN = [
  ["first_seq", "a mirror copies the origin's sequence numbers, so it cannot set first_seq"],
  ["subject_delete_marker_ttl", "a mirror cannot place subject delete markers"],
  ["allow_msg_counter", "a mirror cannot be a counter stream"],
  ["allow_atomic", "a mirror cannot accept atomic batch publishes"],
  ["allow_msg_schedules", "a mirror cannot schedule messages"],
  ["allow_batched", "a mirror cannot accept batch publishes"],
] as const;

export function checkStream(s: DesiredStream, f: Findings): void {
  const c = s.config;
  if (Buffer.byteLength(s.name) > 255)
    f.error(s, "name", "name-too-long", "a stream name can be at most 255 bytes");

  // Subjects of one stream may not repeat or overlap each other: each is reported once, against the first
  // earlier one it repeats or overlaps (found with an index: a stream may list thousands of subjects).
  const subjects = c.subjects ?? [];
  const earlier = new SubjectIndex<string>();
  const listed = new Set<string>();
  for (let i = 0; i < subjects.length; i++) {
    if (listed.has(subjects[i]!)) {
      f.error(s, `subjects[${i}]`, "subject-duplicate", `subject "${subjects[i]}" is listed twice`);
    } else {
      const hit = earlier.firstCollision(subjects[i]!, i);
      if (hit) {
        f.error(
          s,
          `subjects[${i}]`,
          "subject-overlap-self",
          `subject "${subjects[i]}" overlaps with "${hit.item}" in the same stream; keep the wider one`,
        );
      }
    }
    listed.add(subjects[i]!);
    earlier.add(subjects[i]!, subjects[i]!, i);
    const subj = subjects[i]!;
    if (subj === ">" && (!c.no_ack || (c.num_replicas ?? 1) > 1)) {
      f.error(
        s,
        `subjects[${i}]`,
        "subject-all",
        `a stream capturing every subject (">") needs no_ack: true and num_replicas: 1`,
      );
    }
    if (!c.no_ack && isSystemSubject(subj)) {
      f.error(
        s,
        `subjects[${i}]`,
        "subject-system",
        `subject "${subj}" overlaps the JetStream or system API; such a stream needs no_ack: true`,
      );
    }
  }

  if (c.mirror) {
    if (subjects.length > 0) {
      f.error(
        s,
        "subjects",
        "mirror-subjects",
        "a mirror cannot have subjects of its own: it stores what its origin stores; remove subjects",
      );
    }
    if (c.sources && c.sources.length > 0) {
      f.error(
        s,
        "sources",
        "mirror-sources",
        "a stream is either a mirror or has sources, not both; remove one",
      );
    }
    for (const [field, why] of MIRROR_FORBIDDEN) {
      if (c[field]) f.error(s, field, "mirror-field", `${why}; remove ${field}`);
    }
    if (c.mirror.filter_subject && c.mirror.subject_transforms?.length) {
      f.error(
        s,
        "mirror.filter_subject",
        "source-filter-and-transforms",
        "use either filter_subject or subject_transforms in a mirror, not both",
      );
    }
  } else if (c.mirror_direct) {
    f.error(
      s,
      "mirror_direct",
      "mirror-direct",
      "mirror_direct only applies to mirrors; remove it or add a mirror",
    );
  }

  const seen = new Map<string, number>();
  (c.sources ?? []).forEach((src, i) => {
    if (src.filter_subject && src.subject_transforms?.length) {
      f.error(
        s,
        `sources[${i}].filter_subject`,
        "source-filter-and-transforms",
        "use either filter_subject or subject_transforms in a source, not both",
      );
    }
    const key = JSON.stringify([
      src.name,
      src.external?.api ?? "",
      src.filter_subject ?? "",
      src.subject_transforms ?? [],
    ]);
    const first = seen.get(key);
    if (first !== undefined) {
      f.error(
        s,
        `sources[${i}]`,
        "source-duplicate",
        `this source repeats sources[${first}] (same stream and filter)`,
      );
    } else {
      seen.set(key, i);
    }
  });

  if (c.max_age !== undefined && c.max_age > 0 && c.max_age < 100 * MS) {
    f.error(s, "max_age", "max-age-too-small", "max_age must be 0 (unlimited) or at least 100ms");
  }
  if (c.duplicate_window !== undefined && c.duplicate_window > 0) {
    if (c.duplicate_window < 100 * MS) {
      f.error(s, "duplicate_window", "duplicate-window-too-small", "duplicate_window must be at least 100ms");
    }
    if (c.max_age && c.duplicate_window > c.max_age) {
      f.error(
        s,
        "duplicate_window",
        "duplicate-window-over-max-age",
        `duplicate_window (${formatDuration(c.duplicate_window)}) cannot be longer than max_age (${formatDuration(c.max_age)})`,
      );
    }
  }

  const rollup = c.allow_rollup_hdrs;
  if (rollup && c.deny_purge) {
    f.error(
      s,
      "allow_rollup_hdrs",
      "rollup-deny-purge",
      "roll-ups purge messages, so allow_rollup_hdrs cannot be combined with deny_purge: true",
    );
  }
  if (c.discard_new_per_subject) {
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

  // Subject delete markers and message schedules make the server force other flags on. Saying so here
  // beats a plan that never converges.
  if (c.subject_delete_marker_ttl !== undefined && c.subject_delete_marker_ttl > 0) {
    if (c.subject_delete_marker_ttl < SECOND) {
      f.error(
        s,
        "subject_delete_marker_ttl",
        "marker-ttl-too-small",
        "subject_delete_marker_ttl must be at least 1s",
      );
    }
    forcedFlag(s, f, "subject_delete_marker_ttl");
    if (c.allow_msg_ttl === false) {
      f.error(
        s,
        "allow_msg_ttl",
        "forced-flag",
        "subject_delete_marker_ttl needs allow_msg_ttl: true (the server turns it on); remove allow_msg_ttl: false",
      );
    }
  }
  if (c.allow_msg_schedules) {
    forcedFlag(s, f, "allow_msg_schedules");
    if (c.discard === "new") {
      f.error(
        s,
        "discard",
        "schedules-discard-new",
        "message schedules cannot be combined with discard: new",
      );
    }
    if (c.sources?.length) {
      f.error(s, "sources", "schedules-sources", "a stream with sources cannot schedule messages");
    }
  }
  if (c.allow_msg_counter) {
    if (c.retention && c.retention !== "limits") {
      f.error(
        s,
        "retention",
        "counter-retention",
        "a counter stream (allow_msg_counter) needs retention: limits",
      );
    }
    if (c.discard === "new")
      f.error(
        s,
        "discard",
        "counter-discard",
        "a counter stream (allow_msg_counter) cannot use discard: new",
      );
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
  if (c.persist_mode === "async") {
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

  if (c.republish) {
    const dest = c.republish.dest;
    const hit = subjects.find((subj) => subjectsCollide(dest, subj));
    if (hit) {
      f.error(
        s,
        "republish.dest",
        "republish-cycle",
        `republish destination "${dest}" overlaps the stream's subject "${hit}": republished messages would be stored again (a cycle)`,
      );
    }
  }
  if (c.sealed) {
    f.warning(
      s,
      "sealed",
      "sealed",
      "a sealed stream is read-only for good: it cannot be unsealed, and sealing makes the server set max_age 0, discard new, deny_delete and deny_purge",
    );
  }
  if (c.metadata && metadataBytes(c.metadata) > MAX_METADATA_BYTES) {
    f.error(s, "metadata", "metadata-too-large", "metadata keys and values together can be at most 128 KiB");
  }
}

function forcedFlag(s: DesiredStream, f: Findings, cause: string): void {
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

/** Subjects under the JetStream API or the system account's API, which the server guards. */
function isSystemSubject(subject: string): boolean {
  if (subject === ">") return false; // the capture-all rule reports it
  const js =
    (subjectsCollide(subject, "$JS.>") && !isSubsetMatch(subject, "$JS.EVENT.>")) ||
    subjectsCollide(subject, "$JSC.>") ||
    subjectsCollide(subject, "$NRG.>");
  const sys = subjectsCollide(subject, "$SYS.>") && !isSubsetMatch(subject, "$SYS.ACCOUNT.>");
  return js || sys;
}

export function metadataBytes(m: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(m)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}
