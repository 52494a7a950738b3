import assert from "node:assert/strict";
import { ApiClient } from "../src/cli/client.ts";
import { followRunLog } from "../src/cli/follow.ts";
import { exitCodeOf } from "../src/cli/watch.ts";
import type { RunView } from "../src/runs/view.ts";

const line = (seq: number) => ({
  seq,
  timestamp: new Date().toISOString(),
  stream: "stdout",
  level: "INFO",
  message: `line ${seq}`,
});
const sse = (seq: number) => `id: ${seq}\ndata: ${JSON.stringify(line(seq))}\n\n`;

Deno.test("follow: a dropped stream is opened again with Last-Event-ID; no line lost or repeated", async () => {
  const asked: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const lastEventId = req.headers.get("last-event-id");
    asked.push(lastEventId);
    const headers = { "content-type": "text/event-stream" };
    if (asked.length === 1) {
      // Lines 1..3, then the connection drops mid-event (no `end`).
      return new Response(sse(1) + sse(2) + sse(3) + "id: 4\ndata: {", { headers });
    }
    if (asked.length === 2) return new Response("", { status: 502 });
    const from = Number(lastEventId) + 1;
    const body = [from, from + 1].map(sse).join("") +
      `event: end\ndata: ${JSON.stringify({ run_id: "r", status: "completed", exit_code: 0 })}\n\n`;
    return new Response(body, { headers });
  });
  try {
    const seen: number[] = [];
    const client = new ApiClient({ url: `http://127.0.0.1:${server.addr.port}`, token: "t" });
    const run = await followRunLog(client, "r", {
      after: 0,
      signal: new AbortController().signal,
      handlers: { line: (l) => void seen.push(l.seq), progress() {}, status() {} },
    });
    assert.equal(run.status, "completed");
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.deepEqual(asked, ["0", "3", "3"]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("the exit code of a followed run: its own, 1 when failed without a usable one, 130 when cancelled", () => {
  const run = (status: string, exit_code: number | null) => ({ status, exit_code }) as RunView;
  assert.equal(exitCodeOf(run("completed", 0)), 0);
  assert.equal(exitCodeOf(run("failed", 3)), 3);
  assert.equal(exitCodeOf(run("failed", 255)), 255);
  assert.equal(exitCodeOf(run("failed", null)), 1);
  assert.equal(exitCodeOf(run("failed", 256)), 1);
  assert.equal(exitCodeOf(run("failed", -9)), 1);
  assert.equal(exitCodeOf(run("failed", 0)), 1);
  assert.equal(exitCodeOf(run("cancelled", null)), 130);
  assert.equal(exitCodeOf(run("cancelled", -15)), 130);
});
