// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { SseReader } from "./sse_client.ts";
import { startServer, type TestServer, waitFinal, waitFor } from "./helpers.ts";
import { rawRequest } from "./raw_http.ts";

const MODULES = [
  { id: "levels", script: "levels.py" },
  {
    id: "reporter",
    script: "reporter.py",
    parameters: [{ name: "wait", type: "text", default: "" }],
  },
];

async function logs(server: TestServer, runId: string, query = "") {
  return (await server.json(`/api/runs/${runId}/logs?limit=1000${query}`)).body;
}

Deno.test("every line has a level from Python logging's shapes; running text keeps the stream's default", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/modules/levels/run", {});
    await waitFinal(server, body.run_id);
    const page = await logs(server, body.run_id);
    const byMessage = new Map(page.logs.map((l: any) => [l.message, l.level]));
    assert.equal(byMessage.get("DEBUG:root:details"), "DEBUG");
    assert.equal(byMessage.get("INFO:collector:started"), "INFO");
    assert.equal(
      byMessage.get("2026-12-03 10:00:00,123 - youtube - WARNING - quota low"),
      "WARNING",
    );
    assert.equal(byMessage.get("[error] bad response"), "ERROR");
    assert.equal(byMessage.get("<CRITICAL> out of memory"), "CRITICAL");
    assert.equal(byMessage.get("0 errors found"), "INFO", "running text on stdout is INFO");
    assert.equal(byMessage.get("an error occurred while parsing"), "INFO");
    assert.equal(byMessage.get("plain text on stderr"), "ERROR", "stderr defaults to ERROR");
    assert.equal(byMessage.get("WARN: deprecated option"), "WARNING", "a named level wins");
    assert.ok(
      page.logs.filter((l: any) => l.stream === "system").every((l: any) => l.level === "INFO"),
    );

    const warnings = await logs(server, body.run_id, "&level=WARNING");
    assert.deepEqual(warnings.logs.map((l: any) => l.level).sort(), [
      "CRITICAL",
      "ERROR",
      "ERROR",
      "WARNING",
      "WARNING",
    ]);
    assert.equal(warnings.next_after, page.total_lines, "the filter looked at every line");
    const tail = await logs(server, body.run_id, "&level=ERROR&tail=2");
    assert.deepEqual(
      tail.logs.map((l: any) => l.message),
      [
        "plain text on stderr",
        "<CRITICAL> out of memory",
      ].sort((a, b) =>
        page.logs.findIndex((l: any) => l.message === a) -
        page.logs.findIndex((l: any) => l.message === b)
      ),
    );
    const bad = await server.json(`/api/runs/${body.run_id}/logs?level=LOUD`);
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, "level");
  } finally {
    await server.close();
  }
});

Deno.test("progress, a tqdm bar, a result and artifacts: live while running, kept after a restart", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
  const gate = join(dir, "go");
  let server = await startServer(MODULES, {}, { dir });
  let runId: string;
  try {
    const { body } = await server.post("/api/modules/reporter/run", { parameters: { wait: gate } });
    runId = body.run_id;
    const stream = new SseReader(await server.request(`/api/runs/${runId}/logs/stream`));
    // While it waits at the gate, its ::progress lines are already read.
    const running = await waitFor(
      async () => {
        const run = (await server.json(`/api/runs/${runId}`)).body;
        return run.items_processed === 3 ? run : null;
      },
      10_000,
      "the ::progress lines",
    );
    assert.equal(running.status, "running");
    assert.equal(running.items_total, 10);
    assert.equal(running.progress_percent, 30, "DONE/TOTAL sets floor(100 × DONE / TOTAL)");
    assert.equal(running.progress_message, "fetching items");
    assert.equal(running.result, null);
    assert.equal(running.artifacts, null, "counted once final");
    Deno.writeTextFileSync(gate, "");

    const events = await stream.all();
    const progress = events.filter((e) => e.event === "progress").map((e) => JSON.parse(e.data));
    assert.ok(progress.length >= 2, `${progress.length} progress events`);
    // 100 updates drawn over about a second: at most 10 a second reach a follower (plus the
    // two ::progress lines and the last state); without the throttle it gets one per update.
    assert.ok(progress.length <= 20, `${progress.length}: at most 10 progress events a second`);
    assert.deepEqual(progress.at(-1), {
      progress_percent: 100,
      items_processed: 100,
      items_total: 100,
      progress_message: "Work",
    });
    assert.equal(events.at(-1)!.event, "end");
    const endIndex = events.length - 1;
    const lastProgress = events.findLastIndex((e) => e.event === "progress");
    assert.ok(lastProgress < endIndex, "the last progress comes before end");

    const run = await waitFinal(server, runId);
    assert.equal(run.status, "completed");
    assert.deepEqual(run.result, { title: "Zürich ☃", items: 3 }, "the last valid result wins");
    assert.equal(run.progress_percent, 100);
    assert.equal(run.artifacts, 2, "two files; a link (inside or out) is not an artifact");

    const page = await logs(server, runId);
    const bar = page.logs.filter((l: any) => /%\|/.test(l.message));
    assert.ok(bar.length >= 1 && bar.length <= 2, `${bar.length} stored bar lines`);
    assert.match(bar.at(-1).message, /100\/100/);
    const ignored = page.logs.filter((l: any) =>
      /::result ignored: not valid JSON/.test(l.message)
    );
    assert.equal(ignored.length, 1);
    assert.equal(ignored[0].stream, "system");
    assert.ok(page.logs.some((l: any) => l.message === "::result {not json"), "kept as a line");
  } finally {
    await server.close();
  }
  server = await startServer(MODULES, {}, { dir });
  try {
    const after = (await server.json(`/api/runs/${runId}`)).body;
    assert.deepEqual(after.result, { title: "Zürich ☃", items: 3 });
    assert.equal(after.items_processed, 100);
    assert.equal(after.progress_message, "Work");
    assert.equal(after.artifacts, 2);
  } finally {
    await server.close();
  }
});

