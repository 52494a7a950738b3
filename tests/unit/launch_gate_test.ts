import assert from "node:assert/strict";
import { untilAnswered } from "../../src/runs/launch.ts";

/** True when `promise` settles before `ms` milliseconds pass. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("untilAnswered waits for the answer to be sent, not for a timer", async () => {
  const sent = Promise.withResolvers<void>();
  const gate = untilAnswered(sent.promise);
  // Well past one event-loop turn, the gate still waits for the answer.
  assert.equal(await settlesWithin(gate, 50), false);
  sent.resolve();
  assert.equal(await settlesWithin(gate, 500), true);
});

Deno.test("untilAnswered opens when the answer failed (a client that went away)", async () => {
  const sent = Promise.withResolvers<void>();
  const gate = untilAnswered(sent.promise);
  sent.reject(new Error("connection reset"));
  assert.equal(await settlesWithin(gate, 500), true);
});

Deno.test("untilAnswered without an answer to wait for opens after one turn of the event loop", async () => {
  let turned = false;
  const gate = untilAnswered(undefined).then(() => turned);
  // Microtasks queued now run before the gate opens: it yields to the event loop.
  queueMicrotask(() => turned = true);
  assert.equal(await gate, true);
});

Deno.test("untilAnswered opens within about a second when the answer never settles", async () => {
  const t0 = performance.now();
  await untilAnswered(new Promise(() => {}));
  const waited = performance.now() - t0;
  assert.ok(waited >= 900 && waited < 5000, `waited ${waited} ms`);
});
