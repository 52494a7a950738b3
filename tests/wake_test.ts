import assert from "node:assert/strict";
import { KvQueueWake, PollingWake } from "../src/runs/wake.ts";
import { waitFor } from "./helpers.ts";

Deno.test("a KV queue wake-up written with a queued run is delivered, and not after stop", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const wake = new KvQueueWake(kv);
    let calls = 0;
    wake.start(() => calls++);
    const op = kv.atomic().set(["x"], 1);
    wake.attach(op);
    await op.commit();
    await waitFor(() => calls === 1, 5000, "the wake-up");
    wake.stop();
    const op2 = kv.atomic();
    wake.attach(op2);
    await op2.commit();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(calls, 1);
  } finally {
    kv.close();
  }
});

Deno.test("polling wake-ups (for KV Connect, which has no queues) repeat until stopped", async () => {
  const wake = new PollingWake(10);
  let calls = 0;
  wake.attach();
  wake.start(() => calls++);
  await waitFor(() => calls >= 3, 2000, "three polls");
  wake.stop();
  const seen = calls;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(calls, seen);
});

Deno.test("a burst of queued runs arms one KV queue message, not one each", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const wake = new KvQueueWake(kv);
    let calls = 0;
    wake.start(() => calls++);
    // Attached all at once, as a burst of submissions is: a delivery between two awaited commits
    // would rightly arm a second message.
    const ops = Array.from({ length: 20 }, (_, i) => kv.atomic().set(["run", i], i));
    for (const op of ops) wake.attach(op);
    await Promise.all(ops.map((op) => op.commit()));
    await waitFor(() => calls >= 1, 5000, "the wake-up");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(calls, 1);
    // Once delivered, the next queued run arms a new one.
    const op = kv.atomic();
    wake.attach(op);
    await op.commit();
    await waitFor(() => calls === 2, 5000, "the second wake-up");
    wake.stop();
  } finally {
    kv.close();
  }
});
