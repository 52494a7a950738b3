import { concatBytes } from "../../src/logs/codec.ts";
import assert from "node:assert/strict";
import { LineSplitter, MAX_LINE_BYTES, utf8Boundary } from "../../src/logs/line_splitter.ts";

const enc = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/** Runs the splitter over `pushes` and returns the emitted lines (as bytes). */
function split(pushes: (string | Uint8Array)[], end = true, maxLine?: number): Uint8Array[] {
  const lines: Uint8Array[] = [];
  const s = new LineSplitter((line) => lines.push(line), maxLine);
  for (const p of pushes) s.push(typeof p === "string" ? enc.encode(p) : p);
  if (end) s.end();
  return lines;
}

function text(lines: Uint8Array[]): string[] {
  return lines.map((l) => strict.decode(l));
}

const concat = concatBytes;

Deno.test("LineSplitter: splits at \\n", () => {
  assert.deepEqual(text(split(["one\ntwo\nthree\n"])), ["one", "two", "three"]);
});

Deno.test("LineSplitter: \\r\\n loses the \\r", () => {
  assert.deepEqual(text(split(["one\r\ntwo\r\n"])), ["one", "two"]);
  // A lone \r ends an update: the last one before the \n is kept, then the text after it.
  assert.deepEqual(text(split(["50%\r100%\n"])), ["50%", "100%"]);
  assert.deepEqual(text(split(["10%\r20%\rdone\n"])), ["20%", "done"]);
});

Deno.test("LineSplitter: a final line without newline is kept only on end()", () => {
  assert.deepEqual(text(split(["a\nlast"], false)), ["a"]);
  assert.deepEqual(text(split(["a\nlast"], true)), ["a", "last"]);
  // end() with nothing pending emits nothing.
  assert.deepEqual(text(split(["a\n"], true)), ["a"]);
  assert.deepEqual(text(split([], true)), []);
});

Deno.test("LineSplitter: an update left at the end becomes the last line", () => {
  assert.deepEqual(text(split(["abc\r"], true)), ["abc"]);
  assert.deepEqual(text(split(["abc\r"], false)), []);
});

Deno.test("LineSplitter: empty lines are kept", () => {
  assert.deepEqual(text(split(["\n\na\n\n"])), ["", "", "a", ""]);
  assert.deepEqual(text(split(["\r\n\r\n"])), ["", ""]);
});

Deno.test("LineSplitter: a line split across pushes", () => {
  assert.deepEqual(text(split(["hel", "lo wor", "ld\nnext", "\n"])), ["hello world", "next"]);
  // \r and \n arriving in different pushes.
  assert.deepEqual(text(split(["abc\r", "\ndef\n"])), ["abc", "def"]);
  // One byte at a time.
  const bytes = enc.encode("x\r\nyz\n\nw");
  assert.deepEqual(text(split([...bytes].map((b) => new Uint8Array([b])))), ["x", "yz", "", "w"]);
});

Deno.test("LineSplitter: a multi-byte character split across pushes is rejoined", () => {
  const bytes = enc.encode("añb€c\n");
  const pushes = [bytes.subarray(0, 2), bytes.subarray(2, 5), bytes.subarray(5)];
  assert.deepEqual(text(split(pushes)), ["añb€c"]);
});

/** Lines (bytes) and the cut reports of a splitter fed `pushes`, then ended. */
function splitCut(pushes: Uint8Array[], maxLine?: number): { lines: Uint8Array[]; cuts: number[] } {
  const lines: Uint8Array[] = [];
  const cuts: number[] = [];
  const s = new LineSplitter({ line: (l) => lines.push(l), cut: (n) => cuts.push(n) }, maxLine);
  for (const p of pushes) s.push(p);
  s.end();
  return { lines, cuts };
}

