// The apply's progress, with a clock of our own: on a terminal a bar with the rate, the time elapsed and
// left, and the failures so far; in a log, a plain line per step and a progress line every 10 seconds.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StepResult } from "../../src/apply/result.js";
import { clockTime, LOG_PROGRESS_EVERY_MS, progressFor, progressStats } from "../../src/cli/progress.js";
import { PLAIN } from "../../src/render/style.js";

function recorder(isTTY: boolean) {
  let text = "";
  return {
    writer: {
      write: (t: string) => {
        text += t;
      },
      isTTY,
      columns: 120,
    },
    text: () => text,
  };
}

const step = (i: number, status: "succeeded" | "failed" = "succeeded") =>
  ({
    address: `stream.S${i}`,
    action: "create",
    status,
    duration_ms: 5,
    ...(status === "failed" ? { error: { description: "boom" } } : {}),
  }) as unknown as StepResult;

describe("apply progress", () => {
  it("words: rate, elapsed, left, failures", () => {
    assert.equal(clockTime(7), "0:07");
    assert.equal(clockTime(123), "2:03");
    assert.equal(clockTime(3723), "1:02:03");
    assert.equal(progressStats(0, 1800, 0, 0), "0/1800 steps (0%) · 0:00 elapsed");
    assert.equal(
      progressStats(420, 1800, 2, 34_000),
      "420/1800 steps (23%) · 12/s · 0:34 elapsed · ~1:52 left · 2 failed",
    );
    assert.equal(progressStats(5, 10, 0, 2_000), "5/10 steps (50%) · 2.5/s · 0:02 elapsed · ~0:02 left");
  });

  it("on a terminal: a bar under each finished step, with the stats", () => {
    let now = 0;
    const out = recorder(true);
    const p = progressFor(out.writer, {}, 4, PLAIN, false, { clock: () => now });
    now = 1000;
    p.finished(step(1));
    now = 2000;
    p.finished(step(2, "failed"));
    const last = out.text().split("\r\u001b[2K").at(-1)!;
    assert.match(last, /^\[#{5,}\.+\] 2\/4 steps \(50%\) · 1\.0\/s · 0:02 elapsed · ~0:02 left · 1 failed$/);
    assert.match(out.text(), /✗ stream\.S2 create failed/);
    p.done();
    assert.ok(out.text().endsWith("\r\u001b[2K"), "the bar is cleared at the end");
  });

  it("in a log: plain lines, and a progress line every 10 seconds, none with --quiet", () => {
    let now = 0;
    const out = recorder(false);
    const p = progressFor(out.writer, {}, 100, PLAIN, false, { clock: () => now });
    for (let i = 1; i <= 30; i++) {
      now = i * 1000;
      p.finished(step(i));
    }
    const lines = out.text().split("\n").filter(Boolean);
    assert.ok(!out.text().includes("\r"), "nothing is redrawn");
    const progress = lines.filter((l) => l.startsWith("progress: "));
    assert.deepEqual(progress, [
      "progress: 10/100 steps (10%) · 1.0/s · 0:10 elapsed · ~1:30 left",
      "progress: 20/100 steps (20%) · 1.0/s · 0:20 elapsed · ~1:20 left",
      "progress: 30/100 steps (30%) · 1.0/s · 0:30 elapsed · ~1:10 left",
    ]);
    assert.equal(lines.length, 33);
    assert.equal(LOG_PROGRESS_EVERY_MS, 10_000);

    const quiet = recorder(false);
    const q = progressFor(quiet.writer, { CI: "true" }, 100, PLAIN, true, { clock: () => now });
    for (let i = 1; i <= 30; i++) {
      now += 1000;
      q.finished(step(i));
    }
    assert.equal(quiet.text(), "");
  });
});
