import assert from "node:assert/strict";
import { HEADER_BYTES, PART_BYTES } from "../../src/logs/codec.ts";
import type { RawLine } from "../../src/logs/line.ts";
import { LogStore } from "../../src/logs/store.ts";
import { MAX_LINE_BYTES } from "../../src/logs/line_splitter.ts";
import { OpenChunk } from "../../src/logs/open_chunk.ts";
import { RESERVED_BYTES, RunLogWriter, WARNING } from "../../src/logs/writer.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Opens an in-memory KV for one test and always closes it. */
async function withKv(fn: (kv: Deno.Kv, store: LogStore) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv, new LogStore(kv));
  } finally {
    kv.close();
  }
}

/** Polls `check` every 5 ms until true; fails after `timeoutMs`. */
async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function messages(lines: RawLine[]): string[] {
  return lines.map((l) => dec.decode(l.bytes));
}

Deno.test("RunLogWriter: seq is 1..N across output and system lines, in order", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("run1", store, { maxBytes: 1_000_000 });
    w.system("started");
    w.output("stdout", enc.encode("out 1"));
    w.output("stderr", enc.encode("err 1"));
    w.output("stdout", enc.encode("out 2"));
    w.system("finished");
    assert.equal(w.lastSeq, 5);
    await w.close();
    assert.equal(w.flushedSeq, 5);
    const lines = await store.readAfter("run1", 0, 100);
    assert.deepEqual(lines.map((l) => l.seq), [1, 2, 3, 4, 5]);
    assert.deepEqual(lines.map((l) => l.stream), [
      "system",
      "stdout",
      "stderr",
      "stdout",
      "system",
    ]);
    assert.deepEqual(messages(lines), ["started", "out 1", "err 1", "out 2", "finished"]);
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i].ts >= lines[i - 1].ts);
  });
});

Deno.test("RunLogWriter: firstSeq continues an existing log", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("run2", store, { maxBytes: 1_000_000, firstSeq: 6 });
    w.output("stdout", enc.encode("six"));
    w.output("stdout", enc.encode("seven"));
    await w.close();
    const lines = await store.readAfter("run2", 0, 10);
    assert.deepEqual(lines.map((l) => l.seq), [6, 7]);
    assert.equal(w.flushedSeq, 7);
  });
});

Deno.test("RunLogWriter: the stored log never passes maxBytes; one system line says so", async () => {
  await withKv(async (_kv, store) => {
    const limit = 20_000;
    const w = new RunLogWriter("trunc", store, { maxBytes: limit });
    w.system("started python3 script.py --a b (pid 1)");
    for (let i = 0; i < 2000; i++) w.output(i % 2 ? "stderr" : "stdout", enc.encode(`line ${i}`));
    assert.equal(w.truncated, true);
    w.output("stdout", enc.encode("y"));
    w.system("process exited with code 0"); // the runner's own lines are still kept
    await w.close();
    const lines = await store.readAfter("trunc", 0, 10_000);
    const stored = lines.reduce((n, l) => n + HEADER_BYTES + l.bytes.length, 0);
    assert.ok(stored <= limit, `${stored} bytes stored`);
    assert.ok(stored > limit - RESERVED_BYTES - 100, `${stored} bytes: the limit is used`);
    const markers = lines.filter((l) => /limit/.test(dec.decode(l.bytes)));
    assert.equal(markers.length, 1);
    assert.match(dec.decode(markers[0].bytes), /20000 bytes/);
    assert.equal(markers[0].level, WARNING);
    assert.equal(messages(lines).at(-1), "process exited with code 0");
    assert.deepEqual(lines.map((l) => l.seq), lines.map((_, i) => i + 1), "no gap");
  });
});

Deno.test("RunLogWriter: maxBytes 0 drops all output but keeps system lines", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("zero", store, { maxBytes: 0 });
    w.system("start");
    w.output("stdout", enc.encode("a"));
    w.output("stdout", enc.encode("b"));
    await w.close();
    const lines = await store.readAfter("zero", 0, 10);
    assert.deepEqual(lines.map((l) => l.stream), ["system", "system"]);
    assert.equal(w.truncated, true);
  });
});

Deno.test("RunLogWriter: close() stores every line", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("many", store, { maxBytes: 100_000_000, chunkBytes: 4096 });
    for (let i = 1; i <= 2000; i++) {
      w.output(i % 3 === 0 ? "stderr" : "stdout", enc.encode(`line number ${i}`));
    }
    await w.close();
    assert.equal(w.isClosed, true);
    assert.equal(w.flushedSeq, 2000);
    const lines = await store.readAfter("many", 0, 5000);
    assert.equal(lines.length, 2000);
    lines.forEach((l, i) => {
      assert.equal(l.seq, i + 1);
      assert.equal(dec.decode(l.bytes), `line number ${i + 1}`);
    });
    assert.equal(await store.lastSeq("many"), 2000);
  });
});

