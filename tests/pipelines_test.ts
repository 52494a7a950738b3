// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { startServer, type TestServer, waitFor } from "./helpers.ts";
import { PIPELINES, STEP_MODULES } from "./pipelines/fixtures.ts";

const FINAL = ["completed", "failed", "cancelled"];

/** Waits until the pipeline run is final and answers it. */
export async function waitPipeline(server: TestServer, id: string, timeoutMs = 30_000) {
  return await waitFor(
    async () => {
      const { body } = await server.json(`/api/pipeline-runs/${id}`);
      return FINAL.includes(body.status) ? body : null;
    },
    timeoutMs,
    `pipeline run ${id} to end`,
  );
}

const step = (run: any, id: string) => run.steps.find((s: any) => s.step_id === id);

function withServer(name: string, fn: (s: TestServer) => Promise<void>) {
  Deno.test(name, async () => {
    const server = await startServer(STEP_MODULES, {}, { top: { pipelines: PIPELINES } });
    try {
      await fn(server);
    } finally {
      await server.close();
    }
  });
}

withServer("a chain passes a result array through a stdin filter and a scorer", async (s) => {
  const started = await s.post("/api/pipelines/chain/run", { parameters: { count: 4 } });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const run = await waitPipeline(s, started.body.pipeline_run_id);
  assert.equal(run.status, "completed", JSON.stringify(run));
  const last = await s.json(`/api/runs/${step(run, "score").run_id}`);
  assert.deepEqual(
    last.body.result,
    [1, 2, 3, 4].map((id) => ({ id, category: "news", score: "run completed" })),
  );
  assert.equal(last.body.trigger, "pipeline");
  assert.equal(last.body.pipeline_run_id, run.pipeline_run_id);
  assert.equal(last.body.step_id, "score");
  const list = await s.json(`/api/pipeline-runs?pipeline_id=chain`);
  assert.equal(list.body.total, 1);
  const forged = await s.json(`/api/pipeline-runs?cursor=garbage`);
  assert.equal(forged.status, 422, "a cursor this server did not give out is a bad query value");
  assert.equal(forged.body.errors[0].field, "cursor");
  const view = await s.json(`/api/pipelines/chain`);
  assert.equal(view.body.total_runs, 1);
  assert.deepEqual(view.body.steps[2].needs, ["classify"]);
});

withServer("fan-out steps run in parallel and the fan-in sees both", async (s) => {
  const started = await s.post("/api/pipelines/fan/run", {});
  const run = await waitPipeline(s, started.body.pipeline_run_id);
  assert.equal(run.status, "completed", JSON.stringify(run));
  const b = (await s.json(`/api/runs/${step(run, "b").run_id}`)).body.result;
  const c = (await s.json(`/api/runs/${step(run, "c").run_id}`)).body.result;
  assert.ok(b.start < c.end && c.start < b.end, `b and c overlap: ${JSON.stringify([b, c])}`);
  const d = (await s.json(`/api/runs/${step(run, "d").run_id}`)).body.result;
  assert.equal(d.note, "bc");
});

withServer("a failing middle step skips what follows and runs the failure step", async (s) => {
  const started = await s.post("/api/pipelines/broken/run", {});
  const run = await waitPipeline(s, started.body.pipeline_run_id);
  assert.equal(run.status, "failed");
  assert.deepEqual(run.steps.map((x: any) => x.status), [
    "completed",
    "failed",
    "skipped",
    "completed",
  ]);
  assert.equal(step(run, "after").run_id, null);
  // Resume: the completed first step keeps its run; the others run again.
  const resumed = await s.post(`/api/pipeline-runs/${run.pipeline_run_id}/resume`, {});
  assert.equal(resumed.status, 202, JSON.stringify(resumed.body));
  assert.equal(resumed.body.trigger, "resume");
  assert.equal(resumed.body.resumed_from, run.pipeline_run_id);
  const again = await waitPipeline(s, resumed.body.pipeline_run_id);
  assert.equal(step(again, "first").run_id, step(run, "first").run_id);
  assert.notEqual(step(again, "middle").run_id, step(run, "middle").run_id);
  const runs = await s.json(`/api/runs?module_id=note&limit=100`);
  const firsts = runs.body.runs.filter((r: any) => r.step_id === "first");
  assert.equal(firsts.length, 1, "the completed step did not run again");
  const done = await s.request(`/api/pipeline-runs/${run.pipeline_run_id}`, { method: "DELETE" });
  assert.equal(done.status, 409);
  assert.equal((await done.json()).error_code, "PIPELINE_RUN_ALREADY_FINISHED");
});

