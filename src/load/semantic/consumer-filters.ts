// Rules about a consumer's filters: which of its stream's subjects it takes messages from.

import type { DesiredConsumer } from "../../model/desired.js";
import type { Findings } from "./report.js";
import { SubjectIndex } from "./subject-index.js";

/** The filters of a consumer in either form; none for a consumer of the whole stream. */
export function filtersOf(c: DesiredConsumer["config"]): string[] {
  if (c.filter_subjects?.length) return c.filter_subjects;
  return c.filter_subject ? [c.filter_subject] : [];
}

/** The server takes one form or the other, and refuses a consumer with both. */
export function oneFilterForm(k: DesiredConsumer, f: Findings): void {
  if (k.config.filter_subject !== undefined && k.config.filter_subjects !== undefined) {
    f.error(k, "filter_subjects", "filter-both", "use either filter_subject or filter_subjects, not both");
  }
}

/** The server refuses filters that overlap: each message it delivers belongs to one filter. */
export function filtersDisjoint(k: DesiredConsumer, f: Findings): void {
  const filters = k.config.filter_subjects;
  if (!filters || filters.length < 2) return; // most consumers: no index to build
  // Each filter is reported once, against the first earlier one it overlaps (an index, not every pair).
  const earlier = new SubjectIndex<string>();
  for (let i = 0; i < filters.length; i++) {
    const hit = earlier.firstCollision(filters[i]!, i);
    if (hit) {
      f.error(
        k,
        `filter_subjects[${i}]`,
        "filter-overlap",
        `filter "${filters[i]}" overlaps with "${hit.item}"; filters of one consumer must not overlap`,
      );
    }
    earlier.add(filters[i]!, filters[i]!, i);
  }
}
