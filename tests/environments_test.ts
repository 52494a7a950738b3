// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { python, startServer, type TestServer, waitFinal, waitFor } from "./helpers.ts";
import { writeImportScript, writeWheel } from "./env_wheels.ts";

/** Builds run pip: seconds each on a loaded machine. */
const BUILD_MS = 120_000;

/** A folder with two versions of a tiny wheel, and pip told to use only it. */
function wheelhouse() {
  const wheels = Deno.makeTempDirSync({ prefix: "prismq-wheels-" });
  writeWheel(wheels, { name: "prismq_probe", version: "1.0", value: "one", python: python() });
  writeWheel(wheels, { name: "prismq_probe", version: "2.0", value: "two", python: python() });
  return { wheels, env: { PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheels } };
}

async function logText(server: TestServer, runId: string): Promise<string[]> {
  const { body } = await server.json(`/api/runs/${runId}/logs?limit=1000`);
  return body.logs.map((l: any) => `${l.stream}: ${l.message}`);
}

async function run(server: TestServer, moduleId: string): Promise<any> {
  const { status, body } = await server.post(`/api/modules/${moduleId}/run`, { parameters: {} });
  assert.equal(status, 202, JSON.stringify(body));
  return body;
}

function envIds(server: TestServer): string[] {
  const root = join(server.settings.dataDir, "envs");
  return existsSync(root) ? [...Deno.readDirSync(root)].map((e) => e.name).sort() : [];
}

Deno.test({
  name: "environments: the child imports its requirement; a file and a list with the same lines " +
    "share one environment; a changed file builds a new one; the sweep deletes the unused one",
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-envs-" });
    const { env } = wheelhouse();
    const script = writeImportScript(dir, "probe", "prismq_probe");
    const reqFile = join(dir, "requirements.txt");
    Deno.writeTextFileSync(reqFile, "# the probe\nprismq_probe==1.0\n");
    const server = await startServer(
      [
        { id: "listed", script, requirements: ["prismq_probe==1.0"], env },
        { id: "filed", script, requirements: reqFile, env },
        { id: "plain", script: "hello.py" },
      ],
      {},
      { dir },
    );
    try {
      assert.equal((await server.json("/api/modules/listed")).body.environment_status, "none");
      assert.equal((await server.json("/api/modules/plain")).body.environment_status, null);
      const first = await waitFinal(server, (await run(server, "listed")).run_id, BUILD_MS);
      assert.equal(first.status, "completed", first.error_message);
      const lines = await logText(server, first.run_id);
      assert.ok(lines.includes("stdout: value=one"), lines.join("\n"));
      assert.ok(lines.some((l) => l.startsWith("system: building environment")), lines.join("\n"));
      assert.ok(lines.some((l) => l.includes("Successfully installed prismq_probe-1.0")));

      const view = (await server.json("/api/modules/listed/environment")).body;
      assert.equal(view.status, "ready");
      assert.match(view.python_version, /^\d+\.\d+\.\d+$/);
      assert.deepEqual(view.packages, [{ name: "prismq_probe", version: "1.0" }]);
      assert.equal(typeof view.build_seconds, "number");
      assert.equal((await server.json("/api/modules/listed")).body.environment_status, "ready");

      // Same lines from a file: the same environment, used at once (no build).
      const second = await waitFinal(server, (await run(server, "filed")).run_id, BUILD_MS);
      assert.equal(second.status, "completed", second.error_message);
      const secondLines = await logText(server, second.run_id);
      assert.ok(
        !secondLines.some((l) => l.includes("building environment")),
        secondLines.join("\n"),
      );
      assert.ok(secondLines.includes("stdout: value=one"));
      assert.equal((await server.json("/api/modules/filed/environment")).body.env_id, view.env_id);
      assert.deepEqual(envIds(server), [view.env_id]);

      // A changed file: a new environment on the next run.
      Deno.writeTextFileSync(reqFile, "prismq_probe==2.0\n");
      const third = await waitFinal(server, (await run(server, "filed")).run_id, BUILD_MS);
      assert.equal(third.status, "completed", third.error_message);
      assert.ok((await logText(server, third.run_id)).includes("stdout: value=two"));
      const changed = (await server.json("/api/modules/filed/environment")).body;
      assert.notEqual(changed.env_id, view.env_id);
      assert.equal(envIds(server).length, 2);

      // "listed" still uses the first: the sweep keeps both; without "listed" it would go.
      await server.runner.services.environments.sweep();
      assert.deepEqual(envIds(server), [view.env_id, changed.env_id].sort());
    } finally {
      await server.close();
    }
    // Restarted without the module that used the first environment: the sweep deletes it.
    const { env: env2 } = wheelhouse();
    const again = await startServer(
      [
        { id: "filed", script, requirements: reqFile, env: env2 },
      ],
      {},
      { dir },
    );
    try {
      await again.runner.services.environments.sweep();
      const kept = (await again.json("/api/modules/filed/environment")).body;
      assert.equal(kept.status, "ready");
      assert.deepEqual(envIds(again), [kept.env_id]);
    } finally {
      await again.close();
    }
  },
});

