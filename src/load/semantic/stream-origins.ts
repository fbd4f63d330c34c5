// Rules about where a stream's messages come from: published to its own subjects, copied from one origin
// (a mirror), or gathered from several (sources). A mirror is its origin's copy, sequence numbers and all,
// so the server refuses anything that would make the two differ.

import type { DesiredStream } from "../../model/desired.js";
import type { StreamSource } from "../../model/jetstream.js";
import type { AnyDesired, Findings } from "./report.js";

/** Fields a mirror cannot have, and why. */
const MIRROR_FORBIDDEN = [
  ["first_seq", "a mirror copies the origin's sequence numbers, so it cannot set first_seq"],
  ["subject_delete_marker_ttl", "a mirror cannot place subject delete markers"],
  ["allow_msg_counter", "a mirror cannot be a counter stream"],
  ["allow_atomic", "a mirror cannot accept atomic batch publishes"],
  ["allow_msg_schedules", "a mirror cannot schedule messages"],
  ["allow_batched", "a mirror cannot accept batch publishes"],
] as const;

/** A mirror takes no messages of its own: what a publisher sent it would not be in the origin. */
export function mirrorHasNoSubjects(s: DesiredStream, f: Findings): void {
  if (s.config.mirror && s.config.subjects?.length) {
    f.error(
      s,
      "subjects",
      "mirror-subjects",
      "a mirror cannot have subjects of its own: it stores what its origin stores; remove subjects",
    );
  }
}

/** Messages from sources would interleave with the origin's, and the copy would be no copy. */
export function mirrorHasNoSources(s: DesiredStream, f: Findings): void {
  if (s.config.mirror && s.config.sources?.length) {
    f.error(
      s,
      "sources",
      "mirror-sources",
      "a stream is either a mirror or has sources, not both; remove one",
    );
  }
}

export function mirrorHasNoForbiddenFields(s: DesiredStream, f: Findings): void {
  if (!s.config.mirror) return;
  for (const [field, why] of MIRROR_FORBIDDEN) {
    if (s.config[field]) f.error(s, field, "mirror-field", `${why}; remove ${field}`);
  }
}

/** The server takes a filter or transforms that filter, not both: it would not know which one applies. */
export function mirrorFilterOrTransforms(s: DesiredStream, f: Findings): void {
  if (s.config.mirror && filtersTwice(s.config.mirror)) {
    f.error(
      s,
      "mirror.filter_subject",
      "source-filter-and-transforms",
      "use either filter_subject or subject_transforms in a mirror, not both",
    );
  }
}

/** Direct gets from a mirror answer for its origin; on a stream that is no mirror they have nothing to answer. */
export function mirrorDirectNeedsMirror(s: DesiredStream, f: Findings): void {
  if (!s.config.mirror && s.config.mirror_direct) {
    f.error(
      s,
      "mirror_direct",
      "mirror-direct",
      "mirror_direct only applies to mirrors; remove it or add a mirror",
    );
  }
}

/** The same rule as for a mirror, for each source. */
export function sourceFilterOrTransforms(s: DesiredStream, f: Findings): void {
  (s.config.sources ?? []).forEach((src, i) => {
    if (filtersTwice(src)) {
      f.error(
        s,
        `sources[${i}].filter_subject`,
        "source-filter-and-transforms",
        "use either filter_subject or subject_transforms in a source, not both",
      );
    }
  });
}

/**
 * The server tells sources apart by origin, API prefix, filter and transforms, and refuses two that are the
 * same (10140 "duplicate source configuration detected").
 */
export function sourcesDistinct(s: DesiredStream, f: Findings): void {
  reportRepeatedSources(s, s.config.sources, streamSourceKey, "same stream and filter", f);
}

function streamSourceKey(src: StreamSource): string {
  return JSON.stringify([
    src.name,
    src.external?.api ?? "",
    src.filter_subject ?? "",
    src.subject_transforms ?? [],
  ]);
}

/** Reports each source whose key (what the server tells sources apart by) repeats an earlier one's. */
export function reportRepeatedSources<S>(
  r: AnyDesired,
  sources: readonly S[] | undefined,
  keyOf: (src: S) => string,
  same: string,
  f: Findings,
): void {
  const seen = new Map<string, number>();
  (sources ?? []).forEach((src, i) => {
    const key = keyOf(src);
    const first = seen.get(key);
    if (first !== undefined) {
      f.error(r, `sources[${i}]`, "source-duplicate", `this source repeats sources[${first}] (${same})`);
    } else {
      seen.set(key, i);
    }
  });
}

function filtersTwice(origin: StreamSource): boolean {
  return Boolean(origin.filter_subject && origin.subject_transforms?.length);
}
