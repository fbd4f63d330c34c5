// Rules about the subjects a stream takes messages on and republishes them to. A published message is
// stored by every stream whose subjects match it, so the server refuses subject lists that repeat
// themselves, and streams that would capture its own API traffic without being told to stay quiet.

import type { DesiredStream } from "../../model/desired.js";
import { isSubsetMatch, subjectsCollide } from "../../model/subjects.js";
import type { Findings } from "./report.js";
import { SubjectIndex } from "./subject-index.js";

/**
 * Each subject of the list, against the earlier ones and on its own, in one pass: a stream may list
 * thousands of subjects.
 */
export function subjectList(s: DesiredStream, f: Findings): void {
  const subjects = s.config.subjects ?? [];
  // Each subject is reported once, against the first earlier one it repeats or overlaps (found with an
  // index, not by comparing every pair).
  const earlier = new SubjectIndex<string>();
  const listed = new Set<string>();
  for (let i = 0; i < subjects.length; i++) {
    const subject = subjects[i]!;
    if (listed.has(subject)) {
      f.error(s, `subjects[${i}]`, "subject-duplicate", `subject "${subject}" is listed twice`);
    } else {
      const hit = earlier.firstCollision(subject, i);
      if (hit) {
        f.error(
          s,
          `subjects[${i}]`,
          "subject-overlap-self",
          `subject "${subject}" overlaps with "${hit.item}" in the same stream; keep the wider one`,
        );
      }
    }
    listed.add(subject);
    earlier.add(subject, subject, i);
    captureAllIsQuiet(s, subject, i, f);
    systemSubjectIsQuiet(s, subject, i, f);
  }
}

/**
 * A stream on ">" stores every message of the account, its own acknowledgements among them: the server
 * allows one only without acks, and on one replica.
 */
function captureAllIsQuiet(s: DesiredStream, subject: string, i: number, f: Findings): void {
  if (subject === ">" && (!s.config.no_ack || (s.config.num_replicas ?? 1) > 1)) {
    f.error(
      s,
      `subjects[${i}]`,
      "subject-all",
      `a stream capturing every subject (">") needs no_ack: true and num_replicas: 1`,
    );
  }
}

/** The stream's acknowledgements would answer requests meant for the JetStream or system API. */
function systemSubjectIsQuiet(s: DesiredStream, subject: string, i: number, f: Findings): void {
  if (!s.config.no_ack && isSystemSubject(subject)) {
    f.error(
      s,
      `subjects[${i}]`,
      "subject-system",
      `subject "${subject}" overlaps the JetStream or system API; such a stream needs no_ack: true`,
    );
  }
}

/** Subjects under the JetStream API or the system account's API, which the server guards. */
function isSystemSubject(subject: string): boolean {
  if (subject === ">") return false; // the capture-all rule reports it
  // Only a first token that starts with "$" or is a wildcard can reach these APIs: most subjects stop here.
  const first = subject.charCodeAt(0);
  if (first !== 36 /* $ */ && first !== 42 /* * */ && first !== 62 /* > */) return false;
  const js =
    (subjectsCollide(subject, "$JS.>") && !isSubsetMatch(subject, "$JS.EVENT.>")) ||
    subjectsCollide(subject, "$JSC.>") ||
    subjectsCollide(subject, "$NRG.>");
  const sys = subjectsCollide(subject, "$SYS.>") && !isSubsetMatch(subject, "$SYS.ACCOUNT.>");
  return js || sys;
}

/** A stream that stores what it republishes would store each message again, and republish it again. */
export function republishOutsideSubjects(s: DesiredStream, f: Findings): void {
  if (!s.config.republish) return;
  const dest = s.config.republish.dest;
  const hit = (s.config.subjects ?? []).find((subj) => subjectsCollide(dest, subj));
  if (hit) {
    f.error(
      s,
      "republish.dest",
      "republish-cycle",
      `republish destination "${dest}" overlaps the stream's subject "${hit}": republished messages would be stored again (a cycle)`,
    );
  }
}