Deno.test("RunLogWriter: nothing is taken after close()", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("closed", store, { maxBytes: 1_000_000 });
    w.output("stdout", enc.encode("before"));
    await w.close();
    w.output("stdout", enc.encode("after"));
    w.system("after too");
    assert.equal(w.lastSeq, 1);
    assert.equal((await store.readAfter("closed", 0, 10)).length, 1);
  });
});

Deno.test("RunLogWriter: subscribers get every line, then null on close", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("sub", store, { maxBytes: 1_000_000 });
    const seen: (RawLine | null)[] = [];
    const early: (RawLine | null)[] = [];
    w.subscribe((l) => seen.push(l));
    const unsubscribe = w.subscribe((l) => early.push(l));
    w.output("stdout", enc.encode("a"));
    w.system("b");
    unsubscribe();
    w.output("stderr", enc.encode("c"));
    assert.equal(seen.length, 3, "lines are handed over at once, before any write");
    await w.close();
    assert.equal(seen.length, 4);
    assert.equal(seen[3], null);
    assert.deepEqual(seen.slice(0, 3).map((l) => l!.seq), [1, 2, 3]);
    assert.deepEqual(messages(seen.slice(0, 3) as RawLine[]), ["a", "b", "c"]);
    assert.deepEqual(early.map((l) => l && l.seq), [1, 2], "unsubscribed listeners get nothing");
  });
});

Deno.test("RunLogWriter: a line is stored within ~100 ms without close()", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("live", store, { maxBytes: 1_000_000 });
    try {
      const t0 = performance.now();
      w.output("stdout", enc.encode("printed before a long pause"));
      assert.deepEqual(w.unflushedAfter(0).map((l) => l.seq), [1]);
      await waitFor(
        async () => (await store.readAfter("live", 0, 10)).length === 1,
        2000,
        "the line to be stored",
      );
      const elapsed = performance.now() - t0;
      assert.ok(elapsed < 1000, `stored after ${elapsed.toFixed(0)} ms`);
      await waitFor(() => w.flushedSeq === 1, 1000, "flushedSeq to advance");
      assert.deepEqual(w.unflushedAfter(0), []);
      assert.equal(w.isClosed, false);
      // A second line after the first flush is stored on its own timer too.
      w.output("stdout", enc.encode("later"));
      await waitFor(() => w.flushedSeq === 2, 2000, "the second line");
    } finally {
      await w.close();
    }
  });
});

Deno.test("RunLogWriter: a large line is written as several KV parts, each <= 64 KiB", async () => {
  await withKv(async (kv, store) => {
    const w = new RunLogWriter("big", store, { maxBytes: 10_000_000 });
    const big = new Uint8Array(200_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    w.output("stdout", enc.encode("small before"));
    w.output("stdout", big);
    w.output("stderr", enc.encode("small after"));
    await w.close();
    let parts = 0;
    for await (const entry of kv.list<Uint8Array>({ prefix: ["log", "big"] })) {
      parts++;
      assert.ok(entry.value.byteLength <= 65536, `part of ${entry.value.byteLength} bytes`);
      assert.ok(entry.value.byteLength <= PART_BYTES);
    }
    assert.ok(parts >= 4, `${parts} parts`);
    const lines = await store.readAfter("big", 0, 10);
    assert.deepEqual(lines.map((l) => l.seq), [1, 2, 3]);
    assert.deepEqual(lines[1].bytes, big);
    assert.deepEqual(messages([lines[0], lines[2]]), ["small before", "small after"]);
  });
});

Deno.test("RunLogWriter: many 60 KB lines are all stored in order within KV limits", async () => {
  await withKv(async (kv, store) => {
    const w = new RunLogWriter("wide", store, { maxBytes: 100_000_000 });
    const sizes: number[] = [];
    for (let i = 1; i <= 12; i++) {
      const bytes = new Uint8Array(60_000).fill(0x30 + (i % 10));
      w.output("stdout", bytes);
      sizes.push(bytes.length);
    }
    await w.close();
    for await (const entry of kv.list<Uint8Array>({ prefix: ["log", "wide"] })) {
      assert.ok(entry.value.byteLength <= 65536);
    }
    const lines = await store.readAfter("wide", 0, 100);
    assert.deepEqual(lines.map((l) => l.seq), [...Array(12).keys()].map((i) => i + 1));
    assert.deepEqual(lines.map((l) => l.bytes.length), sizes);
    lines.forEach((l, i) => assert.equal(l.bytes[0], 0x30 + ((i + 1) % 10)));
  });
});

Deno.test("RunLogWriter: ready() holds back while the backlog is large, then resolves", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("bp", store, { maxBytes: 10_000_000, maxBufferedBytes: 1000 });
    await w.ready(); // empty backlog: at once
    w.output("stdout", new Uint8Array(5000).fill(0x41));
    let released = false;
    const ready = w.ready().then(() => (released = true));
    assert.equal(released, false);
    await ready;
    assert.equal(released, true);
    await w.close();
    assert.equal((await store.readAfter("bp", 0, 10)).length, 1);
  });
});