withServer("a template naming a missing result path fails its step naming it", async (s) => {
  const started = await s.post("/api/pipelines/missing/run", {});
  const run = await waitPipeline(s, started.body.pipeline_run_id);
  assert.equal(run.status, "failed");
  const second = step(run, "second");
  assert.equal(second.status, "failed");
  assert.equal(second.run_id, null);
  assert.match(second.error_message, /steps\.first\.result\.nope\.deeper/);
});

withServer("cancel stops the running step; the pending step never starts", async (s) => {
  const started = await s.post("/api/pipelines/slow/run", {});
  const id = started.body.pipeline_run_id;
  const running = await waitFor(async () => {
    const { body } = await s.json(`/api/pipeline-runs/${id}`);
    return step(body, "nap").status === "running" ? body : null;
  });
  const cancelled = await s.request(`/api/pipeline-runs/${id}`, { method: "DELETE" });
  assert.equal(cancelled.status, 200);
  const body = await cancelled.json();
  assert.equal(body.status, "cancelled");
  assert.equal(step(body, "nap").status, "cancelled");
  assert.equal(step(body, "after").run_id, null);
  // Never started: the contract's status for it is still `pending` (with no run).
  assert.equal(step(body, "after").status, "pending");
  const nap = await s.json(`/api/runs/${step(running, "nap").run_id}`);
  assert.equal(nap.body.status, "cancelled");
  const notes = await s.json(`/api/runs?module_id=note`);
  assert.equal(notes.body.total, 0);
});

withServer("unknown pipelines and runs answer 404 with their codes", async (s) => {
  const a = await s.post("/api/pipelines/nope/run", {});
  assert.equal(a.status, 404);
  assert.equal(a.body.error_code, "PIPELINE_NOT_FOUND");
  const b = await s.json("/api/pipeline-runs/nope");
  assert.equal(b.status, 404);
  assert.equal(b.body.error_code, "PIPELINE_RUN_NOT_FOUND");
  const c = await s.post("/api/pipelines/chain/run", { parameters: { count: "many" } });
  assert.equal(c.status, 422);
});

withServer(
  "a schedule may name a pipeline instead of a module (not both, not neither)",
  async (s) => {
    const both = await s.post("/api/schedules", {
      module_id: "note",
      pipeline_id: "chain",
      cron: "* * * * * *",
    });
    assert.equal(both.status, 422);
    const neither = await s.post("/api/schedules", { cron: "* * * * * *" });
    assert.equal(neither.status, 422);
    const unknown = await s.post("/api/schedules", { pipeline_id: "nope", cron: "* * * * * *" });
    assert.equal(unknown.status, 404);
    const created = await s.post("/api/schedules", {
      pipeline_id: "chain",
      cron: "* * * * * *",
      parameters: { count: 2 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.pipeline_id, "chain");
    assert.equal(created.body.module_id, null);
    const fired = await waitFor(
      async () => {
        const { body } = await s.json("/api/pipeline-runs?pipeline_id=chain");
        return body.pipeline_runs[0];
      },
      10_000,
      "a fire",
    );
    assert.equal(fired.trigger, "schedule");
    assert.equal(fired.parameters.count, 2);
    const del = await s.json(`/api/schedules/${created.body.schedule_id}`, { method: "DELETE" });
    assert.equal(del.status, 200);
  },
);

Deno.test("a finished pipeline run sends pipeline.finished and is counted", async () => {
  const received: { event: string | null; body: any }[] = [];
  const receiver = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      received.push({ event: req.headers.get("x-prismq-event"), body: await req.json() });
      return new Response("ok");
    },
  );
  const s = await startServer(STEP_MODULES, {
    PRISMQ_WEBHOOK_URL: `http://127.0.0.1:${receiver.addr.port}/hook`,
  }, { top: { pipelines: PIPELINES } });
  try {
    const started = await s.post("/api/pipelines/missing/run", {});
    const id = started.body.pipeline_run_id;
    await waitPipeline(s, id);
    const hook = await waitFor(() => received.find((r) => r.event === "pipeline.finished"));
    assert.equal(hook.body.event, "pipeline.finished");
    assert.equal(hook.body.pipeline_run.pipeline_run_id, id);
    assert.equal(hook.body.pipeline_run.status, "failed");
    const metrics = await (await s.request("/metrics")).text();
    assert.match(metrics, /prismq_pipeline_runs_total\{pipeline="missing",status="failed"\} 1/);
  } finally {
    await s.close();
    await receiver.shutdown();
  }
});

