import assert from "node:assert/strict";
import { processGroupAlive, runStopAction, stopAction } from "../src/process/tree_kill.ts";
import { waitFor } from "./helpers.ts";

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
