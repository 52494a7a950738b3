// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { pidAlive, startServer, waitFinal, waitFor } from "./helpers.ts";

const MODULES = [{ id: "leftover", script: "leftover.py" }];

Deno.test({
  name: "children left in the run's process group are stopped when it exits, and counted",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const server = await startServer(MODULES);
    let away = 0;
    try {
      const { body } = await server.post("/api/modules/leftover/run", {});
      const run = await waitFinal(server, body.run_id);
      assert.equal(run.status, "completed");
      const logs = (await server.json(`/api/runs/${body.run_id}/logs`)).body.logs;
      const pids = (pattern: RegExp) =>
        logs.flatMap((l: any) => {
          const m = pattern.exec(l.message);
          return m ? [Number(m[1])] : [];
        });
      const inGroup = pids(/^in group (\d+)$/);
      away = pids(/^left the group (\d+)$/)[0];
      assert.equal(inGroup.length, 3);
      const system = logs.filter((l: any) => l.stream === "system").map((l: any) => l.message);
      const exited = system.findIndex((m: string) => m === "process exited with code 0");
      const counted = system.findIndex((m: string) =>
        /^3 processes are still in the run's process group after it exited: sending SIGTERM/
          .test(m)
      );
      assert.ok(exited !== -1 && counted > exited, system.join("\n"));
      // One of them ignores SIGTERM: the kill after the grace period (1 s here) ends it.
      assert.ok(
        system.some((m: string) => /still running after 1 s grace: sending SIGKILL/.test(m)),
      );
      // Killed, they may be zombies for a moment until the system reaps them.
      await waitFor(() => inGroup.every((pid: number) => !pidAlive(pid)), 3000, "no survivor");
      // One that left the group with setsid is out of reach, as the README says.
      assert.equal(pidAlive(away), true);
    } finally {
      if (away) Deno.kill(away, "SIGKILL");
      await server.close();
    }
  },
});
