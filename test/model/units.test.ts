import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  DAY,
  formatDuration,
  formatSize,
  HOUR,
  MINUTE,
  MS,
  parseDuration,
  parseSize,
  SECOND,
} from "../../src/model/units.js";

describe("durations", () => {
  const ok: Array<[unknown, number]> = [
    [0, 0],
    ["0s", 0],
    ["250ms", 250 * MS],
    ["30s", 30 * SECOND],
    ["5m", 5 * MINUTE],
    ["2h", 2 * HOUR],
    ["7d", 7 * DAY],
    ["1w", 7 * DAY],
    ["1h30m", 90 * MINUTE],
    ["1.5h", 90 * MINUTE],
    ["365d", 365 * DAY],
    ["100ns", 100],
    ["5us", 5000],
    ["5µs", 5000],
  ];
  for (const [input, ns] of ok) {
    it(`parses ${JSON.stringify(input)} as ${ns} ns`, () =>
      assert.deepEqual(parseDuration(input), { ok: true, value: ns }));
  }

  it("rejects a bare number with a hint", () => {
    const r = parseDuration(3600);
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /did you mean "3600s"\?/);
  });
  it("rejects a bare number in a string with a hint", () => {
    assert.match((parseDuration("90") as { message: string }).message, /did you mean "90s"\?/);
  });
  it("gives a quoted 0 the hint of any other bare number", () => {
    assert.match((parseDuration("0") as { message: string }).message, /did you mean "0s"\?/);
  });
  it("refuses durations the server's int64 nanoseconds cannot hold, and those jsplan cannot carry exactly", () => {
    assert.match((parseDuration("300y") as { message: string }).message, /not a duration/);
    assert.match((parseDuration("110000d") as { message: string }).message, /int64 nanoseconds/);
    assert.match((parseDuration("365d1ns") as { message: string }).message, /cannot carry exactly/);
    assert.deepEqual(parseDuration("106751d"), { ok: true, value: 106751 * DAY });
  });
  it("suggests the unit for spelled-out words", () => {
    assert.match((parseDuration("3 days") as { message: string }).message, /did you mean "3d"\?/);
    assert.match((parseDuration("10min") as { message: string }).message, /did you mean "10m"\?/);
  });
  it("formats like a person writes", () => {
    assert.equal(formatDuration(0), "0s");
    assert.equal(formatDuration(30 * DAY), "30d");
    assert.equal(formatDuration(90 * MINUTE), "1h30m");
    assert.equal(formatDuration(250 * MS), "250ms");
    assert.equal(formatDuration(2 * MINUTE), "2m");
  });
  it("round-trips every whole-millisecond duration up to ten years", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3650 * 24 * 3600 * 1000 }), (ms) => {
        const ns = ms * MS;
        assert.deepEqual(parseDuration(formatDuration(ns)), { ok: true, value: ns });
      }),
    );
  });
});

describe("sizes", () => {
  const ok: Array<[unknown, number]> = [
    [0, 0],
    [-1, -1],
    [1048576, 1048576],
    ["1KB", 1000],
    ["1KiB", 1024],
    ["10GiB", 10 * 2 ** 30],
    ["50GB", 50e9],
    ["1.5GiB", 1.5 * 2 ** 30],
    ["512 MiB", 512 * 2 ** 20],
    ["100B", 100],
  ];
  for (const [input, bytes] of ok) {
    it(`parses ${JSON.stringify(input)} as ${bytes} bytes`, () =>
      assert.deepEqual(parseSize(input), { ok: true, value: bytes }));
  }
  it("refuses -1 where unlimited is not allowed", () => assert.equal(parseSize(-1, false).ok, false));
  it("explains case mistakes", () => {
    assert.match((parseSize("10gib") as { message: string }).message, /did you mean "10GiB"\?/);
  });
  it("formats exactly, with the largest unit that divides", () => {
    assert.equal(formatSize(10 * 2 ** 30), "10GiB");
    assert.equal(formatSize(50e9), "50GB");
    assert.equal(formatSize(1536), "1536");
    assert.equal(formatSize(-1), "unlimited");
  });
  it("round-trips formatted sizes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), (n) => {
        const f = formatSize(n);
        assert.deepEqual(parseSize(/^\d+$/.test(f) ? Number(f) : f), { ok: true, value: n });
      }),
    );
  });
});