Deno.test("artifacts are listed and downloaded; names that leave the folder are 404 ARTIFACT_NOT_FOUND", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/modules/reporter/run", {});
    const runId = body.run_id;
    await waitFinal(server, runId);
    const list = await server.json(`/api/runs/${runId}/artifacts`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.artifacts.map((a: any) => a.name), [
      "sub/deep/data.csv",
      "summary.json",
    ]);
    assert.equal(list.body.next_cursor, null);
    assert.equal(list.body.artifacts.find((a: any) => a.name === "sub/deep/data.csv").size, 8);
    assert.match(list.body.artifacts[0].modified_at, /Z$/);

    const csv = await server.request(`/api/runs/${runId}/artifacts/sub/deep/data.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type")!, /^text\/csv/);
    assert.match(
      csv.headers.get("content-disposition")!,
      /^attachment; filename\*=UTF-8''data\.csv/,
    );
    assert.equal(await csv.text(), "a,b\n1,2\n");
    const json = await server.request(`/api/runs/${runId}/artifacts/summary.json`);
    assert.match(json.headers.get("content-type")!, /^application\/json/);
    assert.deepEqual(await json.json(), { ok: true });
    const encodedSlash = await server.request(`/api/runs/${runId}/artifacts/sub%2Fdeep%2Fdata.csv`);
    assert.equal(encodedSlash.status, 200);
    await encodedSlash.body?.cancel();

    const port = new URL(server.url).port;
    for (
      const name of [
        "escape",
        "inside-link.json",
        "../../runner.kv",
        "..%2F..%2Frunner.kv",
        "%2e%2e/%2e%2e/runner.kv",
        "sub/../../x",
        "%2Fetc%2Fhostname",
        "nope.txt",
        "sub",
      ]
    ) {
      // Raw, so that nothing normalises the dots before the server sees them.
      const res = await rawRequest(server.url, {
        path: `/api/runs/${runId}/artifacts/${name}`,
        headers: { host: `127.0.0.1:${port}` },
      });
      assert.equal(res.status, 404, name);
      assert.equal(JSON.parse(res.body).error_code, "ARTIFACT_NOT_FOUND", name);
    }
    const unknownRun = await server.json(`/api/runs/zzzzzzzzzzzzzzzz/artifacts`);
    assert.equal(unknownRun.body.error_code, "RUN_NOT_FOUND");

    // Retention deletes the run with its folder and its result.
    const folder = join(server.settings.dataDir, "artifacts", runId);
    assert.ok(Deno.statSync(folder).isDirectory);
    const deleted = await server.runner.retention.sweep(Date.now() + 365 * 24 * 3600e3);
    assert.equal(deleted, 1);
    assert.throws(() => Deno.statSync(folder), Deno.errors.NotFound);
    const leftover = server.runner.kv.list({ prefix: ["result", runId] });
    for await (const _ of leftover) assert.fail("the result outlived its run");
  } finally {
    await server.close();
  }
});
