// deno-lint-ignore-file no-explicit-any -- reads the error code of a rejection
import assert from "node:assert/strict";
import { ScheduleStore } from "../../src/schedules/store.ts";
import { scheduleRecord } from "./schedule_fixture.ts";

Deno.test("ScheduleStore.change: concurrent changes (a fire here, a PATCH elsewhere) all land", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = new ScheduleStore(kv);
    const schedule = scheduleRecord();
    assert.ok(await store.create(schedule));
    assert.ok(!(await store.create(schedule)), "an id is stored once");
    await Promise.all([
      ...Array.from(
        { length: 10 },
        () => store.change("s1", (s) => ({ ...s, skipped_fires: s.skipped_fires + 1 }), false),
      ),
      store.change("s1", (s) => ({ ...s, enabled: false })),
    ]);
    const stored = await store.get("s1");
    assert.equal(stored?.skipped_fires, 10);
    assert.equal(stored?.enabled, false, "the PATCH is not undone by a fire's write");
    assert.equal(await store.change("gone", (s) => s), null);
  } finally {
    kv.close();
  }
});

Deno.test("ScheduleStore: a change or delete that keeps losing its race answers CONFLICT, writing nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const schedule = scheduleRecord({ schedule_id: "s2" });
    assert.ok(await new ScheduleStore(kv).create(schedule));
    // As if another writer landed between every read and write: each checked write fails.
    let tries = 0;
    const losing = new ScheduleStore({
      get: (key: Deno.KvKey) => kv.get(key),
      atomic: () => {
        tries++;
        return kv.atomic().check({ key: ["schedule", "s2"], versionstamp: "0".repeat(20) });
      },
    } as unknown as Deno.Kv);
    await assert.rejects(
      losing.change("s2", (s) => ({ ...s, enabled: false })),
      (err: any) => err.code === "CONFLICT",
    );
    assert.equal(tries, 20, "retried, then given up");
    await assert.rejects(losing.delete("s2"), (err: any) => err.code === "CONFLICT");
    const stored = await new ScheduleStore(kv).get("s2");
    assert.equal(stored?.enabled, true, "nothing of the change was written");
  } finally {
    kv.close();
  }
});
