import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, waitFinal } from "./helpers.ts";
import { pickedRunId } from "../src/runs/picked_id.ts";

const module = {
  id: "append",
  script: "append_id.py",
  parameters: [{ name: "file", type: "text", required: true }],
};

Deno.test("a picked run id makes a submission idempotent, across servers sharing one store", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-picked-" });
  const kvPath = join(dir, "shared.kv");
  const file = join(dir, "ids.txt");
  const a = await startServer([module], { PRISMQ_KV_PATH: kvPath, PRISMQ_HOST_ID: "a" });
  const b = await startServer([module], { PRISMQ_KV_PATH: kvPath, PRISMQ_HOST_ID: "b" });
  try {
    const request = (runId: string) => ({
      moduleId: "append",
      parameters: { file },
      saveConfig: false,
      runId,
    });
    const runIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const runId = await pickedRunId("test", String(i));
      runIds.push(runId);
      const answers = await Promise.all([
        a.runner.services.runs.submitRequest(request(runId)),
        b.runner.services.runs.submitRequest(request(runId)),
        a.runner.services.runs.submitRequest(request(runId)),
      ]);
      for (const answer of answers) assert.equal(answer.run_id, runId);
      await waitFinal(a, runId);
      // Asked again once it ended: the same run, not a second one.
      const again = await b.runner.services.runs.submitRequest(request(runId));
      assert.equal(again.run_id, runId);
      assert.equal(again.status, "completed");
    }
    const ids = Deno.readTextFileSync(file).trim().split("\n").map((l) => l.split(" ")[0]);
    assert.deepEqual(ids.sort(), runIds.sort());
  } finally {
    await a.close();
    await b.close();
  }
});
