import assert from "node:assert/strict";
import { isStorageFull } from "../../src/kv/storage_full.ts";
import { LogStore } from "../../src/logs/store.ts";
import { RunLogWriter, WARNING } from "../../src/logs/writer.ts";
import { RunEvents } from "../../src/runs/events.ts";
import { settleFinalWrites, writeFinal } from "../../src/runs/final_write.ts";
import { newRunRecord, type RunRecord } from "../../src/runs/model.ts";
import { RunStore } from "../../src/runs/store.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const FULL = () => new TypeError("database or disk is full");

Deno.test("isStorageFull: SQLite's full disk, ENOSPC, EDQUOT, also as a cause; nothing else", () => {
  assert.equal(isStorageFull(FULL()), true);
  assert.equal(isStorageFull(new Error("database or disk is full")), true);
  assert.equal(isStorageFull(new Error("No space left on device (os error 28): write 'x'")), true);
  assert.equal(isStorageFull(new Error("Disk quota exceeded (os error 122)")), true);
  assert.equal(isStorageFull(new Error("run x could not be stored", { cause: FULL() })), true);
  assert.equal(isStorageFull(new Error("disk I/O error")), false);
  assert.equal(isStorageFull(new Error("database is locked")), false);
  assert.equal(isStorageFull("database or disk is full"), false, "only errors");
  assert.equal(isStorageFull(null), false);
});

/** A log store that refuses every write while `full` is true. */
function fillableStore(kv: Deno.Kv): LogStore & { full: boolean } {
  const store = Object.assign(new LogStore(kv), { full: false });
  const write = store.writeChunks.bind(store);
  store.writeChunks = (runId, chunks) => store.full ? Promise.reject(FULL()) : write(runId, chunks);
  return store;
}

Deno.test("RunLogWriter: chunks a full disk refuses are counted, output goes on, and the next write says what is missing", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = fillableStore(kv);
    const w = new RunLogWriter("r", store, { maxBytes: 10_000_000, chunkBytes: 64, flushMs: 5 });
    w.output("stdout", enc.encode("stored before"));
    await waitUntil(() => w.flushedSeq === 1);
    store.full = true;
    for (let i = 1; i <= 3; i++) w.output("stdout", enc.encode(`lost ${i} ${"x".repeat(60)}`));
    await waitUntil(() => w.lost.count === 3, 5000);
    store.full = false;
    w.output("stdout", enc.encode("stored after"));
    await w.close();
    assert.equal(w.truncated, false, "the limit was not reached: output was never refused");
    const lines = await store.readAfter("r", 0, 100);
    const texts = lines.map((l) => dec.decode(l.bytes));
    assert.equal(texts[0], "stored before");
    assert.ok(texts.includes("stored after"));
    const notice = lines.find((l) => /could not be stored/.test(dec.decode(l.bytes)))!;
    assert.equal(
      dec.decode(notice.bytes),
      "3 lines of this log (lines 2 to 4) could not be stored because the disk was full: " +
        "they are missing",
    );
    assert.equal(notice.stream, "system");
    assert.equal(notice.level, WARNING);
    assert.equal(w.lost.takeNotice(), null, "said once");
    assert.equal(lines.at(-1)!.seq, w.lastSeq, "the notice is stored before the log closes");
  } finally {
    kv.close();
  }
});

Deno.test("writeFinal: a refused final write leaves the run final in memory at once, told once, and stored when space returns", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = new RunStore(kv);
  const logs = fillableStore(kv);
  const events = new RunEvents();
  const told: RunRecord[] = [];
  events.subscribeAll((r) => told.push(r));
  const parts = { store, logs, events, finalHooks: { plan: () => {} } };
  try {
    const record = newRunRecord({
      run_id: "f000000000000001",
      module_id: "m",
      module_name: "M",
      parameters: { password: "secret" },
      secret_parameters: ["password"],
      order: 1,
      created_at: Date.now(),
      startsOn: "h1",
    });
    await store.create(record);
    // The writer gave up on a chunk and closed before any write worked again.
    const writer = new RunLogWriter(record.run_id, logs, { maxBytes: 1_000_000 });
    logs.full = true;
    const transition = store.transition.bind(store);
    store.transition = (...args) => logs.full ? Promise.reject(FULL()) : transition(...args);
    writer.system("started");
    await writer.close();
    assert.equal(writer.lost.count, 1);

    const final = await writeFinal(parts, record.run_id, {
      to: "completed",
      changes: { completed_at: 123, exit_code: 0, log_lines: writer.lastSeq, log_truncated: true },
    }, writer);
    assert.equal(final?.status, "completed");
    assert.deepEqual(final?.parameters, {}, "secrets are dropped as when stored");
    assert.equal(final?.log_lines, 2, "the notice line is counted");
    assert.equal((await store.get(record.run_id))?.status, "completed", "reads find it");
    assert.equal((await kv.get<RunRecord>(["run", record.run_id])).value?.status, "running");
    assert.deepEqual(told.map((r) => r.status), ["completed"]);

    logs.full = false;
    await waitUntil(
      async () => (await kv.get<RunRecord>(["run", record.run_id])).value?.status === "completed",
      5000,
    );
    const stored = (await kv.get<RunRecord>(["run", record.run_id])).value!;
    assert.equal(stored.completed_at, 123, "final as of its process's end");
    const lines = await logs.readAfter(record.run_id, 0, 10);
    assert.match(dec.decode(lines.at(-1)!.bytes), /^1 line of this log \(line 1\) could not/);
    assert.equal(lines.at(-1)!.seq, 2);
    assert.deepEqual(told.map((r) => r.status), ["completed"], "the landing is not news");
  } finally {
    await settleFinalWrites(store);
    kv.close();
  }
});

Deno.test("settleFinalWrites: at shutdown a write that still fails is given up, and says so", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = new RunStore(kv);
  try {
    const record = newRunRecord({
      run_id: "f000000000000002",
      module_id: "m",
      module_name: "M",
      parameters: {},
      secret_parameters: [],
      order: 2,
      created_at: Date.now(),
      startsOn: "h1",
    });
    await store.create(record);
    store.transition = () => Promise.reject(FULL());
    const parts = {
      store,
      logs: new LogStore(kv),
      events: new RunEvents(),
      finalHooks: { plan() {} },
    };
    const final = await writeFinal(parts, record.run_id, { to: "failed", changes: {} });
    assert.equal(final?.status, "failed");
    const errors: string[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(" "));
    try {
      await settleFinalWrites(store);
    } finally {
      console.error = error;
    }
    assert.ok(errors.some((e) => /could not be stored before shutdown/.test(e)), errors.join("\n"));
    assert.equal((await kv.get<RunRecord>(["run", record.run_id])).value?.status, "running");
  } finally {
    kv.close();
  }
});

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}
