// The web UI's SSE client (src/http/ui/client/sse.js) has no DOM, so it runs here in Deno
// against a real server, with connections cut on purpose.
import assert from "node:assert/strict";
import { followLog, SseParser } from "../src/http/ui/client/sse.js";
import { startServer, tickerModule, waitFinal } from "./helpers.ts";

const TICKER = tickerModule(1500, 0.002);

Deno.test("the SSE parser reads events split anywhere, CRLF included, and skips comments", () => {
  const text =
    ': keep-alive\n\nid: 1\ndata: {"seq":1}\n\nevent: status\r\ndata: {"a":\r\ndata: 1}\r\n\r\n';
  for (let size = 1; size <= text.length; size++) {
    const parser = new SseParser();
    const events = [];
    for (let i = 0; i < text.length; i += size) {
      events.push(...parser.push(text.slice(i, i + size)));
    }
    assert.deepEqual(
      events.map((e) => [e.event, e.id, e.data]),
      [["message", "1", '{"seq":1}'], ["status", null, '{"a":\n1}']],
      `chunks of ${size}`,
    );
  }
});

Deno.test("followLog resumes after cut connections with Last-Event-ID: no line lost or doubled", async () => {
  const server = await startServer([TICKER]);
  try {
    const { body: run } = await server.post("/api/modules/ticker/run", { parameters: {} });
    let cuts = 0;
    const resumedAfter: (string | null)[] = [];
    // The first three answers break off after 16 KiB, mid-event, as a dropped network does.
    const cutting = async (path: string, init?: RequestInit) => {
      resumedAfter.push(new Headers(init?.headers).get("last-event-id"));
      const res = await server.request(path, init);
      if (cuts >= 3 || res.body === null) return res;
      cuts++;
      const reader = res.body.getReader();
      let passed = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { value, done } = await reader.read();
          if (done) return controller.close();
          passed += value.length;
          controller.enqueue(passed > 16_384 ? value.subarray(0, 100) : value);
          if (passed > 16_384) {
            await reader.cancel();
            controller.error(new TypeError("connection reset"));
          }
        },
      });
      return new Response(body, res);
    };
    const seqs: number[] = [];
    const events: string[] = [];
    const last = await followLog({
      runId: run.run_id,
      fetch: cutting,
      onLines: (lines) => seqs.push(...lines.map((l) => l.seq)),
      onEvent: (name) => events.push(name),
      retryDelayMs: () => 10,
    });
    const final = await waitFinal(server, run.run_id);
    assert.equal(cuts, 3);
    assert.deepEqual(seqs, Array.from({ length: final.log_lines }, (_, i) => i + 1));
    assert.equal(last, final.log_lines);
    assert.equal(events.at(-1), "end");
    assert.equal(resumedAfter[0], null, "the first request starts at the beginning");
    const resumes = resumedAfter.slice(1).map(Number);
    assert.equal(resumes.length, 3);
    resumes.forEach((after, i) => assert.ok(after > (resumes[i - 1] ?? 0), "each resumes later"));

    // Resuming at the end of a final run: 204, nothing more to send.
    const again: number[] = [];
    const end = await followLog({
      runId: run.run_id,
      fetch: server.request,
      after: last,
      onLines: (lines) => again.push(...lines.map((l) => l.seq)),
      onEvent: () => {},
    });
    assert.deepEqual([end, again], [last, []]);
    await assert.rejects(
      followLog({ runId: "nope", fetch: server.request, onLines() {}, onEvent() {} }),
      /was not found/,
    );
  } finally {
    await server.close();
  }
});
