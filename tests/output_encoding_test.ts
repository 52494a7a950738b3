// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { startServer, waitFinal } from "./helpers.ts";

const bytes = { name: "hex", type: "text" };
const MODULES = [
  { id: "cp1252", script: "code_page.py", output_encoding: "windows-1252", parameters: [bytes] },
  { id: "cp850", script: "code_page.py", output_encoding: "cp850", parameters: [bytes] },
  { id: "sjis", script: "code_page.py", output_encoding: "shift_jis", parameters: [bytes] },
  { id: "raw", script: "code_page.py", parameters: [bytes] },
];

Deno.test("output_encoding: stdout and stderr are decoded with the module's encoding", async () => {
  const server = await startServer(MODULES);
  try {
    const run = async (id: string, hex: string) => {
      const { body } = await server.post(`/api/modules/${id}/run`, { parameters: { hex } });
      assert.equal((await waitFinal(server, body.run_id)).status, "completed");
      const logs = (await server.json(`/api/runs/${body.run_id}/logs`)).body.logs;
      const of = (stream: string) => logs.find((l: any) => l.stream === stream)?.message;
      return [of("stdout"), of("stderr")];
    };
    assert.deepEqual(await run("cp1252", "636166e9"), ["café", "café"]);
    assert.deepEqual(await run("cp850", "63616682209b"), ["café ø", "café ø"]);
    assert.deepEqual(await run("sjis", "93fa967b"), ["日本", "日本"]);
    // The default is UTF-8: a byte that is not is replaced, never fatal.
    assert.deepEqual(await run("raw", "636166e9"), ["caf\uFFFD", "caf\uFFFD"]);
    const view = (await server.json("/api/modules/cp850")).body;
    assert.equal(view.output_encoding, "cp850");
  } finally {
    await server.close();
  }
});
