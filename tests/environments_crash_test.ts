// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { python, startServer, waitFinal, waitFor, writeModuleFile } from "./helpers.ts";
import { spawnServer } from "./server_process.ts";
import { writeImportScript, writeWheel } from "./env_wheels.ts";

const BUILD_MS = 120_000;

async function api(url: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(
    url + path,
    body === undefined ? {} : {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    },
  );
  return await res.json();
}

/** The build folders of every environment, and whether each is complete. */
function buildFolders(dataDir: string): { dir: string; complete: boolean }[] {
  const root = join(dataDir, "envs");
  if (!existsSync(root)) return [];
  return [...Deno.readDirSync(root)].flatMap((env) =>
    [...Deno.readDirSync(join(root, env.name))].filter((b) => b.name.startsWith("b-")).map((b) => {
      const dir = join(root, env.name, b.name);
      return { dir, complete: existsSync(join(dir, "prismq-env.json")) };
    })
  );
}

Deno.test({
  name: "environments: a server killed mid-build leaves nothing a later run uses; it builds again",
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-envcrash-" });
    const dataDir = join(dir, "data");
    const wheels = Deno.makeTempDirSync({ prefix: "prismq-wheels-" });
    writeWheel(wheels, { name: "prismq_probe", version: "1.0", value: "one", python: python() });
    const script = writeImportScript(dir, "probe", "prismq_probe");
    // pip's find-links page never answers: the build hangs in pip until the server is killed.
    const hung = Promise.withResolvers<void>();
    const stall = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
      await hung.promise;
      return new Response("", { status: 503 });
    });
    const module = (links: string) => ({
      id: "probe",
      script,
      requirements: ["prismq_probe==1.0"],
      env: { PIP_NO_INDEX: "1", PIP_FIND_LINKS: links, PIP_TIMEOUT: "120", PIP_RETRIES: "0" },
    });
    const settings = {
      PRISMQ_MODULES: join(dir, "modules.json"),
      PRISMQ_DATA_DIR: dataDir,
      PRISMQ_PYTHON: python(),
    };
    writeModuleFile(dir, [module(`http://127.0.0.1:${stall.addr.port}/links/`)]);
    const first = await spawnServer(settings);
    let killedRun: string;
    try {
      killedRun = (await api(first.url, "/api/modules/probe/run", { parameters: {} })).run_id;
      await waitFor(
        async () => {
          const { logs } = await api(first.url, `/api/runs/${killedRun}/logs?limit=100`);
          return logs.some((l: any) => l.message.includes("Looking in links"));
        },
        BUILD_MS,
        "pip to start looking for the wheel",
      );
      assert.equal((await api(first.url, "/api/modules/probe/environment")).status, "building");
    } finally {
      await first.stop("SIGKILL");
    }
    const half = buildFolders(dataDir);
    assert.equal(half.length, 1);
    assert.equal(half[0].complete, false, "a killed build has no marker");
    hung.resolve(); // the orphaned pip fails and exits
    await stall.shutdown();

    writeModuleFile(dir, [module(wheels)]);
    const second = await spawnServer(settings);
    try {
      // The unfinished folder went at start; the environment is not ready.
      assert.ok(!existsSync(half[0].dir), "the half-built folder is deleted at start");
      const view = await api(second.url, "/api/modules/probe/environment");
      assert.notEqual(view.status, "ready");
      const lost = await api(second.url, `/api/runs/${killedRun}`);
      assert.equal(lost.status, "failed");
      const runId = (await api(second.url, "/api/modules/probe/run", { parameters: {} })).run_id;
      const final = await waitFor(
        async () => {
          const run = await api(second.url, `/api/runs/${runId}`);
          return ["completed", "failed"].includes(run.status) ? run : null;
        },
        BUILD_MS,
        "the run after the restart",
      );
      assert.equal(final.status, "completed", final.error_message);
      const { logs } = await api(second.url, `/api/runs/${runId}/logs?limit=200`);
      const lines = logs.map((l: any) => l.message);
      assert.ok(lines.some((l: string) => l.startsWith("building environment")), lines.join("\n"));
      assert.ok(lines.includes("value=one"));
      const folders = buildFolders(dataDir);
      assert.equal(folders.length, 1);
      assert.ok(folders[0].complete);
    } finally {
      await second.stop("SIGTERM");
    }
  },
});

Deno.test({
  name: "environments: the build counts toward the run's timeout, and a cancel stops the build",
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-envstop-" });
    const script = writeImportScript(dir, "probe", "prismq_probe");
    const hung = Promise.withResolvers<void>();
    const stall = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
      await hung.promise;
      return new Response("", { status: 503 });
    });
    const env = {
      PIP_NO_INDEX: "1",
      PIP_FIND_LINKS: `http://127.0.0.1:${stall.addr.port}/links/`,
      PIP_TIMEOUT: "120",
      PIP_RETRIES: "0",
    };
    const server = await startServer(
      [
        { id: "slow", script, requirements: ["prismq_probe==1.0"], env, timeout_seconds: 4 },
        { id: "cancelled", script, requirements: ["prismq_probe==3.0"], env },
      ],
      {},
      { dir },
    );
    try {
      const t0 = performance.now();
      const timedOut = (await server.post("/api/modules/slow/run", { parameters: {} })).body;
      const cancelled = (await server.post("/api/modules/cancelled/run", { parameters: {} })).body;
      await waitFor(
        async () => {
          const { body } = await server.json(`/api/runs/${cancelled.run_id}/logs?limit=100`);
          return body.logs.some((l: any) => l.message.includes("Looking in links"));
        },
        BUILD_MS,
        "pip to start",
      );
      const answer = await server.json(`/api/runs/${cancelled.run_id}`, { method: "DELETE" });
      assert.equal(answer.body.status, "cancelled");
      const final = await waitFinal(server, timedOut.run_id, BUILD_MS);
      assert.equal(final.status, "failed");
      assert.equal(final.error_message, "the run timed out after 4 s");
      assert.ok(performance.now() - t0 < 60_000, "the timeout ended the build, not pip");
      // Neither left a build folder; the environments are not ready.
      const root = join(server.settings.dataDir, "envs");
      await waitFor(
        () =>
          [...Deno.readDirSync(root)].every((e) =>
            ![...Deno.readDirSync(join(root, e.name))].some((b) => b.name.startsWith("b-"))
          ),
        10_000,
        "the stopped builds' folders to go",
      );
      assert.equal((await server.json("/api/modules/slow/environment")).body.status, "none");
    } finally {
      hung.resolve();
      await server.close();
      await stall.shutdown();
    }
  },
});
