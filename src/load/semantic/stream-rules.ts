// Rules about one stream's own configuration that JSON Schema cannot express. Each mirrors a check the
// server makes at create or update time (or a silent adjustment it would make), so that a manifest is
// refused in the pull request rather than halfway through an apply.

import type { DesiredStream } from "../../model/desired.js";
import type { Findings, Rule } from "./report.js";
import { metadataWithinLimit, nameWithinLimit } from "./server-limits.js";
import {
  duplicateWindowNotTooShort,
  duplicateWindowWithinMaxAge,
  markerTtlNotTooShort,
  maxAgeNotTooShort,
} from "./stream-durations.js";
import {
  asyncPersistAlone,
  counterExcludes,
  discardNewPerSubjectHasLimit,
  markersForceFlags,
  rollupAllowsPurge,
  schedulesForceFlags,
  sealedIsForGood,
} from "./stream-features.js";
import {
  mirrorDirectNeedsMirror,
  mirrorFilterOrTransforms,
  mirrorHasNoForbiddenFields,
  mirrorHasNoSources,
  mirrorHasNoSubjects,
  sourceFilterOrTransforms,
  sourcesDistinct,
} from "./stream-origins.js";
import { republishOutsideSubjects, subjectList } from "./stream-subjects.js";

/**
 * In the order of their findings at one place: a mirror's own rule about a field comes before the rules
 * of the feature it forbids, and features that force a flag come before those that exclude one.
 */
const STREAM_RULES: ReadonlyArray<Rule<DesiredStream>> = [
  nameWithinLimit,
  subjectList,
  republishOutsideSubjects,
  mirrorHasNoSubjects,
  mirrorHasNoSources,
  mirrorHasNoForbiddenFields,
  mirrorFilterOrTransforms,
  mirrorDirectNeedsMirror,
  sourceFilterOrTransforms,
  sourcesDistinct,
  maxAgeNotTooShort,
  duplicateWindowNotTooShort,
  duplicateWindowWithinMaxAge,
  markerTtlNotTooShort,
  rollupAllowsPurge,
  discardNewPerSubjectHasLimit,
  markersForceFlags,
  schedulesForceFlags,
  counterExcludes,
  asyncPersistAlone,
  sealedIsForGood,
  (s, f) => metadataWithinLimit(s, s.config.metadata, f),
];

export function checkStream(s: DesiredStream, f: Findings): void {
  for (const rule of STREAM_RULES) rule(s, f);
}