Deno.test("LineSplitter: a 200,000-byte line stays one line (the limit is 1 MiB)", () => {
  const original = new Uint8Array(200_000);
  for (let i = 0; i < original.length; i++) original[i] = 0x61 + (i % 26);
  const { lines, cuts } = splitCut([concat([original, enc.encode("\n")])]);
  assert.equal(MAX_LINE_BYTES, 1024 * 1024);
  assert.equal(lines.length, 1);
  assert.deepEqual(lines[0], original);
  assert.deepEqual(cuts, []);
});

Deno.test("LineSplitter: a line over the limit keeps its head; the rest is counted, not stored", () => {
  const original = new Uint8Array(MAX_LINE_BYTES + 500_000).fill(0x78);
  const pushes: Uint8Array[] = [];
  for (let at = 0; at < original.length; at += 65536) {
    pushes.push(original.subarray(at, at + 65536));
  }
  pushes.push(enc.encode("\nafter\n"));
  const { lines, cuts } = splitCut(pushes);
  assert.deepEqual(lines.map((l) => l.length), [MAX_LINE_BYTES, 5]);
  assert.deepEqual(cuts, [500_000]);
  assert.equal(strict.decode(lines[1]), "after");
});

Deno.test("LineSplitter: a cut never splits a multi-byte UTF-8 character", () => {
  const original = enc.encode("€".repeat(10)); // 30 bytes; a limit of 16 falls inside a "€"
  const { lines, cuts } = splitCut([original, enc.encode("\n")], 16);
  assert.equal(lines[0].length, 15);
  strict.decode(lines[0]);
  assert.deepEqual(cuts, [15]);
  const emoji = splitCut([enc.encode("😀".repeat(10))], 10); // four-byte characters, no newline
  assert.equal(strict.decode(emoji.lines[0]), "😀😀");
  assert.deepEqual(emoji.cuts, [32]);
});

Deno.test("LineSplitter: a line of exactly the limit is one line", () => {
  const { lines, cuts } = splitCut([new Uint8Array(64).fill(0x41), enc.encode("\n")], 64);
  assert.equal(lines.length, 1);
  assert.equal(lines[0].length, 64);
  assert.deepEqual(cuts, []);
});

Deno.test("LineSplitter: a long line ending in \\r\\n is cut as with \\n", () => {
  const original = new Uint8Array(100).fill(0x42);
  const lf = splitCut([original, enc.encode("\nnext\n")], 64);
  const crlf = splitCut([original, enc.encode("\r\nnext\r\n")], 64);
  assert.deepEqual(crlf, lf);
  assert.deepEqual(lf.cuts, [36]);
});

Deno.test("LineSplitter: a small maxLine is honoured", () => {
  assert.deepEqual(text(split(["abcdefghij\nxy\n"], true, 4)), ["abcd", "xy"]);
});

Deno.test("LineSplitter: bytes that are not UTF-8 pass through untouched", () => {
  const bad = new Uint8Array([0xff, 0xfe, 0x41, 0xc3, 0x28, 0x80, 0x0a, 0xe2, 0x82, 0x0a]);
  const lines = split([bad]);
  assert.deepEqual(lines, [
    new Uint8Array([0xff, 0xfe, 0x41, 0xc3, 0x28, 0x80]),
    new Uint8Array([0xe2, 0x82]),
  ]);
});

Deno.test("LineSplitter: a long run of invalid continuation bytes is still cut at the limit", () => {
  const { lines, cuts } = splitCut([new Uint8Array(150).fill(0x80)], 64);
  assert.equal(lines[0].length, 64);
  assert.deepEqual(cuts, [86]);
});

Deno.test("utf8Boundary: the largest cut at or below the limit between characters", () => {
  const bytes = enc.encode("a€b"); // 61 e2 82 ac 62
  assert.equal(utf8Boundary(bytes, 10), bytes.length);
  assert.equal(utf8Boundary(bytes, 5), 5);
  assert.equal(utf8Boundary(bytes, 4), 4); // before "b"
  assert.equal(utf8Boundary(bytes, 3), 1); // inside "€": back to its start
  assert.equal(utf8Boundary(bytes, 2), 1);
  assert.equal(utf8Boundary(bytes, 1), 1);
  // No safe cut in reach (all continuation bytes): the limit itself.
  assert.equal(utf8Boundary(new Uint8Array(10).fill(0x80), 6), 6);
});

