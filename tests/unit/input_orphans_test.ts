import assert from "node:assert/strict";
import { keys } from "../../src/kv/keys.ts";
import { InputStore } from "../../src/runs/input.ts";
import { sweepOrphanInputs } from "../../src/runs/input_orphans.ts";
import { newRunRecord } from "../../src/runs/model.ts";
import { RunStore } from "../../src/runs/store.ts";

Deno.test("sweepOrphanInputs: parts with no record past the grace go; young markers and stored runs' parts stay", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const inputs = new InputStore(kv);
    const store = new RunStore(kv);
    const bytes = new Uint8Array(200_000).fill(65);
    const now = 10_000_000;
    const write = (id: string, at: number) =>
      inputs.write((p) => keys.inputPart(id, p), bytes, (op) => op.set(keys.inputPending(id), at));
    await write("orphan00000000001", now - 3_700_000);
    await write("young000000000001", now - 60_000);
    await write("stored0000000001", now - 3_700_000);
    const record = newRunRecord({
      run_id: "stored0000000001",
      module_id: "m",
      module_name: "M",
      parameters: {},
      secret_parameters: [],
      order: 1,
      created_at: now,
      startsOn: null,
      input: { bytes: bytes.length, type: "text" },
    });
    assert.ok(await store.create(record));
    const swept = await sweepOrphanInputs({ kv, inputs, store }, { now });
    assert.deepEqual(swept, ["orphan00000000001"]);
    const count = async (id: string) => {
      let n = 0;
      for await (const _ of kv.list({ prefix: keys.inputPrefix(id) })) n++;
      return n;
    };
    assert.equal(await count("orphan00000000001"), 0);
    assert.equal(await count("young000000000001"), 4, "a young marker's parts may be in flight");
    assert.equal(await count("stored0000000001"), 4, "a stored run owns its parts");
    const markers: unknown[] = [];
    for await (const e of kv.list({ prefix: keys.inputPendingPrefix() })) markers.push(e.key[1]);
    assert.deepEqual(markers, ["young000000000001"]);
  } finally {
    kv.close();
  }
});
