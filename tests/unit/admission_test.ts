import assert from "node:assert/strict";
import { Admission, type QueuedRun } from "../../src/runs/admission.ts";

function run(runId: string, moduleId: string, order: number): QueuedRun {
  return { runId, moduleId, order };
}

/** Limits per module; unlisted modules get `fallback`. */
function limits(map: Record<string, number>, fallback = 100): (moduleId: string) => number {
  return (id) => map[id] ?? fallback;
}

/** Admits every run that may start now (each stored as running at once) and returns their ids. */
function admitAll(a: Admission): string[] {
  const out: string[] = [];
  for (let r = a.admitNext(); r !== null; r = a.admitNext()) {
    a.leave(r.runId);
    out.push(r.runId);
  }
  return out;
}

Deno.test("Admission: the global limit bounds runs holding a slot", () => {
  const a = new Admission(2, limits({}));
  assert.equal(a.canStartNow("m"), true);
  a.claim("m");
  assert.equal(a.canStartNow("other"), true);
  a.claim("other");
  assert.equal(a.activeCount, 2);
  assert.equal(a.canStartNow("m"), false);
  assert.equal(a.canStartNow("third"), false);
  a.release("m");
  assert.equal(a.activeCount, 1);
  assert.equal(a.canStartNow("third"), true);
});

Deno.test("Admission: admitNext respects the global limit", () => {
  const a = new Admission(2, limits({}));
  for (let i = 1; i <= 4; i++) a.enqueue(run(`r${i}`, `m${i}`, i));
  assert.deepEqual(admitAll(a), ["r1", "r2"]);
  assert.equal(a.activeCount, 2);
  assert.equal(a.queuedCount, 2);
  assert.equal(a.admitNext(), null);
  a.release("m1");
  assert.deepEqual(admitAll(a), ["r3"]);
  a.release("m2");
  a.release("m3");
  assert.deepEqual(admitAll(a), ["r4"]);
  assert.equal(a.queuedCount, 0);
});

Deno.test("Admission: the per-module limit bounds one module's runs", () => {
  const a = new Admission(10, limits({ slow: 1 }));
  a.claim("slow");
  assert.equal(a.canStartNow("slow"), false);
  assert.equal(a.canStartNow("fast"), true);
  a.release("slow");
  assert.equal(a.canStartNow("slow"), true);
});

Deno.test("Admission: admitNext respects the per-module limit", () => {
  const a = new Admission(10, limits({ a: 2 }));
  for (let i = 1; i <= 4; i++) a.enqueue(run(`a${i}`, "a", i));
  assert.deepEqual(admitAll(a), ["a1", "a2"]);
  a.release("a");
  assert.deepEqual(admitAll(a), ["a3"]);
  assert.deepEqual(admitAll(a), []);
  a.release("a");
  assert.deepEqual(admitAll(a), ["a4"]);
});

Deno.test("Admission: runs start in submission (FIFO) order", () => {
  const a = new Admission(1, limits({}));
  a.enqueue(run("first", "x", 1));
  a.enqueue(run("second", "y", 2));
  a.enqueue(run("third", "x", 3));
  const started: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = a.admitNext();
    assert.ok(r);
    started.push(r.runId);
    assert.equal(a.admitNext(), null, "only one slot");
    a.release(r.moduleId);
  }
  assert.deepEqual(started, ["first", "second", "third"]);
});

Deno.test("Admission: enqueue keeps submission order even when runs are added out of order", () => {
  const a = new Admission(1, limits({}));
  a.enqueue(run("r3", "m", 3));
  a.enqueue(run("r1", "m", 1));
  a.enqueue(run("r5", "m", 5));
  a.enqueue(run("r2", "m", 2));
  assert.equal(a.positionFor(1), 1);
  assert.equal(a.positionFor(2), 2);
  assert.equal(a.positionFor(3), 3);
  assert.equal(a.positionFor(5), 4);
  assert.equal(a.admitNext()?.runId, "r1");
});

Deno.test("Admission: no head-of-line blocking across modules", () => {
  const a = new Admission(10, limits({ busy: 1 }));
  a.claim("busy");
  a.enqueue(run("held", "busy", 1));
  a.enqueue(run("free", "idle", 2));
  // "held" waits for its module; "free" behind it may start.
  assert.equal(a.admitNext()?.runId, "free");
  assert.equal(a.admitNext(), null);
  assert.equal(a.positionFor(1), 1);
  a.release("busy");
  assert.equal(a.admitNext()?.runId, "held");
});

