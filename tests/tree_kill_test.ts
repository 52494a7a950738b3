import assert from "node:assert/strict";
import { processGroupAlive, runStopAction, stopAction } from "../src/process/tree_kill.ts";
import { startServer, waitFinal, waitFor } from "./helpers.ts";

Deno.test({
  name: "the kill command stops a whole process group (the path for a scoped --allow-run)",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const child = new Deno.Command("sh", {
      args: ["-c", "sleep 60 & sleep 60 & wait"],
      detached: true,
      stdout: "null",
      stderr: "null",
    }).spawn();
    assert.equal(processGroupAlive(child.pid), true);
    await runStopAction(stopAction("linux", child.pid, "graceful", true));
    const status = await child.status;
    assert.equal(status.signal, "SIGTERM");
    await waitFor(() => !processGroupAlive(child.pid), 5000, "the group to be gone");
    // A group that is gone is not an error, for signals and for the command.
    await runStopAction(stopAction("linux", child.pid, "kill", false));
    await runStopAction(stopAction("linux", child.pid, "kill", true));
    assert.equal(processGroupAlive(child.pid, "windows"), false);
  },
});

Deno.test({
  name: "a run cancelled right after its 202 stops at the graceful signal, not after the grace",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    // Right after the spawn the process may not lead its group yet (setsid has not run): the
    // group signal then found nobody and the run went on until the forced step (5 of 8 here).
    const server = await startServer([{ id: "sleeper", script: "sleeper.py" }], {
      PRISMQ_KILL_GRACE_SECONDS: "5",
    });
    try {
      for (let i = 0; i < 8; i++) {
        const { body: run } = await server.post("/api/modules/sleeper/run", { parameters: {} });
        const t0 = performance.now();
        assert.equal(
          (await server.json(`/api/runs/${run.run_id}`, { method: "DELETE" })).status,
          200,
        );
        const final = await waitFinal(server, run.run_id);
        const took = performance.now() - t0;
        const { body: page } = await server.json(`/api/runs/${run.run_id}/logs`);
        const lines = page.logs.map((l: { message: string }) => l.message).join(" | ");
        assert.equal(final.status, "cancelled", lines);
        assert.ok(took < 4000, `cancel ${i + 1} took ${Math.round(took)} ms: ${lines}`);
        assert.ok(!lines.includes("still running after"), lines);
      }
    } finally {
      await server.close();
    }
  },
});
