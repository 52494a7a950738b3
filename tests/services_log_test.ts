// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { startServer, waitFor } from "./helpers.ts";
import { SseReader } from "./sse_client.ts";

const LIMIT = 20_000;

Deno.test({
  name: "services: a service run's log rolls past PRISMQ_LOG_MAX_BYTES, keeping the newest lines",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = await startServer([{
      id: "chatty",
      script: "service_worker.py",
      command: ["{python}", "{script}", "--worker-id", "{replica}", "{params}"],
      parameters: [{ name: "burst", type: "number", default: 600 }],
      service: {},
    }, {
      id: "once",
      script: "service_worker.py",
      command: ["{python}", "{script}", "--worker-id", "0", "{params}"],
      parameters: [{ name: "burst", type: "number", default: 600 }],
    }], { PRISMQ_LOG_MAX_BYTES: String(LIMIT) });
    try {
      const started = await server.post("/api/services/chatty/start", {});
      const runId = started.body.replicas[0].run_id;
      // The burst (600 lines, about 26 KB stored) and then a slow line twice a second.
      const page = await waitFor(
        async () => {
          const p = (await server.json(`/api/runs/${runId}/logs?after=0&limit=1000`)).body;
          return p.truncated && p.logs.some((l: any) => l.message.startsWith("worker 1 item 2"))
            ? p
            : null;
        },
        20_000,
        "a rolled log with slow lines after the burst",
      ).catch(async (err) => {
        const p = (await server.json(`/api/runs/${runId}/logs?after=0&limit=1000`)).body;
        console.log("RUN", JSON.stringify((await server.json(`/api/runs/${runId}`)).body));
        console.log(
          "PAGE",
          JSON.stringify({ ...p, logs: p.logs.slice(0, 3).concat(p.logs.slice(-3)) }),
        );
        throw err;
      });
      const seqs = page.logs.map((l: any) => l.seq);
      const first = seqs[0];
      assert.ok(first > 1, "the oldest lines are gone");
      seqs.forEach((s: number, i: number) => assert.equal(s, first + i, "one unbroken range"));
      const notice = page.logs.find((l: any) =>
        /lines dropped from the start so far/.test(l.message)
      );
      assert.ok(notice, "a system line says lines were dropped");
      assert.equal(notice.stream, "system");
      const dropped = Number(/\((\d+) lines dropped/.exec(notice.message)![1]);
      assert.ok(dropped > 0 && dropped < notice.seq);
      assert.equal(page.total_lines, seqs[seqs.length - 1]);
      assert.ok(page.logs.some((l: any) => l.message.startsWith("burst line 600 ")));
      const stored = page.logs.reduce((n: number, l: any) => n + 13 + l.message.length + 1, 0);
      assert.ok(stored < LIMIT + 8192, `kept about ${stored} bytes`);

      const download = await (await server.request(`/api/runs/${runId}/logs/download`)).text();
      assert.ok(!download.includes("burst line 1 "), "the download holds the kept lines only");
      assert.ok(download.includes("burst line 600 "));

      const sse = new SseReader(
        await server.request(`/api/runs/${runId}/logs/stream`, {
          headers: { "Last-Event-ID": "1" },
        }),
      );
      let firstEvent = (await sse.next())!;
      while (firstEvent.id === null) firstEvent = (await sse.next())!;
      assert.equal(
        Number(firstEvent.id),
        first,
        "SSE from before the kept lines starts at the first",
      );
      await sse.cancel();

      const stopped = await server.post("/api/services/chatty/stop", {});
      assert.equal(stopped.status, 200);
      const run = (await server.json(`/api/runs/${runId}`)).body;
      const last = (await server.json(`/api/runs/${runId}/logs?tail=1`)).body;
      assert.equal(run.log_lines, last.total_lines, "log_lines counts every line written");
      assert.equal(last.logs[0].seq, run.log_lines);

      // Other runs stop at the limit as before: output dropped, the first lines kept.
      const once = await server.post("/api/modules/once/run", {});
      const onceLogs = await waitFor(
        async () => {
          const p = (await server.json(`/api/runs/${once.body.run_id}/logs?after=0&limit=5`)).body;
          // Truncated is known from the writer's count before its first chunk is stored.
          return p.truncated && p.logs.length > 0 ? p : null;
        },
        20_000,
        "the ordinary run's log to reach its limit",
      );
      assert.equal(onceLogs.logs[0].seq, 1);
      await server.json(`/api/runs/${once.body.run_id}`, { method: "DELETE" });
    } finally {
      await server.close();
    }
  },
});