Deno.test("Admission: a held-back module keeps its own order when a slot frees", () => {
  const a = new Admission(10, limits({ m: 1 }));
  a.claim("m");
  a.enqueue(run("m1", "m", 1));
  a.enqueue(run("o1", "o", 2));
  a.enqueue(run("m2", "m", 3));
  a.enqueue(run("o2", "o", 4));
  assert.deepEqual(admitAll(a), ["o1", "o2"]);
  a.release("m");
  assert.deepEqual(admitAll(a), ["m1"]);
  a.release("m");
  assert.deepEqual(admitAll(a), ["m2"]);
});

Deno.test("Admission: canStartNow is false when the new run would overtake a queued one", () => {
  // A queued run of the same module comes first.
  const a = new Admission(10, limits({ m: 3 }));
  a.enqueue(run("q", "m", 1));
  assert.equal(a.canStartNow("m"), false);

  // A queued run of another module that could start (not held back) comes first too.
  const b = new Admission(10, limits({}));
  b.enqueue(run("q", "other", 1));
  assert.equal(b.canStartNow("m"), false);
});

Deno.test("Admission: canStartNow is true past queued runs held back by their own module", () => {
  const a = new Admission(10, limits({ busy: 1 }));
  a.claim("busy");
  a.enqueue(run("q1", "busy", 1));
  a.enqueue(run("q2", "busy", 2));
  assert.equal(a.canStartNow("idle"), true);
  assert.equal(a.canStartNow("busy"), false);
});

Deno.test("Admission: canStartNow is false with no global slot even if the queue is empty", () => {
  const a = new Admission(1, limits({}));
  a.claim("x");
  assert.equal(a.canStartNow("y"), false);
  assert.equal(a.queuedCount, 0);
});

Deno.test("Admission: positionFor() is 1-based and an admitted run keeps its place until it leaves", () => {
  const a = new Admission(1, limits({}));
  a.enqueue(run("a", "m", 1));
  a.enqueue(run("b", "m", 2));
  a.enqueue(run("c", "m", 3));
  assert.equal(a.positionFor(1), 1);
  assert.equal(a.positionFor(3), 3);
  assert.equal(a.admitNext()?.runId, "a");
  // Still stored as queued until its start is written: the positions do not move yet.
  assert.equal(a.queuedCount, 3);
  assert.equal(a.positionFor(1), 1);
  assert.equal(a.positionFor(2), 2);
  a.leave("a");
  assert.equal(a.queuedCount, 2);
  assert.equal(a.positionFor(2), 1);
  assert.equal(a.positionFor(3), 2);
  // A record read as queued just before its move was written still gets a place.
  assert.equal(a.positionFor(1), 1);
});

Deno.test("Admission: take() holds a waiting run for a cancel; restore() puts it back, leave() drops it", () => {
  const a = new Admission(1, limits({}));
  a.enqueue(run("a", "m", 1));
  a.enqueue(run("b", "m", 2));
  a.enqueue(run("c", "m", 3));
  assert.equal(a.take("b")?.runId, "b");
  assert.equal(a.take("b"), null, "already taken");
  assert.equal(a.take("unknown"), null);
  assert.equal(a.positionFor(3), 3, "c keeps its place while b's cancel is written");
  a.restore("b");
  assert.equal(a.take("b")?.runId, "b");
  a.leave("b");
  assert.equal(a.queuedCount, 2);
  assert.equal(a.positionFor(3), 2);
  assert.equal(a.admitNext()?.runId, "a");
  assert.equal(a.take("a"), null, "an admitted run is no longer waiting");
  a.leave("a");
  a.release("m");
  assert.equal(a.admitNext()?.runId, "c");
});

Deno.test("Admission: admitNext claims the slot of the run it returns", () => {
  const a = new Admission(5, limits({ m: 1 }));
  a.enqueue(run("r", "m", 1));
  assert.equal(a.activeCount, 0);
  assert.deepEqual(a.admitNext(), run("r", "m", 1));
  assert.equal(a.activeCount, 1);
  assert.equal(a.admitNext(), null, "an admitted run is not admitted twice");
  a.leave("r");
  assert.equal(a.queuedCount, 0);
  assert.equal(a.canStartNow("m"), false, "the module's one slot is taken");
});

