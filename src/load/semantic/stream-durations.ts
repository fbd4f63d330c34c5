// Rules about the durations of a stream: how long it keeps messages, remembers message ids and keeps
// delete markers. The server refuses durations below its minimums, and a duplicate window longer than the
// messages whose ids it remembers.

import type { DesiredStream } from "../../model/desired.js";
import { formatDuration, MS, SECOND } from "../../model/units.js";
import type { Findings } from "./report.js";

export function maxAgeNotTooShort(s: DesiredStream, f: Findings): void {
  const age = s.config.max_age;
  if (age !== undefined && age > 0 && age < 100 * MS) {
    f.error(s, "max_age", "max-age-too-small", "max_age must be 0 (unlimited) or at least 100ms");
  }
}

export function duplicateWindowNotTooShort(s: DesiredStream, f: Findings): void {
  const dupWindow = s.config.duplicate_window;
  if (dupWindow !== undefined && dupWindow > 0 && dupWindow < 100 * MS) {
    f.error(s, "duplicate_window", "duplicate-window-too-small", "duplicate_window must be at least 100ms");
  }
}

/** Message ids are remembered only while their messages are kept: a longer window could not hold. */
export function duplicateWindowWithinMaxAge(s: DesiredStream, f: Findings): void {
  const { duplicate_window: dupWindow, max_age: age } = s.config;
  if (dupWindow !== undefined && dupWindow > 0 && age && dupWindow > age) {
    f.error(
      s,
      "duplicate_window",
      "duplicate-window-over-max-age",
      `duplicate_window (${formatDuration(dupWindow)}) cannot be longer than max_age (${formatDuration(age)})`,
    );
  }
}

export function markerTtlNotTooShort(s: DesiredStream, f: Findings): void {
  const ttl = s.config.subject_delete_marker_ttl;
  if (ttl !== undefined && ttl > 0 && ttl < SECOND) {
    f.error(
      s,
      "subject_delete_marker_ttl",
      "marker-ttl-too-small",
      "subject_delete_marker_ttl must be at least 1s",
    );
  }
}
