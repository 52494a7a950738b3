// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { startServer, waitFinal, waitFor } from "./helpers.ts";
import { SseReader } from "./sse_client.ts";

const MODULES = [
  {
    id: "ticker",
    script: "ticker.py",
    parameters: [{ name: "lines", type: "number", default: 3000 }, {
      name: "pause",
      type: "number",
      default: 0.001,
    }],
  },
  { id: "nap", script: "nap.py", parameters: [{ name: "seconds", type: "number", default: 1 }] },
];

function lineEvents(events: { event: string; id: string | null; data: string }[]) {
  return events.filter((e) => e.event === "message").map((e) => ({
    id: Number(e.id),
    line: JSON.parse(e.data),
  }));
}

Deno.test("a chatty run streamed live end to end: seq 1..N without gaps or duplicates, status and end events, closed by the server", async () => {
  const server = await startServer(MODULES);
  try {
    const { body: run } = await server.post("/api/modules/ticker/run", {
      parameters: { lines: 3000, pause: 0.001 },
    });
    const res = await server.request(`/api/runs/${run.run_id}/logs/stream`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /text\/event-stream/);
    const events = await new SseReader(res).all();
    const lines = lineEvents(events);
    const final = await waitFinal(server, run.run_id);
    assert.equal(lines.length, final.log_lines);
    assert.deepEqual(lines.map((l) => l.id), lines.map((_, i) => i + 1));
    assert.deepEqual(lines.map((l) => l.line.seq), lines.map((l) => l.id));
    const ticks = lines.filter((l) => l.line.stream === "stdout").map((l) => l.line.message);
    assert.deepEqual(ticks, Array.from({ length: 3000 }, (_, i) => `tick ${i + 1}`));
    const statuses = events.filter((e) => e.event === "status").map((e) =>
      JSON.parse(e.data).status
    );
    assert.equal(statuses.at(-1), "completed");
    assert.equal(events.at(-1)!.event, "end");
    assert.equal(JSON.parse(events.at(-1)!.data).status, "completed");
  } finally {
    await server.close();
  }
});

Deno.test("reconnecting with Last-Event-ID K resumes at K+1; ?after works the same; a finished run replays and ends", async () => {
  const server = await startServer(MODULES);
  try {
    const { body: run } = await server.post("/api/modules/ticker/run", {
      parameters: { lines: 500 },
    });
    const final = await waitFinal(server, run.run_id);
    const replay = lineEvents(
      await new SseReader(await server.request(`/api/runs/${run.run_id}/logs/stream`)).all(),
    );
    assert.equal(replay.length, final.log_lines);
    const resumed = lineEvents(
      await new SseReader(
        await server.request(`/api/runs/${run.run_id}/logs/stream`, {
          headers: { "Last-Event-ID": "200" },
        }),
      ).all(),
    );
    assert.equal(resumed[0].id, 201);
    assert.deepEqual(resumed.map((l) => l.line), replay.slice(200).map((l) => l.line));
    const viaQuery = lineEvents(
      await new SseReader(await server.request(`/api/runs/${run.run_id}/logs/stream?after=450`))
        .all(),
    );
    assert.equal(viaQuery[0].id, 451);
    const bad = await server.request(`/api/runs/${run.run_id}/logs/stream`, {
      headers: { "Last-Event-ID": "x" },
    });
    assert.equal(bad.status, 422);
    await bad.body?.cancel();
    const missing = await server.json(`/api/runs/nope/logs/stream`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error_code, "RUN_NOT_FOUND");
  } finally {
    await server.close();
  }
});

Deno.test("a live stream reconnected mid-run with Last-Event-ID misses nothing and repeats nothing", async () => {
  const server = await startServer(MODULES);
  try {
    const { body: run } = await server.post("/api/modules/ticker/run", {
      parameters: { lines: 2000, pause: 0.002 },
    });
    const first = new SseReader(await server.request(`/api/runs/${run.run_id}/logs/stream`));
    const got: any[] = [];
    while (got.length < 300) {
      const e = await first.next();
      if (e?.event === "message") got.push({ id: Number(e.id), line: JSON.parse(e.data) });
    }
    await first.cancel();
    const rest = lineEvents(
      await new SseReader(
        await server.request(`/api/runs/${run.run_id}/logs/stream`, {
          headers: { "Last-Event-ID": String(got.at(-1).id) },
        }),
      ).all(),
    );
    const all = [...got, ...rest];
    assert.deepEqual(all.map((l) => l.id), all.map((_, i) => i + 1));
    const final = await waitFinal(server, run.run_id);
    assert.equal(all.length, final.log_lines);
  } finally {
    await server.close();
  }
});

