import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSubsetMatch, subjectProblem, subjectsCollide } from "../../src/model/subjects.js";

describe("subjects", () => {
  const collide: Array<[string, string, boolean]> = [
    ["foo.*", "foo.bar", true],
    ["foo.*", "foo.*.bar", false],
    ["foo.>", "foo.bar.baz", true],
    ["foo.>", "foo", false],
    [">", "a.b", true],
    ["a.b", "a.c", false],
    ["*.b", "a.*", true],
    ["foo*", "foo.bar", false],
  ];
  for (const [a, b, want] of collide) {
    it(`${a} ${want ? "collides" : "does not collide"} with ${b}`, () => {
      assert.equal(subjectsCollide(a, b), want);
      assert.equal(subjectsCollide(b, a), want);
    });
  }
  const subset: Array<[string, string, boolean]> = [
    ["orders.eu.*", "orders.>", true],
    ["orders.>", "orders.*", false],
    ["orders.created", "orders.*", true],
    ["orders", "orders.>", false],
    ["orders.*.x", "orders.*.x", true],
  ];
  for (const [a, b, want] of subset) {
    it(`${a} ${want ? "is" : "is not"} inside ${b}`, () => assert.equal(isSubsetMatch(a, b), want));
  }
  it("explains invalid subjects", () => {
    assert.match(subjectProblem("a..b")!, /empty tokens/);
    assert.match(subjectProblem("a.>.b")!, /last token/);
    assert.match(subjectProblem("a b")!, /white space/);
    assert.equal(subjectProblem("orders.*.created"), undefined);
  });
});