Deno.test("LogStore.readAfter: pages by seq and limit across chunks", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("pages", store, { maxBytes: 1_000_000, chunkBytes: 64 });
    for (let i = 1; i <= 50; i++) w.output("stdout", enc.encode(`l${i}`));
    await w.close();
    assert.deepEqual((await store.readAfter("pages", 0, 3)).map((l) => l.seq), [1, 2, 3]);
    assert.deepEqual((await store.readAfter("pages", 10, 3)).map((l) => l.seq), [11, 12, 13]);
    assert.deepEqual((await store.readAfter("pages", 48, 10)).map((l) => l.seq), [49, 50]);
    assert.deepEqual(await store.readAfter("pages", 50, 10), []);
    assert.deepEqual(await store.readAfter("other-run", 0, 10), []);
  });
});

Deno.test("RunLogWriter: output is copied when taken, so the caller may reuse its buffer", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("copy", store, { maxBytes: 1_000_000 });
    const buf = enc.encode("abc");
    w.output("stdout", buf);
    buf.fill(0x5a);
    assert.deepEqual(messages(w.unflushedAfter(0)), ["abc"]);
    await w.close();
    assert.deepEqual(messages(await store.readAfter("copy", 0, 10)), ["abc"]);
  });
});

Deno.test("RunLogWriter: unflushedAfter sees lines of chunks not yet written, in seq order", async () => {
  await withKv(async (_kv, store) => {
    const w = new RunLogWriter("pending", store, { maxBytes: 10_000_000, chunkBytes: 1024 });
    for (let i = 1; i <= 100; i++) w.output("stdout", enc.encode(`line ${i} `.padEnd(50, "x")));
    const pending = w.unflushedAfter(w.flushedSeq);
    assert.deepEqual(
      pending.map((l) => l.seq),
      Array.from({ length: 100 - w.flushedSeq }, (_, i) => w.flushedSeq + i + 1),
    );
    await w.close();
    assert.equal(w.flushedSeq, 100);
    assert.equal((await store.readAfter("pending", 0, 1000)).length, 100);
  });
});

Deno.test("RunLogWriter: a 1 MiB line is stored whole as one line, across several atomic writes", async () => {
  await withKv(async (kv, store) => {
    const w = new RunLogWriter("huge", store, { maxBytes: 10_000_000 });
    const big = new Uint8Array(MAX_LINE_BYTES);
    for (let i = 0; i < big.length; i++) big[i] = 0x61 + (i % 26);
    w.output("stdout", enc.encode("before"));
    w.output("stdout", big);
    w.output("stdout", enc.encode("after"));
    await w.close();
    const lines = await store.readAfter("huge", 0, 10);
    assert.deepEqual(lines.map((l) => l.bytes.length), [6, MAX_LINE_BYTES, 5]);
    assert.deepEqual(lines[1].bytes, big);
    let parts = 0;
    for await (const entry of kv.list<Uint8Array>({ prefix: ["log", "huge"] })) {
      parts++;
      assert.ok(entry.value.length <= 64 * 1024);
    }
    assert.ok(parts > 12, `${parts} parts: more than one atomic write`);
  });
});

Deno.test("LogStore: a chunk without its part 0 (half-written) is not read", async () => {
  await withKv(async (kv, store) => {
    await store.writeChunk("half", [{
      seq: 1,
      stream: "stdout",
      ts: 1,
      level: 0,
      bytes: enc.encode("one"),
    }]);
    await kv.set(["log", "half", 2, 1], new Uint8Array([1, 2, 3]));
    const lines = await store.readAfter("half", 0, 10);
    assert.deepEqual(messages(lines), ["one"]);
    assert.equal(await store.lastSeq("half"), 1);
    await store.deleteChunk("half", 2);
    assert.equal((await kv.get(["log", "half", 2, 1])).value, null);
  });
});

Deno.test("OpenChunk: a full chunk's buffer is its size plus room for one line, not double", () => {
  const sealAt = 256 * 1024;
  const chunk = new OpenChunk(1, sealAt + HEADER_BYTES + MAX_LINE_BYTES, sealAt);
  const line = enc.encode("0000000001 " + "x".repeat(49));
  while (chunk.pos < sealAt) chunk.append("stdout", 0, 0, line);
  assert.ok(chunk.buf.length <= sealAt + 64 * 1024, `${chunk.buf.length} bytes for ${chunk.pos}`);
  // A line longer than the room still fits whole.
  const long = new Uint8Array(200_000).fill(0x79);
  chunk.append("stdout", 0, 0, long);
  assert.equal(chunk.count, Math.ceil(sealAt / (HEADER_BYTES + 60)) + 1);
  assert.deepEqual(chunk.body.subarray(chunk.pos - long.length), long);
  // A small chunk stays small.
  const small = new OpenChunk(1, sealAt + HEADER_BYTES + MAX_LINE_BYTES, sealAt);
  small.append("stdout", 0, 0, line);
  assert.equal(small.buf.length, 4096);
});
