import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { settlesWithin } from "../../src/timing.ts";

Deno.test("settlesWithin: true when the work settles in time (also by rejecting), false after ms", async () => {
  assert.equal(await settlesWithin(delay(5), 1000), true);
  assert.equal(await settlesWithin(Promise.reject(new Error("no")), 1000), true);
  const never = new Promise(() => {});
  const t0 = performance.now();
  assert.equal(await settlesWithin(never, 30), false);
  assert.ok(performance.now() - t0 >= 25);
});
