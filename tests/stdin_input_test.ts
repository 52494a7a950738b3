// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  python,
  startServer,
  type TestServer,
  waitFinal,
  waitFor,
  writeModuleFile,
} from "./helpers.ts";
import { spawnServer } from "./server_process.ts";
import { keys } from "../src/kv/keys.ts";

const MODULES = [
  { id: "filter", script: "stdin_filter.py", stdin: "input" },
  { id: "text", script: "stdin_text.py", stdin: "input" },
  {
    id: "deaf",
    script: "never_reads.py",
    stdin: "input",
    parameters: [{ name: "seconds", type: "number", default: 0.3 }],
  },
  { id: "ask", script: "ask.py" },
];

/** A JSON array of at most `bytes` bytes encoded, as PrismQ's IdeaInspiration lists are. */
function ideas(bytes: number): unknown[] {
  const items: unknown[] = [];
  let size = 2; // the brackets
  for (let i = 0;; i++) {
    const item = { id: i, title: `idea number ${i} ${"x".repeat(i % 40)}` };
    const more = JSON.stringify(item).length + (i > 0 ? 1 : 0);
    if (size + more > bytes) return items;
    items.push(item);
    size += more;
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function runToEnd(server: TestServer, path: string, body: unknown): Promise<any> {
  const started = await server.post(path, body);
  assert.equal(started.status, 202, JSON.stringify(started.body).slice(0, 500));
  return await waitFinal(server, started.body.run_id, 60_000);
}

for (const mib of [1, 16]) {
  Deno.test(`a stdin JSON filter enriches an array fed ${mib} MiB; GET input answers it as given`, async () => {
    const server = await startServer(MODULES);
    try {
      const input = ideas(mib * 1024 * 1024);
      const encoded = new TextEncoder().encode(JSON.stringify(input));
      assert.ok(encoded.length <= 16 * 1024 * 1024);
      const run = await runToEnd(server, "/api/modules/filter/run", { input });
      assert.equal(run.status, "completed");
      assert.equal(run.input_bytes, encoded.length);
      assert.equal(run.result.count, input.length);
      assert.equal(run.result.input_bytes, encoded.length);
      assert.equal(run.result.input_sha256, await sha256(encoded));
      assert.equal(run.result.first.category, "short");
      const res = await server.request(`/api/runs/${run.run_id}/input`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.equal(await sha256(new Uint8Array(await res.arrayBuffer())), await sha256(encoded));
    } finally {
      await server.close();
    }
  });
}

Deno.test("a string input is written as UTF-8 text and answered as text/plain", async () => {
  const server = await startServer(MODULES);
  try {
    const text = "první řádek\nsecond line\n";
    const run = await runToEnd(server, "/api/modules/text/run", { input: text });
    assert.equal(run.status, "completed");
    assert.equal(run.result, new TextEncoder().encode(text).length);
    const { body } = await server.json(`/api/runs/${run.run_id}/logs`);
    const messages = body.logs.map((l: any) => l.message);
    assert.ok(messages.includes("got: první řádek"), messages.join("\n"));
    const res = await server.request(`/api/runs/${run.run_id}/input`);
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await res.text(), text);
  } finally {
    await server.close();
  }
});

Deno.test("a child that never reads a 16 MiB input ends normally, and the server answers meanwhile", async () => {
  const server = await startServer(MODULES);
  try {
    const input = "y".repeat(16 * 1024 * 1024);
    const started = await server.post("/api/modules/deaf/run", {
      input,
      parameters: { seconds: 2 },
    });
    assert.equal(started.status, 202);
    const t0 = performance.now();
    const health = await server.json("/api/health");
    assert.equal(health.status, 200);
    assert.ok(performance.now() - t0 < 2000, "the server is not blocked by the pending write");
    const run = await waitFinal(server, started.body.run_id, 30_000);
    assert.equal(run.status, "completed");
    assert.equal(run.exit_code, 0);
  } finally {
    await server.close();
  }
});

Deno.test("stdin none: input() gets end of file; a stdin input module without input too", async () => {
  const server = await startServer(MODULES);
  try {
    const run = await runToEnd(server, "/api/modules/ask/run", {});
    const { body } = await server.json(`/api/runs/${run.run_id}/logs`);
    assert.ok(body.logs.some((l: any) => l.message === "continue? stdin: end of file"));
    const none = await runToEnd(server, "/api/modules/text/run", { input: null });
    assert.equal(none.status, "completed");
    assert.equal(none.input_bytes, null);
    assert.equal(none.result, 0);
    const missing = await server.json(`/api/runs/${none.run_id}/input`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error_code, "INPUT_NOT_FOUND");
  } finally {
    await server.close();
  }
});

Deno.test("413 INPUT_TOO_LARGE past PRISMQ_MAX_INPUT_BYTES (before any 422); 422 for a module without stdin input", async () => {
  const server = await startServer(MODULES, { PRISMQ_MAX_INPUT_BYTES: "1000" });
  try {
    const big = await server.post("/api/modules/text/run", { input: "z".repeat(1001) });
    assert.equal(big.status, 413);
    assert.equal(big.body.error_code, "INPUT_TOO_LARGE");
    const bigJson = await server.post("/api/modules/filter/run", { input: ["z".repeat(998)] });
    assert.equal(bigJson.status, 413, "decided on the encoded JSON: 1002 bytes");
    const bigAndWrong = await server.post("/api/modules/ask/run", {
      input: "z".repeat(1001),
      parameters: { nope: 1 },
    });
    assert.equal(bigAndWrong.status, 413);
    const bigAndMalformed = await server.post("/api/modules/text/run", {
      input: "z".repeat(1001),
      parameters: { nope: [1] },
      save_config: "yes",
    });
    assert.equal(bigAndMalformed.status, 413, "also before the body's own 422");
    assert.equal(bigAndMalformed.body.error_code, "INPUT_TOO_LARGE");
    const wrong = await server.post("/api/modules/ask/run", { input: "hello" });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.body.errors[0].field, "input");
    const fits = await server.post("/api/modules/text/run", { input: "z".repeat(1000) });
    assert.equal(fits.status, 202);
    await waitFinal(server, fits.body.run_id);
  } finally {
    await server.close();
  }
});

Deno.test("an input under PRISMQ_MAX_INPUT_BYTES but over 1 MiB of body answers 422, not 413, for stdin none", async () => {
  const server = await startServer([{ id: "ask", script: "ask.py" }]);
  try {
    const input = "\u0001".repeat(400_000); // 2.4 MB of JSON body, 400 kB encoded
    const run = await server.post("/api/modules/ask/run", { input });
    assert.equal(run.status, 422, JSON.stringify(run.body).slice(0, 300));
    assert.equal(run.body.errors[0].field, "input");
    const schedule = await server.post("/api/schedules", {
      module_id: "ask",
      cron: "0 0 1 1 *",
      input,
    });
    assert.equal(schedule.status, 422, JSON.stringify(schedule.body).slice(0, 300));
    assert.equal(schedule.body.errors[0].field, "input");
  } finally {
    await server.close();
  }
});

Deno.test("the request body limit grows with PRISMQ_MAX_INPUT_BYTES: a 2 MiB input is taken", async () => {
  const server = await startServer(MODULES);
  try {
    const run = await runToEnd(server, "/api/modules/text/run", {
      input: "\u0001".repeat(2 << 20),
    });
    assert.equal(run.status, "completed");
    assert.equal(run.input_bytes, 2 << 20);
    const other = await server.request("/api/modules/text/config", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ parameters: {}, pad: "x".repeat(2 << 20) }),
    });
    assert.equal(other.status, 413, "other routes keep the 1 MiB limit");
    await other.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("a re-run reuses the input unless a new one is given; null gives none", async () => {
  const server = await startServer(MODULES);
  try {
    const first = await runToEnd(server, "/api/modules/text/run", { input: "one\n" });
    const again = await runToEnd(server, `/api/runs/${first.run_id}/rerun`, {});
    assert.equal(again.input_bytes, 4);
    assert.equal(await (await server.request(`/api/runs/${again.run_id}/input`)).text(), "one\n");
    const other = await runToEnd(server, `/api/runs/${first.run_id}/rerun`, { input: "two!!\n" });
    assert.equal(other.result, 6);
    const none = await runToEnd(server, `/api/runs/${first.run_id}/rerun`, { input: null });
    assert.equal(none.input_bytes, null);
  } finally {
    await server.close();
  }
});

Deno.test("the retention sweep deletes a run's input with it", async () => {
  const server = await startServer(MODULES);
  try {
    const run = await runToEnd(server, "/api/modules/text/run", { input: "x".repeat(200_000) });
    const kv = server.runner.kv;
    const parts = async () => {
      let n = 0;
      for await (const _ of kv.list({ prefix: keys.inputPrefix(run.run_id) })) n++;
      return n;
    };
    assert.equal(await parts(), 4);
    const { sweepExpiredRuns } = await import("../src/runs/retention.ts");
    const { InputStore } = await import("../src/runs/input.ts");
    const s = server.runner.services;
    await sweepExpiredRuns(
      { store: s.store, logs: s.logs, inputs: new InputStore(kv) },
      Date.now() + 1000,
    );
    assert.equal(await parts(), 0);
    assert.equal((await server.json(`/api/runs/${run.run_id}`)).status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("a queued run keeps its input across a SIGKILL restart", async () => {
  const dir = Deno.makeTempDirSync();
  const modules = writeModuleFile(dir, [
    ...MODULES,
    { id: "nap", script: "nap.py", parameters: [{ name: "seconds", type: "number", default: 1 }] },
  ]);
  const env = {
    PRISMQ_MODULES: modules,
    PRISMQ_DATA_DIR: join(dir, "data"),
    PRISMQ_PYTHON: python(),
    PRISMQ_KILL_GRACE_SECONDS: "1",
    PRISMQ_MAX_CONCURRENT_RUNS: "1",
  };
  const post = async (url: string, path: string, body: unknown) =>
    await (await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    })).json();
  const first = await spawnServer(env);
  const input = ideas(300_000);
  const running = await post(first.url, "/api/modules/nap/run", { parameters: { seconds: 30 } });
  const queued = await post(first.url, "/api/modules/filter/run", { input });
  assert.equal(running.status, "running");
  assert.equal(queued.status, "queued");
  await first.stop("SIGKILL");
  const second = await spawnServer(env);
  try {
    const run = await waitFor(
      async () => {
        const r = await (await fetch(`${second.url}/api/runs/${queued.run_id}`)).json();
        return r.status === "completed" || r.status === "failed" ? r : null;
      },
      30_000,
      "the queued filter run to end",
    );
    assert.equal(run.status, "completed");
    assert.equal(run.result.count, input.length);
    const encoded = new TextEncoder().encode(JSON.stringify(input));
    assert.equal(run.result.input_sha256, await sha256(encoded));
  } finally {
    await second.stop("SIGTERM");
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a schedule carries an input to each fire; PATCH changes it, null removes it; 422 for stdin none", async () => {
  const server = await startServer(MODULES);
  try {
    const wrong = await server.post("/api/schedules", {
      module_id: "ask",
      cron: "* * * * * *",
      input: "hi",
    });
    assert.equal(wrong.status, 422);
    const created = await server.post("/api/schedules", {
      module_id: "text",
      cron: "* * * * * *",
      input: "scheduled\n",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.input_bytes, 10);
    const id = created.body.schedule_id;
    const fired = await waitFor(
      async () => {
        const { body } = await server.json(`/api/runs?trigger=schedule`);
        const done = body.runs.find((r: any) => r.status === "completed");
        return done ?? null;
      },
      15_000,
      "a fire to complete",
    );
    assert.equal(fired.input_bytes, 10);
    assert.equal(
      await (await server.request(`/api/runs/${fired.run_id}/input`)).text(),
      "scheduled\n",
    );
    const patched = await server.json(`/api/schedules/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: { changed: true } }),
    });
    assert.equal(patched.body.input_bytes, 16);
    assert.equal(patched.body.input_type, "json");
    // A refused change leaves no input version behind: only the patched one is stored.
    const refused = await server.json(`/api/schedules/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "never stored", cron: "0 0 31 2 *" }),
    });
    assert.equal(refused.status, 422);
    const prefix = keys.scheduleInputPrefix(id);
    const versions = new Set<unknown>();
    for await (const e of server.runner.kv.list({ prefix })) versions.add(e.key[prefix.length]);
    assert.equal(versions.size, 1, "the refused change's input is not kept");
    const cleared = await server.json(`/api/schedules/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: null, enabled: false }),
    });
    assert.equal(cleared.body.input_bytes, null);
    let left = 0;
    for await (const _ of server.runner.kv.list({ prefix: keys.scheduleInputPrefix(id) })) left++;
    assert.equal(left, 0, "old versions are deleted");
  } finally {
    await server.close();
  }
});