Deno.test({
  name: "environments: two runs at once build once, the second waits queued for the build",
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-envs-" });
    const { env } = wheelhouse();
    const script = writeImportScript(dir, "probe", "prismq_probe");
    const server = await startServer(
      [
        { id: "one", script, requirements: ["prismq_probe==2.0"], env },
        { id: "two", script, requirements: ["prismq_probe==2.0"], env },
      ],
      {},
      { dir },
    );
    try {
      const a = await run(server, "one");
      const b = await run(server, "two");
      assert.equal(a.status, "running");
      assert.equal(b.status, "queued");
      assert.equal(b.waiting_for, "environment build");
      assert.equal((await server.json("/api/modules/two/environment")).body.status, "building");
      const [fa, fb] = [
        await waitFinal(server, a.run_id, BUILD_MS),
        await waitFinal(server, b.run_id, BUILD_MS),
      ];
      assert.equal(fa.status, "completed", fa.error_message);
      assert.equal(fb.status, "completed", fb.error_message);
      const la = await logText(server, a.run_id);
      const lb = await logText(server, b.run_id);
      assert.equal(la.filter((l) => l.includes("building environment")).length, 1);
      assert.ok(!lb.some((l) => l.includes("building environment")), lb.join("\n"));
      assert.ok(lb.includes("stdout: value=two"));
      assert.ok(Date.parse(fb.started_at) >= Date.parse(fa.started_at));
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "environments: two runs submitted together: one builds, the other waits queued for the " +
    "build, holding no slot",
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-envs-" });
    const { env } = wheelhouse();
    const script = writeImportScript(dir, "probe", "prismq_probe");
    const server = await startServer(
      [
        { id: "one", script, requirements: ["prismq_probe==1.0"], env },
        { id: "two", script, requirements: ["prismq_probe==1.0"], env },
      ],
      {},
      { dir },
    );
    try {
      // Sent together: the second is decided while the first is still being stored.
      const answers = await Promise.all([run(server, "one"), run(server, "two")]);
      const a = answers.find((r) => r.status === "running");
      const b = answers.find((r) => r.status === "queued");
      assert.ok(a && b, `one runs, one waits: ${answers.map((r) => r.status).join(", ")}`);
      assert.equal(b.waiting_for, "environment build");
      const fb = await waitFinal(server, b.run_id, BUILD_MS);
      const fa = await waitFinal(server, a.run_id, BUILD_MS);
      assert.equal(fa.status, "completed", fa.error_message);
      assert.equal(fb.status, "completed", fb.error_message);
      const lb = await logText(server, b.run_id);
      // It never held a slot while the build went on: it started once the environment was ready.
      assert.ok(!lb.some((l) => l.includes("waiting for the build")), lb.join("\n"));
      assert.ok(!lb.some((l) => l.includes("building environment")), lb.join("\n"));
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "environments: a bad requirement fails the run with pip's reason; the next run tries again",
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-envs-" });
    const { env } = wheelhouse();
    const script = writeImportScript(dir, "probe", "prismq_probe");
    const server = await startServer(
      [
        { id: "bad", script, requirements: ["prismq_no_such_package==9.9"], env },
      ],
      {},
      { dir },
    );
    try {
      const first = await waitFinal(server, (await run(server, "bad")).run_id, BUILD_MS);
      assert.equal(first.status, "failed");
      assert.match(first.error_message, /^environment build failed: /);
      assert.match(first.error_message, /prismq_no_such_package/);
      assert.match(first.error_message, /No matching distribution/i);
      const view = (await server.json("/api/modules/bad/environment")).body;
      assert.equal(view.status, "failed");
      assert.match(view.error, /No matching distribution/i);
      assert.equal((await server.json("/api/modules/bad")).body.environment_status, "failed");
      assert.ok(
        !(await logText(server, first.run_id)).some((l) => l.startsWith("system: started")),
      );
      const log = (await server.json("/api/modules/bad/environment/log")).body.lines;
      assert.ok(log.some((l: string) => /No matching distribution/i.test(l)), log.join("\n"));
      const second = await waitFinal(server, (await run(server, "bad")).run_id, BUILD_MS);
      assert.equal(second.status, "failed");
      assert.ok(
        (await logText(server, second.run_id)).some((l) => l.includes("building environment")),
      );
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "environments: the routes build (202), answer ready (200), rebuild, delete; 404 and 409",
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-envs-" });
    const { env } = wheelhouse();
    const script = writeImportScript(dir, "probe", "prismq_probe");
    const server = await startServer(
      [
        { id: "env", script, requirements: ["prismq_probe==1.0"], env },
        { id: "plain", script: "hello.py" },
      ],
      {},
      { dir },
    );
    try {
      assert.equal((await server.json("/api/modules/nope/environment")).status, 404);
      const plain = await server.json("/api/modules/plain/environment");
      assert.equal(plain.status, 409);
      assert.equal(plain.body.error_code, "NO_ENVIRONMENT");
      assert.equal((await server.json("/api/modules/env/environment")).body.status, "none");
      const started = await server.post("/api/modules/env/environment", {});
      assert.equal(started.status, 202);
      assert.equal(started.body.status, "building");
      const ready = await waitFor(
        async () => {
          const { body } = await server.json("/api/modules/env/environment");
          return body.status === "ready" ? body : null;
        },
        BUILD_MS,
        "the build",
      );
      assert.equal((await server.post("/api/modules/env/environment", {})).status, 200);
      const rebuild = await server.post("/api/modules/env/environment", { rebuild: true });
      assert.equal(rebuild.status, 202);
      assert.equal(rebuild.body.status, "building");
      const rebuilt = await waitFor(
        async () => {
          const { body } = await server.json("/api/modules/env/environment");
          return body.status === "ready" ? body : null;
        },
        BUILD_MS,
        "the rebuild",
      );
      assert.notEqual(rebuilt.built_at, ready.built_at);
      // One build folder: the older one went once the new one was complete.
      const builds = [...Deno.readDirSync(join(server.settings.dataDir, "envs", ready.env_id))]
        .filter((e) => e.name.startsWith("b-"));
      assert.equal(builds.length, 1);
      const deleted = await server.json("/api/modules/env/environment", { method: "DELETE" });
      assert.equal(deleted.status, 200);
      assert.equal(typeof deleted.body.message, "string");
      assert.equal((await server.json("/api/modules/env/environment")).body.status, "none");
      assert.deepEqual(envIds(server), []);
    } finally {
      await server.close();
    }
  },
});
