import assert from "node:assert/strict";
import {
  applyProgress,
  NO_PROGRESS,
  parseMarkerLine,
  parseProgressBar,
} from "../../src/logs/markers.ts";
import { Throttle } from "../../src/timing.ts";

const enc = new TextEncoder();
const marker = (text: string) => parseMarkerLine(enc.encode(text));

Deno.test("parseMarkerLine: progress by percent or by counts, with a message; results", () => {
  assert.deepEqual(marker("::progress 42%"), {
    kind: "progress",
    percent: 42,
    done: null,
    total: null,
    message: null,
  });
  assert.deepEqual(marker("::progress 3/10 fetching items"), {
    kind: "progress",
    percent: null,
    done: 3,
    total: 10,
    message: "fetching items",
  });
  assert.deepEqual(marker('::result {"a": 1}'), { kind: "result", text: '{"a": 1}' });
  assert.equal(marker("::progress lots"), null);
  assert.equal(marker("progress 3/10"), null, "no leading ::");
});

Deno.test("parseMarkerLine: numbers past 2^53 are not progress (they would not store)", () => {
  assert.equal(marker(`::progress ${"9".repeat(400)}/10`), null);
  assert.equal(marker(`::progress 1/${"9".repeat(30)}`), null);
  assert.equal(marker(`::progress ${"9".repeat(400)}%`), null);
  const bar = parseProgressBar(enc.encode(`50%|##| ${"9".repeat(400)}/${"9".repeat(400)}`));
  assert.deepEqual(bar && bar.kind === "progress" && [bar.done, bar.total], [null, null]);
});

Deno.test("applyProgress: counts set the floor percentage; a percent keeps the counts; 0..100", () => {
  const counted = applyProgress(NO_PROGRESS, {
    kind: "progress",
    percent: null,
    done: 1,
    total: 3,
    message: "a",
  });
  assert.deepEqual(counted, {
    progress_percent: 33,
    items_processed: 1,
    items_total: 3,
    progress_message: "a",
  });
  const percent = applyProgress(counted, {
    kind: "progress",
    percent: 250,
    done: null,
    total: null,
    message: null,
  });
  assert.equal(percent.progress_percent, 100);
  assert.equal(percent.items_processed, 1);
  assert.equal(percent.progress_message, "a", "a message stays until replaced");
  const zero = applyProgress(NO_PROGRESS, {
    kind: "progress",
    percent: null,
    done: 0,
    total: 0,
    message: null,
  });
  assert.equal(zero.progress_percent, null, "0/0 gives no percentage");
});

Deno.test("Throttle: at most one call per window, the last value always sent", async () => {
  const seen: number[] = [];
  const throttle = new Throttle<number>((v) => seen.push(v), 100);
  for (let i = 1; i <= 50; i++) throttle.push(i);
  assert.deepEqual(seen, [1], "the first at once, the rest wait");
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(seen, [1, 50], "one trailing call with the latest value");
  throttle.push(51);
  throttle.push(52);
  throttle.flush();
  assert.deepEqual(seen, [1, 50, 52], "flush sends what waits");
});