Deno.test("Admission: canStartNow skips runs already admitted or being cancelled", () => {
  const a = new Admission(10, limits({}));
  a.enqueue(run("q", "m", 1));
  assert.equal(a.canStartNow("m"), false);
  a.take("q");
  assert.equal(a.canStartNow("m"), true);
});

Deno.test("Admission: releasing every slot of a module frees it again", () => {
  const a = new Admission(10, limits({ m: 2 }));
  a.claim("m");
  a.claim("m");
  assert.equal(a.canStartNow("m"), false);
  a.release("m");
  a.release("m");
  assert.equal(a.activeCount, 0);
  a.claim("m");
  a.claim("m");
  assert.equal(a.canStartNow("m"), false);
  a.release("m");
  assert.equal(a.canStartNow("m"), true);
});

Deno.test("Admission.sync: takes in runs other servers queued and drops those they took", () => {
  const a = new Admission(5, limits({}));
  a.enqueue(run("mine", "m", 2));
  const mark = a.scanStarts();
  a.sync([run("theirs", "m", 1), run("mine", "m", 2), run("later", "m", 3)], mark);
  assert.deepEqual([a.positionFor(1), a.positionFor(2), a.positionFor(3)], [1, 2, 3]);
  assert.equal(a.moduleOf("theirs"), "m");
  // Another server started "theirs": the next scan no longer lists it.
  a.sync([run("mine", "m", 2), run("later", "m", 3)], a.scanStarts());
  assert.equal(a.has("theirs"), false);
  assert.equal(a.positionFor(2), 1);
  assert.equal(a.queuedCount, 2);
});

Deno.test("Admission.sync: a scan never undoes a change made here after it began", () => {
  const a = new Admission(5, limits({}));
  a.enqueue(run("gone", "m", 1));
  const mark = a.scanStarts();
  // While the scan reads the store: "gone" is started here, "fresh" is queued here.
  a.leave("gone");
  a.enqueue(run("fresh", "m", 5));
  a.sync([run("gone", "m", 1)], mark);
  assert.equal(a.has("gone"), false, "not added back");
  assert.equal(a.has("fresh"), true, "kept though the scan missed it");
  // A later scan that misses "fresh" drops it: it is no longer queued anywhere.
  a.sync([], a.scanStarts());
  assert.equal(a.queuedCount, 0);
});

Deno.test("Admission.sync: a run being started or cancelled here keeps its place", () => {
  const a = new Admission(5, limits({}));
  a.enqueue(run("r1", "m", 1));
  a.enqueue(run("r2", "m", 2));
  assert.equal(a.admitNext()?.runId, "r1");
  a.sync([run("r2", "m", 2)], a.scanStarts());
  assert.equal(a.positionFor(2), 2, "r1 leaves only once its move is stored");
  a.leave("r1");
  assert.equal(a.positionFor(2), 1);
});

Deno.test("Admission.admitNext: passes over modules found full on other servers", () => {
  const a = new Admission(5, limits({}));
  a.enqueue(run("r1", "busy", 1));
  a.enqueue(run("r2", "free", 2));
  assert.equal(a.admitNext(new Set(["busy"]))?.runId, "r2");
  assert.equal(a.hasFreeSlot(), true);
});

Deno.test("Admission.sync: a run whose create is not stored yet is never dropped", () => {
  const a = new Admission(5, limits({}));
  a.enqueue(run("slow", "m", 1), true);
  // A later scan that read the index before the create landed.
  a.sync([], a.scanStarts());
  assert.equal(a.has("slow"), true);
  a.created("slow");
  a.sync([], a.scanStarts());
  assert.equal(a.has("slow"), false);
});

Deno.test("Admission.canStartNow: a run of a module found full elsewhere does not block others", () => {
  const a = new Admission(5, limits({}));
  a.enqueue(run("waits", "busy", 1));
  assert.equal(a.canStartNow("other"), false);
  a.noteFull("busy");
  assert.equal(a.canStartNow("other"), true);
  assert.equal(a.canStartNow("busy"), false, "its own module still waits its turn");
});