Deno.test("a queued run streams its status events and waits; a disconnecting client leaves nothing behind", async () => {
  const server = await startServer(MODULES, { PRISMQ_MAX_CONCURRENT_RUNS: "1" });
  try {
    const blocker =
      (await server.post("/api/modules/nap/run", { parameters: { seconds: 0.5 } })).body;
    const queued =
      (await server.post("/api/modules/nap/run", { parameters: { seconds: 0.1 } })).body;
    assert.equal(queued.status, "queued");
    const reader = new SseReader(await server.request(`/api/runs/${queued.run_id}/logs/stream`));
    const statuses: string[] = [];
    for (;;) {
      const e = await reader.next();
      assert.ok(e, "stream ended early");
      if (e.event === "status") statuses.push(JSON.parse(e.data).status);
      if (e.event === "end") break;
    }
    assert.deepEqual(statuses, ["queued", "running", "completed"]);
    assert.equal(await reader.next(), null);
    await waitFinal(server, blocker.run_id);

    // A client that goes away mid-stream: the sanitizers check nothing is left open.
    const long = (await server.post("/api/modules/nap/run", { parameters: { seconds: 5 } })).body;
    const leaving = new SseReader(await server.request(`/api/runs/${long.run_id}/logs/stream`));
    await leaving.next();
    await leaving.cancel();
    await server.json(`/api/runs/${long.run_id}`, { method: "DELETE" });
  } finally {
    await server.close();
  }
});

Deno.test("shutdown with an open stream completes within the grace period", async () => {
  const server = await startServer(MODULES);
  const { body: run } = await server.post("/api/modules/nap/run", { parameters: { seconds: 30 } });
  const reader = new SseReader(await server.request(`/api/runs/${run.run_id}/logs/stream`));
  await waitFor(async () => (await reader.next())?.event === "message");
  const t0 = performance.now();
  const [rest] = await Promise.all([reader.all(), server.close()]);
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < 1000 + 2000, `shutdown took ${elapsed} ms`);
  assert.equal(rest.at(-1)?.event, "end");
  assert.equal(JSON.parse(rest.at(-1)!.data).status, "cancelled");
});

Deno.test("a follower that lags past its backlog falls back to KV and still gets every line once", async () => {
  const { followRun } = await import("../src/runs/follow.ts");
  const server = await startServer(MODULES);
  try {
    const { body: run } = await server.post("/api/modules/ticker/run", {
      parameters: { lines: 3000, pause: 0.001 },
    });
    const { services } = server.runner;
    const record = (await services.runs.record(run.run_id))!;
    const never = new AbortController();
    const events = followRun(services, {
      record,
      after: 0,
      clientGone: never.signal,
      shutdown: never.signal,
      backlog: { lines: 50, bytes: 4096 },
    });
    const seqs: number[] = [];
    // Read up to the first line (the follower is then subscribed to the live output), then
    // stall while the run prints thousands of lines.
    for (;;) {
      const { value } = await events.next();
      if (value?.kind === "line") {
        seqs.push(value.line.seq);
        break;
      }
    }
    await waitFinal(server, run.run_id);
    for await (const event of events) {
      if (event.kind === "line") seqs.push(event.line.seq);
    }
    const final = (await server.json(`/api/runs/${run.run_id}`)).body;
    assert.deepEqual(seqs, Array.from({ length: final.log_lines }, (_, i) => i + 1));
  } finally {
    await server.close();
  }
});

Deno.test("an idle stream gets keep-alive comments", async () => {
  const server = await startServer(MODULES, {}, { runner: { sseKeepAliveMs: 50 } });
  try {
    const { body: run } = await server.post("/api/modules/nap/run", {
      parameters: { seconds: 30 },
    });
    const res = await server.request(`/api/runs/${run.run_id}/logs/stream`);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes(": keep-alive\n\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    assert.match(text, /: keep-alive\n\n/);
    await reader.cancel();
    await server.json(`/api/runs/${run.run_id}`, { method: "DELETE" });
  } finally {
    await server.close();
  }
});
