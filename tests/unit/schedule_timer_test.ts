import assert from "node:assert/strict";
import { ScheduleTimer } from "../../src/schedules/timer.ts";
import type { ScheduleStore } from "../../src/schedules/store.ts";
import type { ScheduleRecord } from "../../src/schedules/model.ts";
import { scheduleRecord } from "./schedule_fixture.ts";

const record = (changes: Partial<ScheduleRecord>) =>
  scheduleRecord({ cron: "0 0 * * *", overlap: "skip", ...changes });

/** A store whose listing of every schedule answers only when the test says so. */
const stamps = new WeakMap<ScheduleRecord, string>();

function heldStore() {
  let version = 0;
  let held = Promise.withResolvers<ScheduleRecord[]>();
  const store = {
    version: () => Promise.resolve(String(version)),
    all: () => held.promise,
    stampOf: (r: ScheduleRecord) => stamps.get(r) ?? null,
  } as unknown as ScheduleStore;
  return {
    store,
    bump: () => version++,
    answer: (records: ScheduleRecord[]) => {
      held.resolve(records);
      held = Promise.withResolvers<ScheduleRecord[]>();
    },
  };
}

const runs = {
  submit: () => Promise.reject(new Error("no fires")),
  record: () => Promise.resolve(null),
};

Deno.test("of two versions taken in out of order, the older never replaces the newer", async () => {
  const { store, answer } = heldStore();
  const timer = new ScheduleTimer(store, runs);
  const starting = timer.start();
  await new Promise((r) => setTimeout(r, 0));
  answer([]);
  await starting;
  try {
    const newer = record({ enabled: false });
    const older = record({ cron: "5 4 * * *" });
    stamps.set(newer, "00000000000000020000");
    stamps.set(older, "00000000000000010000");
    // The answers of two concurrent PATCHes: the later write's came back first.
    timer.set(newer);
    timer.set(older);
    assert.equal(timer.nextDueAt("s1"), null, "the newer version (disabled) stays");
  } finally {
    await timer.stop();
  }
});

Deno.test("a refresh that read the store before a change made here does not undo it", async () => {
  const { store, bump, answer } = heldStore();
  const timer = new ScheduleTimer(store, runs);
  const starting = timer.start();
  await new Promise((r) => setTimeout(r, 0));
  answer([record({})]);
  await starting;
  try {
    assert.notEqual(timer.nextDueAt("s1"), null);
    // Another server changed something: the refresh reads every schedule, slowly.
    bump();
    const refreshing = timer.refresh();
    await new Promise((r) => setTimeout(r, 0));
    // Meanwhile a PATCH here disabled s1 and created s2.
    timer.set(record({ enabled: false, updated_at: 2 }));
    timer.set(record({ schedule_id: "s2", updated_at: 2 }));
    // The refresh's read was taken before both.
    answer([record({ cron: "5 0 * * *", updated_at: 1 })]);
    await refreshing;
    assert.equal(timer.nextDueAt("s1"), null, "the disabled schedule stays disabled");
    assert.notEqual(timer.nextDueAt("s2"), null, "the new schedule is kept");
    // A later refresh that reads them takes the store's state again.
    bump();
    const again = timer.refresh();
    await new Promise((r) => setTimeout(r, 0));
    answer([record({ enabled: true, cron: "5 0 * * *", updated_at: 3 })]);
    await again;
    assert.notEqual(timer.nextDueAt("s1"), null);
    assert.equal(timer.nextDueAt("s2"), null, "deleted elsewhere");
  } finally {
    await timer.stop();
  }
});
