import assert from "node:assert/strict";
import {
  concatBytes,
  decodeChunk,
  encodeChunk,
  PART_BYTES,
  splitParts,
} from "../../src/logs/codec.ts";
import { type RawLine, toLogLine } from "../../src/logs/line.ts";

const enc = new TextEncoder();

function line(
  seq: number,
  stream: RawLine["stream"],
  bytes: Uint8Array | string,
  ts = 0,
  level = 0,
): RawLine {
  return {
    seq,
    stream,
    ts: ts || 1_700_000_000_000 + seq,
    level,
    bytes: typeof bytes === "string" ? enc.encode(bytes) : bytes,
  };
}

Deno.test("codec: encode/decode round trip keeps seq, stream, level, timestamp and bytes", () => {
  const lines = [
    line(4, "stdout", "ERROR: x", 0, 4),
    line(5, "stdout", "hello"),
    line(6, "stderr", "oops: ünïcødé ⚠️"),
    line(7, "system", "run started", 1_712_345_678_901.5),
  ];
  const decoded = decodeChunk(4, encodeChunk(lines));
  assert.deepEqual(decoded, lines);
});

Deno.test("codec: an empty message survives, also at the end of a chunk", () => {
  const lines = [line(1, "stdout", ""), line(2, "stdout", "x"), line(3, "stderr", "")];
  const decoded = decodeChunk(1, encodeChunk(lines));
  assert.equal(decoded.length, 3);
  assert.deepEqual(decoded, lines);
  assert.equal(decoded[2].bytes.length, 0);
});

Deno.test("codec: bytes that are not UTF-8 are kept exactly", () => {
  const raw = new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0d, 0x80]);
  const [decoded] = decodeChunk(1, encodeChunk([line(1, "stdout", raw)]));
  assert.deepEqual(decoded.bytes, raw);
});

Deno.test("codec: seq is implied by the chunk's first seq", () => {
  const body = encodeChunk([line(1, "stdout", "a"), line(2, "stdout", "b")]);
  assert.deepEqual(decodeChunk(100, body).map((l) => l.seq), [100, 101]);
});

Deno.test("codec: an empty chunk decodes to no lines", () => {
  const body = encodeChunk([]);
  assert.equal(body.length, 0);
  assert.deepEqual(decodeChunk(1, body), []);
});

Deno.test("codec: decodes from a view with a non-zero byteOffset", () => {
  const lines = [line(1, "stdout", "abc"), line(2, "system", "def")];
  const body = encodeChunk(lines);
  const padded = new Uint8Array(body.length + 7);
  padded.set(body, 7);
  assert.deepEqual(decodeChunk(1, padded.subarray(7)), lines);
});

Deno.test("splitParts: parts are at most PART_BYTES and concatBytes restores the body", () => {
  assert.ok(PART_BYTES <= 65536, "a KV value is at most 64 KiB");
  const lines: RawLine[] = [];
  for (let i = 1; i <= 5; i++) {
    const bytes = new Uint8Array(60_000);
    for (let j = 0; j < bytes.length; j++) bytes[j] = (i * 31 + j) & 0xff;
    lines.push(line(i, i % 2 ? "stdout" : "stderr", bytes));
  }
  const body = encodeChunk(lines);
  const parts = splitParts(body);
  assert.equal(parts.length, Math.ceil(body.length / PART_BYTES));
  for (const p of parts) assert.ok(p.length > 0 && p.length <= PART_BYTES, `${p.length}`);
  const joined = concatBytes(parts.map((p) => p.slice()));
  assert.deepEqual(joined, body);
  assert.deepEqual(decodeChunk(1, joined), lines);
});

Deno.test("splitParts: boundary sizes", () => {
  assert.equal(splitParts(new Uint8Array(0)).length, 1, "an empty body is one empty part");
  assert.equal(splitParts(new Uint8Array(1)).length, 1);
  assert.equal(splitParts(new Uint8Array(PART_BYTES)).length, 1);
  const two = splitParts(new Uint8Array(PART_BYTES + 1));
  assert.deepEqual(two.map((p) => p.length), [PART_BYTES, 1]);
  assert.equal(splitParts(new Uint8Array(PART_BYTES * 3)).length, 3);
});

Deno.test("concatBytes: one part is returned as is, several are concatenated in order", () => {
  const only = new Uint8Array([1, 2, 3]);
  assert.deepEqual(concatBytes([only]), only);
  assert.deepEqual(
    concatBytes([new Uint8Array([1]), new Uint8Array([]), new Uint8Array([2, 3])]),
    new Uint8Array([1, 2, 3]),
  );
});

Deno.test("toLogLine: decodes UTF-8, replaces invalid bytes, ISO timestamp with Z", () => {
  const ok = toLogLine(line(3, "stderr", "héllo", Date.UTC(2024, 0, 2, 3, 4, 5, 6)));
  assert.deepEqual(ok, {
    seq: 3,
    timestamp: "2024-01-02T03:04:05.006Z",
    stream: "stderr",
    level: "ERROR",
    message: "héllo",
  });
  const bad = toLogLine(line(1, "stdout", new Uint8Array([0x61, 0xff, 0x62])));
  assert.equal(bad.message, "a\uFFFDb");
  assert.equal(bad.level, "INFO", "stdout without a level word is INFO");
  assert.equal(toLogLine(line(2, "stdout", "x", 0, 3)).level, "WARNING", "a stored level wins");
  assert.equal(toLogLine(line(2, "system", "started")).level, "INFO");
});
