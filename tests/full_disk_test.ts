// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { cannotMount, mountSmallDisk } from "./disk.ts";
import { python, startServer, waitFinal, waitFor, writeModuleFile } from "./helpers.ts";
import { runServerToExit } from "./server_process.ts";

if (cannotMount) console.warn(`full-disk tests skipped: ${cannotMount}`);

const MODULES = [
  { id: "echo", script: "echo_args.py" },
  {
    id: "flood",
    script: "flood.py",
    parameters: [{ name: "go", type: "text" }, { name: "mb", type: "number" }],
  },
  { id: "nap", script: "nap.py", parameters: [{ name: "seconds", type: "number" }] },
];

Deno.test({
  name:
    "full disk: runs still end, submissions answer 507, nothing answers 500; space returns and all is stored, without a restart",
  ignore: cannotMount !== null,
  fn: async () => {
    const disk = mountSmallDisk("8m");
    const outside = Deno.makeTempDirSync({ prefix: "prismq-test-" });
    const go = join(outside, "go");
    const server = await startServer(MODULES, {}, { dir: disk.path });
    try {
      const first = await server.post("/api/modules/echo/run", {});
      assert.equal((await waitFinal(server, first.body.run_id)).status, "completed");
      // Two runs going when the disk fills: one about to print 4 MB, one asleep.
      const flood = (await server.post("/api/modules/flood/run", { parameters: { go, mb: 4 } }))
        .body;
      const nap = (await server.post("/api/modules/nap/run", { parameters: { seconds: 60 } })).body;
      await waitFor(async () =>
        (await server.json(`/api/runs/${flood.run_id}/logs`)).body.logs.some((l: any) =>
          l.message === "waiting"
        )
      );
      disk.fill();
      Deno.writeTextFileSync(go, "");

      // The flood run ends as soon as its process does, with what could not be stored said.
      const ended = await waitFinal(server, flood.run_id, 30_000);
      assert.equal(ended.status, "completed");
      const whileFull = (await server.json(`/api/runs/${flood.run_id}/logs?tail=5`)).body;
      assert.equal(whileFull.truncated, true);
      const stored = async (runId: string) =>
        (await server.runner.kv.get<any>(["run", runId])).value?.status;
      assert.equal(await stored(flood.run_id), "running", "its final record waits for space");
      // While the disk is full: a submission is 507, a cancel works, nothing answers 500.
      const refused = await server.post("/api/modules/echo/run", {});
      assert.equal(refused.status, 507);
      assert.equal(refused.body.error_code, "STORAGE_FULL");
      const t0 = performance.now();
      const cancelled = await server.json(`/api/runs/${nap.run_id}`, { method: "DELETE" });
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.status, "cancelled");
      assert.ok(performance.now() - t0 < 3000, `cancel took ${performance.now() - t0} ms`);
      const again = await server.json(`/api/runs/${flood.run_id}`, { method: "DELETE" });
      assert.equal(again.status, 409);
      for (
        const path of [
          "/api/health",
          "/api/runs",
          `/api/runs/${flood.run_id}`,
          `/api/runs/${flood.run_id}/logs?tail=5`,
          "/api/modules",
        ]
      ) {
        assert.equal((await server.json(path)).status, 200, path);
      }

      // Space returns: the waiting records land, the log says what is missing, runs run again.
      disk.free();
      await waitFor(
        async () =>
          await stored(flood.run_id) === "completed" && await stored(nap.run_id) === "cancelled",
        10_000,
        "the final records to be stored",
      );
      const record = (await server.runner.kv.get<any>(["run", flood.run_id])).value;
      assert.equal(record.log_truncated, true);
      const logs = (await server.json(`/api/runs/${flood.run_id}/logs?tail=20`)).body;
      assert.equal(logs.truncated, true);
      const notice = logs.logs.find((l: any) =>
        l.stream === "system" && /could not be stored because the disk was full/.test(l.message)
      );
      assert.ok(notice, JSON.stringify(logs.logs.map((l: any) => l.message)));
      assert.equal(logs.total_lines, record.log_lines);
      const after = await server.post("/api/modules/echo/run", {});
      assert.equal(after.status, 202);
      assert.equal((await waitFinal(server, after.body.run_id)).status, "completed");
    } finally {
      await server.close();
      disk.unmount();
    }
  },
});

Deno.test({
  name: "starting on a full disk prints one line and exits non-zero",
  ignore: cannotMount !== null,
  fn: async () => {
    const disk = mountSmallDisk("2m");
    try {
      const env = {
        PRISMQ_MODULES: writeModuleFile(Deno.makeTempDirSync(), [MODULES[0]]),
        PRISMQ_PYTHON: python(),
      };
      // A data dir with a store, made while there was space.
      const used = join(disk.path, "used");
      const server = await startServer([MODULES[0]], { PRISMQ_DATA_DIR: used });
      await server.close();
      disk.fill();
      for (const dataDir of [used, join(disk.path, "new")]) {
        // Filled again: space a closed store gives back late (its KV's files) is taken too.
        disk.fill();
        const out = await runServerToExit({ ...env, PRISMQ_DATA_DIR: dataDir });
        assert.notEqual(out.code, 0, out.stdout);
        const lines = out.stderr.trim().split("\n");
        assert.equal(lines.length, 1, out.stderr);
        assert.match(lines[0], /^error: the disk of PRISMQ_DATA_DIR=.* is full/);
      }
    } finally {
      disk.unmount();
    }
  },
});
