// The subject index that the overlap rules use instead of comparing every pair of subjects must find exactly
// what comparing every pair finds: for each subject, the first earlier subject of another group that
// collides with it (subjectsCollide, the server's rule).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SubjectIndex } from "../../src/load/semantic/subject-index.js";
import { subjectsCollide } from "../../src/model/subjects.js";
import { fcParams } from "./support.js";

const token = fc.constantFrom("a", "b", "c", "*", ">", "", "foo*", "$KV");
const subject = fc.array(token, { minLength: 1, maxLength: 4 }).map((ts) => ts.join("."));

describe("the subject index finds what comparing every pair finds", () => {
  it("for random subjects in random groups", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(subject, fc.integer({ min: 0, max: 3 })), { maxLength: 30 }),
        (entries) => {
          const index = new SubjectIndex<number>();
          entries.forEach(([s, group], i) => {
            const expected = entries.findIndex(([t, g], j) => j < i && g !== group && subjectsCollide(s, t));
            const got = index.firstCollision(s, group)?.item;
            assert.equal(got ?? -1, expected, `subject ${JSON.stringify(s)} (group ${group}) at ${i}`);
            index.add(s, i, group);
          });
        },
      ),
      fcParams(0.2),
    );
  });
});
