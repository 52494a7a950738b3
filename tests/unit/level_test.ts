import assert from "node:assert/strict";
import { detectLevel, levelName, windowEnd } from "../../src/logs/level.ts";

const enc = new TextEncoder();
const level = (text: string) => levelName(detectLevel(enc.encode(text)), "stdout");

Deno.test("detectLevel: Python logging's usual shapes name the level, in any case", () => {
  const cases: [string, string][] = [
    ["DEBUG:root:details", "DEBUG"],
    ["INFO:collector:started", "INFO"],
    ["WARNING:root:disk almost full", "WARNING"],
    ["ERROR: could not fetch", "ERROR"],
    ["CRITICAL:db:gone", "CRITICAL"],
    ["2026-12-03 10:00:00,123 - youtube - WARNING - quota low", "WARNING"],
    ["2026-12-03 10:00:00 | error | timeout", "ERROR"],
    ["[Error] bad response", "ERROR"],
    ["[debug] tick", "DEBUG"],
    ["<CRITICAL> out of memory", "CRITICAL"],
    ["WARN: deprecated", "WARNING"],
    ["FATAL: cannot continue", "CRITICAL"],
    ["[INFO] then ERROR: the first word wins", "INFO"],
  ];
  for (const [text, want] of cases) assert.equal(level(text), want, text);
});

Deno.test("detectLevel: running text, partial words and late words stay at the stream's default", () => {
  for (
    const text of [
      "0 errors found",
      "an error occurred while parsing",
      "Error handling is on",
      "information: 3 items",
      "[INFORMATION] x",
      "x - ERRORS - y",
      "ERROR",
      `${"x".repeat(80)} - ERROR - late`,
      "",
    ]
  ) {
    assert.equal(detectLevel(enc.encode(text)), 0, text);
  }
});

Deno.test("levelName: stream defaults, and the runner's warnings", () => {
  assert.equal(levelName(0, "stdout"), "INFO");
  assert.equal(levelName(0, "stderr"), "ERROR");
  assert.equal(levelName(0, "system"), "INFO");
  assert.equal(levelName(3, "system"), "WARNING");
  assert.equal(levelName(1, "stderr"), "DEBUG", "a named level wins over the default");
});

Deno.test("detectLevel: the window is 80 characters, not 80 bytes", () => {
  // 70 two-byte characters (140 bytes), then the level: inside 80 characters.
  const wide = "é".repeat(70) + " - ERROR - x";
  assert.equal(detectLevel(enc.encode(wide)), detectLevel(enc.encode("a - ERROR - x")));
  assert.notEqual(detectLevel(enc.encode(wide)), 0);
  // Past 80 characters it does not count.
  assert.equal(detectLevel(enc.encode("é".repeat(85) + " - ERROR - x")), 0);
  assert.equal(windowEnd(enc.encode("ab"), 80), 2);
  assert.equal(windowEnd(enc.encode("éé"), 1), 2);
});