withServer("MCP: run_pipeline waits for the pipeline run; get_pipeline_run reads it", async (s) => {
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StreamableHTTPClientTransport } = await import(
    "@modelcontextprotocol/sdk/client/streamableHttp.js"
  );
  const client = new Client({ name: "prismq-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`)));
  try {
    const ran: any = await client.callTool({
      name: "run_pipeline",
      arguments: { pipeline_id: "chain", parameters: { count: 2 }, wait_seconds: 30 },
    });
    assert.equal(ran.isError ?? false, false, JSON.stringify(ran));
    assert.equal(ran.structuredContent.status, "completed");
    const got: any = await client.callTool({
      name: "get_pipeline_run",
      arguments: { pipeline_run_id: ran.structuredContent.pipeline_run_id },
    });
    assert.equal(got.structuredContent.steps.length, 3);
    const bad: any = await client.callTool({
      name: "run_pipeline",
      arguments: { pipeline_id: "x" },
    });
    assert.equal(bad.isError, true);
  } finally {
    await client.close();
  }
});

withServer(
  "CLI: pipelines lists them; pipeline-run -p ... --follow exits with the outcome",
  async (s) => {
    const { cli } = await import("./cli_client.ts");
    const list = await cli(s.url, ["pipelines"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /chain .*sources -> classify -> score/);
    const ok = await cli(s.url, ["pipeline-run", "chain", "-p", "count=2", "--follow"]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /score\s+completed/);
    const bad = await cli(s.url, ["pipeline-run", "broken", "--follow"]);
    assert.equal(bad.code, 1, bad.stderr + bad.stdout);
    assert.match(bad.stdout, /after\s+skipped/);
  },
);

withServer("events stream: pipeline at each change, then end with the final run", async (s) => {
  const started = await s.post("/api/pipelines/chain/run", { parameters: { count: 1 } });
  const res = await s.request(`/api/pipeline-runs/${started.body.pipeline_run_id}/events`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const text = await res.text();
  const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => ({
    event: m[1],
    run: JSON.parse(m[2]),
  }));
  assert.ok(events.filter((e) => e.event === "pipeline").length >= 2, text);
  const end = events[events.length - 1];
  assert.equal(end.event, "end");
  assert.equal(end.run.status, "completed");
});

Deno.test("resume asks again for a password parameter and reuses the others", async () => {
  const pipelines = [{
    id: "secret",
    name: "Secret",
    parameters: [{ name: "key", type: "password", required: true }, {
      name: "note",
      type: "text",
      default: "n",
    }],
    steps: [{ id: "one", module: "fail" }],
  }];
  const s = await startServer(STEP_MODULES, {}, { top: { pipelines } });
  try {
    const started = await s.post("/api/pipelines/secret/run", { parameters: { key: "k1" } });
    assert.equal(started.body.parameters.key, "********");
    const run = await waitPipeline(s, started.body.pipeline_run_id);
    assert.equal(run.status, "failed");
    assert.equal(run.parameters.key, "********", "a final run still shows the password masked");
    const path = `/api/pipeline-runs/${run.pipeline_run_id}/resume`;
    const bare = await s.post(path, {});
    assert.equal(bare.status, 422);
    assert.equal(bare.body.errors[0].field, "key");
    const again = await s.post(path, { parameters: { key: "k2" } });
    assert.equal(again.status, 202, JSON.stringify(again.body));
    assert.equal(again.body.parameters.note, "n");
    const running = await s.post(`/api/pipelines/slow/run`, {});
    assert.equal(running.status, 404); // not in this file
  } finally {
    await s.close();
  }
});
