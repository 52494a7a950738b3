// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { keys } from "../src/kv/keys.ts";
import { SseReader } from "./sse_client.ts";
import { startServer, type TestServer, waitFinal, waitFor } from "./helpers.ts";

const MODULES = [{
  id: "deep",
  script: "deep_result.py",
  parameters: [{ name: "depth", type: "number", default: 10 }],
}];

async function runDeep(server: TestServer, depth: number): Promise<any> {
  const { body } = await server.post("/api/modules/deep/run", { parameters: { depth } });
  return await waitFinal(server, body.run_id);
}

async function systemLines(server: TestServer, runId: string): Promise<any[]> {
  const page = (await server.json(`/api/runs/${runId}/logs?limit=1000`)).body;
  return page.logs;
}

Deno.test("a ::result nested deeper than 64 levels is refused like invalid JSON; 64 is kept", async () => {
  const server = await startServer(MODULES);
  try {
    const ok = await runDeep(server, 64);
    assert.equal(JSON.stringify(ok.result), "[".repeat(64) + "]".repeat(64));
    for (const depth of [65, 10_000]) {
      const run = await runDeep(server, depth);
      assert.equal(run.status, "completed");
      assert.equal(run.result, null, `depth ${depth}: result unchanged`);
      assert.equal(run.result_bytes, undefined);
      const lines = await systemLines(server, run.run_id);
      const why = lines.filter((l) => l.stream === "system" && /::result ignored/.test(l.message));
      assert.equal(why.length, 1);
      assert.match(why[0].message, /not valid JSON \(nested deeper than 64 levels\)/);
      assert.ok(
        lines.some((l) => l.stream === "stdout" && l.message.startsWith("::result [[[")),
        "the line itself is kept",
      );
    }
  } finally {
    await server.close();
  }
});

/** A webhook receiver that answers `status()` and keeps the bodies. */
function receiver(status: () => number) {
  const bodies: any[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    bodies.push(JSON.parse(await req.text()));
    return new Response(null, { status: status() });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    bodies,
    close: () => server.shutdown(),
  };
}

Deno.test("stored records that cannot be shown: list, get, SSE and webhook answer the rest", async () => {
  let accept = false;
  const hook = receiver(() => accept ? 200 : 500);
  const env = { PRISMQ_WEBHOOK_URL: hook.url };
  let server = await startServer(MODULES, env);
  const { dir, settings } = server;
  let deep: any, garbled: any, broken: any, fine: any;
  try {
    fine = await runDeep(server, 3);
    garbled = await runDeep(server, 3);
    broken = await runDeep(server, 3);
    deep = await runDeep(server, 3);
    // Every delivery has failed once: its retry waits in the KV queue over the restart.
    const runIds = [fine, garbled, broken, deep].map((r) => r.run_id);
    await waitFor(
      () => runIds.every((id) => hook.bodies.some((b) => b.run.run_id === id)),
      20_000,
      "a first try of each delivery",
    );
  } finally {
    await server.close();
  }
  // What an older version, a bug or a hand could have stored, under the 64 KiB of a result.
  const kv = await Deno.openKv(settings.kvPath);
  try {
    const text = new TextEncoder().encode("[".repeat(30_000) + "]".repeat(30_000));
    await kv.set(keys.resultPart(deep.run_id, 0), text.subarray(0, 63 * 1024));
    await kv.set(keys.resultPart(deep.run_id, 1), text.subarray(63 * 1024));
    await kv.set(keys.resultPart(garbled.run_id, 0), new TextEncoder().encode("{not json"));
    await kv.set(keys.run(broken.run_id), { run_id: broken.run_id, status: 42 });
  } finally {
    kv.close();
  }
  accept = true;
  const sent = hook.bodies.length;
  server = await startServer(MODULES, env, { dir });
  try {
    const one = await server.json(`/api/runs/${deep.run_id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.result, null, "a result nested too deep is shown as null");
    assert.equal((await server.json(`/api/runs/${garbled.run_id}`)).body.result, null);
    assert.equal((await server.json(`/api/runs/${broken.run_id}`)).status, 404);

    for (const query of ["", "?module_id=deep", "?status=completed", "?trigger=api"]) {
      const list = await server.json(`/api/runs${query}`);
      assert.equal(list.status, 200, `GET /api/runs${query}`);
      assert.deepEqual(
        list.body.runs.map((r: any) => r.run_id).sort(),
        [fine.run_id, garbled.run_id, deep.run_id].sort(),
        "every run that can be shown",
      );
    }

    const res = await server.request(`/api/runs/${deep.run_id}/logs/stream`);
    assert.equal(res.status, 200);
    const events = await new SseReader(res).all();
    const end = events.find((e) => e.event === "end");
    assert.ok(end, "the stream ends with its end event");
    assert.equal(JSON.parse(end.data).result, null);

    // The retried delivery of the deep run, made by this server.
    const delivered = await waitFor(
      () => hook.bodies.slice(sent).find((b) => b.run.run_id === deep.run_id),
      45_000,
      "the retried delivery of the deep run",
    );
    assert.equal(delivered.run.result, null);
  } finally {
    await server.close();
    await hook.close();
  }
});
