import assert from "node:assert/strict";
import { join } from "node:path";
import { python, waitFor, writeModuleFile } from "./helpers.ts";
import { spawnServer } from "./server_process.ts";
import { keys } from "../src/kv/keys.ts";

const MODULES = [{ id: "text", script: "stdin_text.py", stdin: "input" }];

async function partsOf(kv: Deno.Kv, runId: string): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: keys.inputPrefix(runId) })) n++;
  return n;
}

Deno.test("input parts of a submission killed (SIGKILL) between its parts and its record are swept at the next start", async () => {
  const dir = Deno.makeTempDirSync();
  const env = {
    PRISMQ_MODULES: writeModuleFile(dir, MODULES),
    PRISMQ_DATA_DIR: join(dir, "data"),
    PRISMQ_PYTHON: python(),
    PRISMQ_KILL_GRACE_SECONDS: "1",
  };
  const first = await spawnServer(env);
  const kv = await Deno.openKv(join(dir, "data", "runner.kv"));
  let second: Awaited<ReturnType<typeof spawnServer>> | null = null;
  try {
    // A run whose submission completes: its marker goes, its input stays through the sweep.
    const kept = await (await fetch(`${first.url}/api/modules/text/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "kept\n".repeat(100_000) }),
    })).json();
    assert.equal(kept.input_bytes, 500_000);
    // 16 MiB: 22 commits of parts, of which the first carries the pending marker. The server is
    // killed as soon as the marker is seen, long before the last part and the record.
    const posting = fetch(`${first.url}/api/modules/text/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "x".repeat(99).concat("\n").repeat(167_772) }),
    }).catch(() => null);
    const marker = await waitFor(
      async () => {
        for await (const entry of kv.list<number>({ prefix: keys.inputPendingPrefix() })) {
          if (entry.key[1] !== kept.run_id) return entry;
        }
        return null;
      },
      30_000,
      "a pending-input marker",
    );
    await first.stop("SIGKILL");
    await posting;
    const orphan = marker.key[1] as string;
    assert.equal((await kv.get(keys.run(orphan))).value, null, "no record was stored");
    const left = await partsOf(kv, orphan);
    assert.ok(left > 0 && left < 267, `${left} of 267 parts were written`);
    // A marker younger than the grace (one hour) is left alone: its submission may be under
    // way on another server. Made old, as if the grace had passed.
    await kv.set(marker.key, Date.now() - 2 * 3600 * 1000);
    second = await spawnServer(env);
    await waitFor(
      async () => (await partsOf(kv, orphan)) === 0 ? true : null,
      30_000,
      "the orphaned parts to be swept",
    );
    await waitFor(
      async () => (await kv.get(marker.key)).value === null ? true : null,
      10_000,
      "the marker to be dropped",
    );
    const input = await fetch(`${second.url}/api/runs/${kept.run_id}/input`);
    assert.equal(input.status, 200);
    assert.equal((await input.text()).length, 500_000, "a stored run's input is kept");
    assert.equal((await kv.get(keys.inputPending(kept.run_id))).value, null);
  } finally {
    kv.close();
    await second?.stop("SIGTERM");
    Deno.removeSync(dir, { recursive: true });
  }
});
