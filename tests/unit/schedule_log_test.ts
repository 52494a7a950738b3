import assert from "node:assert/strict";
import { ScheduleStore } from "../../src/schedules/store.ts";
import { ScheduleTimer } from "../../src/schedules/timer.ts";
import { scheduleRecord } from "./schedule_fixture.ts";

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("a fire refused again and again is counted each time and logged once", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = new ScheduleStore(kv);
  const logged: string[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => logged.push(args.join(" "));
  const timer = new ScheduleTimer(store, {
    submit: () => Promise.reject(new Error("The queue is full.")),
    record: () => Promise.resolve(null),
  });
  try {
    const schedule = scheduleRecord({ cron: "* * * * * *" });
    assert.ok(await store.create(schedule));
    await timer.start();
    await waitFor(async () => (await store.get("s1"))!.refused_fires >= 3, 10_000, "3 refusals");
    const lines = logged.filter((l) => l.includes("fire refused"));
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0], /schedule s1: fire refused: The queue is full\./);
  } finally {
    await timer.stop();
    console.error = error;
    kv.close();
  }
});