/** Lines and updates of a splitter fed `pushes` (strings), then ended. */
function splitWithUpdates(pushes: string[]): { lines: string[]; updates: string[] } {
  const lines: string[] = [];
  const updates: string[] = [];
  const s = new LineSplitter({
    line: (b) => lines.push(strict.decode(b)),
    update: (b) => updates.push(strict.decode(b)),
  });
  for (const p of pushes) s.push(enc.encode(p));
  s.end();
  return { lines, updates };
}

Deno.test("LineSplitter: a progress bar's \\r updates are updates; at most two lines stand for them", () => {
  const bar = Array.from({ length: 100 }, (_, i) => `\r${i + 1}%|#| ${i + 1}/100`).join("");
  const { lines, updates } = splitWithUpdates(["before\n", bar, "\n", "after\n"]);
  assert.deepEqual(lines, ["before", "99%|#| 99/100", "100%|#| 100/100", "after"]);
  assert.equal(updates.length, 100);
  assert.equal(updates.at(-1), "100%|#| 100/100");
});

Deno.test("LineSplitter: updates ending in \\r before \\n; the last update stands as a line", () => {
  // "b\r\n" is a line (\r\n is a newline); "a" is the last update before it.
  assert.deepEqual(splitWithUpdates(["\ra\rb\r\n"]).lines, ["a", "b"]);
  assert.deepEqual(splitWithUpdates(["\ra\rb\r", "\n"]).lines, ["a", "b"]);
  assert.deepEqual(
    splitWithUpdates(["\ra\rb\r\r\n"]).lines,
    ["b"],
    "nothing after the last update",
  );
  assert.deepEqual(
    splitWithUpdates(["a\rb\rc"]).lines,
    ["b", "c"],
    "at the end, the last update and the text",
  );
  assert.deepEqual(splitWithUpdates(["a\rb\r"]).lines, ["b"], "at the end, the last update");
});

Deno.test("LineSplitter: updates split byte by byte give the same lines; \\r\\n is never an update", () => {
  const text = "x\r\n\r5%|\r9%|\ry\r\nz\n";
  const whole = splitWithUpdates([text]);
  const bytes = splitWithUpdates([...text]);
  assert.deepEqual(bytes, whole);
  assert.deepEqual(whole.lines, ["x", "9%|", "y", "z"]);
  assert.deepEqual(whole.updates, ["5%|", "9%|", "y"]);
  assert.deepEqual(splitWithUpdates(["a\r\nb\r\n"]).updates, []);
});

Deno.test("LineSplitter: one buffer reused for every push (as the pipe reader does) gives the same lines", () => {
  const input = "first\nsplit across three pushes\nbar 10%\rbar 20%\r\nlong " + "y".repeat(40) +
    "\ncr\r\nlast";
  const bytes = enc.encode(input);
  for (const size of [1, 3, 7, 16]) {
    const lines: string[] = [];
    const updates: string[] = [];
    const s = new LineSplitter({
      line: (l) => lines.push(strict.decode(l)),
      update: (u) => updates.push(strict.decode(u)),
    }, 30);
    const buffer = new Uint8Array(size);
    for (let at = 0; at < bytes.length; at += size) {
      const part = bytes.subarray(at, at + size);
      buffer.set(part);
      s.push(buffer.subarray(0, part.length));
      buffer.fill(0x21); // the next read overwrites it
    }
    s.end();
    assert.deepEqual(lines, [
      "first",
      "split across three pushes",
      "bar 10%",
      "bar 20%",
      "long " + "y".repeat(25),
      "cr",
      "last",
    ], `pushes of ${size} bytes`);
    assert.deepEqual(updates.slice(0, 2), ["bar 10%", "bar 20%"], `pushes of ${size} bytes`);
  }
});
