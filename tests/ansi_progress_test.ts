// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { startServer, waitFinal } from "./helpers.ts";
import { stripAnsi } from "../src/logs/ansi.ts";
import { parseBracketProgress } from "../src/logs/markers.ts";

Deno.test("ANSI sequences are stripped before levels, progress and results are read; [3/50] sets progress; a tqdm bar is INFO", async () => {
  const server = await startServer([{ id: "coloured", script: "coloured.py" }]);
  try {
    const { body: started } = await server.post("/api/modules/coloured/run", {});
    const run = await waitFinal(server, started.run_id);
    assert.equal(run.status, "completed");
    assert.deepEqual(run.result, { colour: "red" });
    assert.equal(run.items_processed, 3);
    assert.equal(run.items_total, 50);
    assert.equal(run.progress_percent, 6);
    assert.equal(run.progress_message, "Extracting metadata");
    const { body } = await server.json(`/api/runs/${run.run_id}/logs`);
    const byMessage = new Map(body.logs.map((l: any) => [l.message, l]));
    assert.ok(!body.logs.some((l: any) => l.message.includes("\x1b")), "no ESC is stored");
    assert.equal((byMessage.get("INFO: starting") as any)?.level, "INFO");
    assert.equal((byMessage.get("WARNING: quota low") as any)?.level, "WARNING");
    assert.equal((byMessage.get("[ERROR] bad response") as any)?.level, "ERROR");
    assert.ok(byMessage.has("cursor moved"));
    assert.ok(byMessage.has("  [3/50] Extracting metadata"), "the progress line is stored");
    const bar = body.logs.find((l: any) => l.message.startsWith("Extracting: 99%|"));
    assert.ok(bar, body.logs.map((l: any) => l.message).join("\n"));
    assert.equal(bar.stream, "stderr");
    assert.equal(bar.level, "INFO", "a progress bar on stderr is INFO");
  } finally {
    await server.close();
  }
});

Deno.test("stripAnsi: CSI, OSC, charset and lone ESC; a line without ESC is the same array", () => {
  const e = new TextEncoder();
  const d = new TextDecoder();
  const plain = e.encode("plain");
  assert.equal(stripAnsi(plain), plain);
  const cases: [string, string][] = [
    ["\x1b[1;31mred\x1b[0m", "red"],
    ["\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"],
    ["\x1b(Bcharset", "charset"],
    ["a\x1b7b\x1b8c", "abc"],
    ["end\x1b", "end"],
    ["\x1b[", ""],
    ["žluťoučký \x1b[32mkůň\x1b[m", "žluťoučký kůň"],
  ];
  for (const [input, want] of cases) assert.equal(d.decode(stripAnsi(e.encode(input))), want);
});

Deno.test("parseBracketProgress: [DONE/TOTAL] after spaces; [0/0] and DONE above TOTAL are not progress", () => {
  const p = (s: string) => parseBracketProgress(new TextEncoder().encode(s));
  assert.deepEqual(p("  [3/50] Extracting metadata"), {
    kind: "progress",
    percent: null,
    done: 3,
    total: 50,
    message: "Extracting metadata",
  });
  assert.equal(p("[0/0] nothing"), null);
  assert.equal(p("[9/5] over"), null);
  assert.equal(p("x [3/50] inside"), null);
  assert.equal(p("[3/50]extra"), null);
  assert.deepEqual((p("[50/50]") as any).done, 50);
});
