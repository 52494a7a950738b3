import assert from "node:assert/strict";
import { join } from "node:path";
import { python, waitFor, writeModuleFile } from "./helpers.ts";
import { spawnServer } from "./server_process.ts";
import { keys } from "../src/kv/keys.ts";

const MODULES = [
  { id: "text", script: "stdin_text.py", stdin: "input" },
  {
    id: "deaf",
    script: "never_reads.py",
    stdin: "input",
    parameters: [{ name: "seconds", type: "number", default: 30 }],
  },
  { id: "nap", script: "nap.py", parameters: [{ name: "seconds", type: "number", default: 30 }] },
];

async function partsOf(kv: Deno.Kv, runId: string): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: keys.inputPrefix(runId) })) n++;
  return n;
}

function setup(extra: Record<string, string> = {}) {
  const dir = Deno.makeTempDirSync();
  const env = {
    PRISMQ_MODULES: writeModuleFile(dir, MODULES),
    PRISMQ_DATA_DIR: join(dir, "data"),
    PRISMQ_PYTHON: python(),
    PRISMQ_KILL_GRACE_SECONDS: "1",
    ...extra,
  };
  return { dir, env, kvPath: join(dir, "data", "runner.kv") };
}

const post = (url: string, path: string, body: unknown) =>
  fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** 100-byte lines, `bytes` of them at most. */
const lines = (bytes: number) => "x".repeat(99).concat("\n").repeat(Math.floor(bytes / 100));

Deno.test("input parts of a submission killed (SIGKILL) between its parts and its record are swept at the next start", async () => {
  // One slot, taken: the submissions queue, and a queued run's parts are stored before its record.
  const { dir, env, kvPath } = setup({ PRISMQ_MAX_CONCURRENT_RUNS: "1" });
  const first = await spawnServer(env);
  const kv = await Deno.openKv(kvPath);
  let second: Awaited<ReturnType<typeof spawnServer>> | null = null;
  try {
    const napping = await post(first.url, "/api/modules/nap/run", {});
    assert.equal(napping.status, 202);
    await napping.body?.cancel();
    // A run whose submission completes: its marker goes, its input stays through the sweep.
    const kept = await (await post(first.url, "/api/modules/text/run", {
      input: "kept\n".repeat(100_000),
    })).json();
    assert.equal(kept.status, "queued");
    assert.equal(kept.input_bytes, 500_000);
    // 16 MiB: 22 commits of parts, of which the first carries the pending marker. The server is
    // killed as soon as the marker is seen, long before the last part and the record.
    const posting = post(first.url, "/api/modules/text/run", { input: lines(16 << 20) })
      .then((r) => r.body?.cancel()).catch(() => null);
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
    assert.ok(left > 0 && left < 261, `${left} of 261 parts were written`);
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

Deno.test("a run started at once is fed while its input is stored; killed mid-write, its input is gone and a re-run without one is refused", async () => {
  const { dir, env, kvPath } = setup({ PRISMQ_MAX_INPUT_BYTES: String(48 << 20) });
  const first = await spawnServer(env);
  const kv = await Deno.openKv(kvPath);
  let second: Awaited<ReturnType<typeof spawnServer>> | null = null;
  try {
    // Stored whole before the run ends: GET .../input and the final record agree.
    const small = await (await post(first.url, "/api/modules/text/run", {
      input: lines(2 << 20),
    })).json();
    assert.equal(small.status, "running");
    const answer = await fetch(`${first.url}/api/runs/${small.run_id}/input`);
    assert.equal(answer.status, 200, "answered here while (or after) its parts are written");
    assert.equal((await answer.text()).length, small.input_bytes);
    // 48 MiB to a module that never reads it: the record is stored at once, the parts follow.
    const posting = post(first.url, "/api/modules/deaf/run", { input: lines(48 << 20) })
      .then((r) => r.body?.cancel()).catch(() => null);
    const marker = await waitFor(
      async () => {
        for await (const entry of kv.list<number>({ prefix: keys.inputPendingPrefix() })) {
          const id = entry.key[1] as string;
          if (id !== small.run_id && (await kv.get(keys.run(id))).value !== null) return id;
        }
        return null;
      },
      30_000,
      "a stored run whose input is still pending",
    );
    await first.stop("SIGKILL");
    await posting;
    const left = await partsOf(kv, marker);
    assert.ok(left < 781, `${left} of 781 parts were written`);
    second = await spawnServer(env);
    const run = await waitFor(
      async () => {
        const r = await (await fetch(`${second!.url}/api/runs/${marker}`)).json();
        return r.status === "failed" ? r : null;
      },
      30_000,
      "the killed run to be failed by recovery",
    );
    assert.equal(run.input_bytes, Math.floor((48 << 20) / 100) * 100, "input_bytes as given");
    const input = await fetch(`${second.url}/api/runs/${marker}/input`);
    assert.equal(input.status, 404);
    assert.equal((await input.json()).error_code, "INPUT_NOT_FOUND");
    const rerun = await post(second.url, `/api/runs/${marker}/rerun`, {});
    assert.equal(rerun.status, 404);
    const refused = await rerun.json();
    assert.equal(refused.error_code, "INPUT_NOT_FOUND");
    assert.match(refused.detail, /stopped while storing it/);
    const given = await post(second.url, `/api/runs/${marker}/rerun`, { input: "new\n" });
    assert.equal(given.status, 202);
    await given.body?.cancel();
  } finally {
    kv.close();
    await second?.stop("SIGTERM");
    Deno.removeSync(dir, { recursive: true });
  }
});
