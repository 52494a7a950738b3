import assert from "node:assert/strict";
import { cpuUsage, threadCpuUsage } from "node:process";
import { PipeReader } from "../../src/process/pipe_reader.ts";
import { hasPython, python, underWine } from "../helpers.ts";

/**
 * CPU time of this thread, where the reader's reads and callbacks run: `deno test --parallel`
 * runs other test files in other threads of this process. Windows: the process's.
 */
const ownCpuUsage = Deno.build.os === "windows" ? cpuUsage : threadCpuUsage;

/** A Python child printing `count` numbered lines unbuffered (two writes a line), as runs do. */
function printer(count: number, sleepEvery = 0): Deno.ChildProcess {
  if (Deno.build.os === "windows" && !hasPython()) return denoPrinter(count, sleepEvery);
  const pause = sleepEvery > 0 ? `\n    if i % ${sleepEvery} == 0: time.sleep(0.05)` : "";
  return new Deno.Command(python(), {
    args: [
      "-c",
      `import time\nfor i in range(${count}):\n    print(f"{i:010d} {'x' * 49}")${pause}`,
    ],
    env: { PYTHONUNBUFFERED: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
}

/**
 * The same printer as a Deno child, where no Python exists (the Windows lane under Wine). One
 * write a line: under Wine a write takes long enough that a line's two writes would arrive as
 * two reads, which says nothing about the reader.
 */
function denoPrinter(count: number, sleepEvery: number): Deno.ChildProcess {
  const code = `const e = new TextEncoder(), nap = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < ${count}; i++) {
  Deno.stdout.writeSync(e.encode(String(i).padStart(10, "0") + " " + "x".repeat(49) + "\\n"));
  if (${sleepEvery} > 0 && i % ${sleepEvery || 1} === 0) Atomics.wait(nap, 0, 0, 50);
}`;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
}

/**
 * Lines of the big cases. Under Wine every write is a round trip to the wineserver (20,000
 * lines took 24 s): there the same checks of the bytes run on fewer lines.
 */
const SOME = underWine() ? 2_000 : 20_000;
const MANY = underWine() ? 5_000 : 200_000;

/** Reads the child's stdout through a PipeReader; every byte in order, the reads, the times. */
async function readAll(child: Deno.ChildProcess) {
  const decoder = new TextDecoder();
  let text = "";
  // When each read that completes a line came: a line's two writes (text, then newline) may
  // arrive as two reads, and only the second says the line was handed on.
  const arrivals: number[] = [];
  const reader = new PipeReader(child.stdout, (c) => {
    text += decoder.decode(c, { stream: true });
    if (c.at(-1) === 10) arrivals.push(performance.now());
  }, () => Promise.resolve());
  await reader.finished;
  await child.status;
  return { text, reads: reader.reads, arrivals };
}

Deno.test("PipeReader: every byte arrives, in order", async () => {
  const { text } = await readAll(printer(SOME));
  const lines = text.split("\n");
  assert.equal(lines.pop(), "");
  assert.equal(lines.length, SOME);
  lines.forEach((l, i) => assert.equal(l, `${String(i).padStart(10, "0")} ${"x".repeat(49)}`));
});

Deno.test("PipeReader: a fast writer is read in few large reads at a small share of a core", async () => {
  // With a timer pause between reads each of the child's 400,000 writes woke the event loop
  // (measured here: 52-57% of a core; 9-19% with the naps outside the event loop).
  const t0 = performance.now();
  const cpu0 = ownCpuUsage();
  const { text, reads } = await readAll(printer(MANY));
  const cpu = ownCpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  assert.equal(text.length, MANY * 61);
  const share = (cpu.user + cpu.system) / 1000 / wallMs;
  // Under Wine the pipe is Wine's emulation and its CPU use and read sizes are Wine's, not
  // this reader's: the share and read count would say nothing about Windows.
  if (underWine()) return;
  assert.ok(share < 0.35, `reader used ${(share * 100).toFixed(0)}% of a core over ${wallMs} ms`);
  assert.ok(reads < 200_000 / 20, `${reads} reads for 200,000 lines`);
});

Deno.test("PipeReader: output that comes now and then is handed on at once", async () => {
  // Ten lines, 50 ms apart: each must arrive well before the next is printed.
  const { text, arrivals } = await readAll(printer(10, 1));
  assert.equal(text.split("\n").length, 11);
  assert.ok(arrivals.length >= 9, `${arrivals.length} reads`);
  const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
  assert.ok(gaps.every((g) => g > 25), `gaps ${gaps.map((g) => g.toFixed(1)).join(", ")} ms`);
});

Deno.test("PipeReader: reads go into one buffer, not a new one each", async () => {
  // A fresh 64 KiB buffer a read left dead buffers piling up until the next garbage collection
  // (measured here: 46-64 MB outside the heap with a consumer that allocates nothing).
  const child = printer(MANY);
  const base = Deno.memoryUsage().external;
  let peak = 0;
  let bytes = 0;
  const reader = new PipeReader(child.stdout, (c) => {
    bytes += c.length;
    peak = Math.max(peak, Deno.memoryUsage().external - base);
  }, () => Promise.resolve());
  await reader.finished;
  await child.status;
  assert.equal(bytes, MANY * 61);
  assert.ok(peak < 4 * 1024 * 1024, `${(peak / 1048576).toFixed(1)} MB outside the heap`);
});
