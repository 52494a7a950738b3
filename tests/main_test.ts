import assert from "node:assert/strict";
import { join } from "node:path";
import { python, waitFor, writeModuleFile } from "./helpers.ts";
import { runServerToExit, spawnServer } from "./server_process.ts";

function goodEnv(dir: string): Record<string, string> {
  return {
    PRISMQ_MODULES: writeModuleFile(dir, [{ id: "echo", script: "echo_args.py" }]),
    PRISMQ_DATA_DIR: join(dir, "data"),
    PRISMQ_PYTHON: python(),
  };
}

/** The one line the server printed on stderr. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  return lines[0];
}

Deno.test("bad settings stop the server with one line naming the setting", async () => {
  const dir = Deno.makeTempDirSync();
  const cases: [Record<string, string>, RegExp][] = [
    [{ PRISMQ_PORT: "abc" }, /PRISMQ_PORT/],
    [{ PRISMQ_PORT: "70000" }, /PRISMQ_PORT/],
    [{ PRISMQ_MAX_CONCURRENT_RUNS: "0" }, /PRISMQ_MAX_CONCURRENT_RUNS/],
    [{ PRISMQ_KILL_GRACE_SECONDS: "soon" }, /PRISMQ_KILL_GRACE_SECONDS/],
    [{ PRISMQ_LOG_MAX_BYTES: "1e6" }, /PRISMQ_LOG_MAX_BYTES/],
    [{ PRISMQ_MODULES: join(dir, "missing.json") }, /PRISMQ_MODULES.*not found/],
  ];
  for (const [env, pattern] of cases) {
    const out = await runServerToExit({ ...goodEnv(dir), ...env });
    assert.notEqual(out.code, 0, JSON.stringify(env));
    assert.match(oneLine(out.stderr), pattern);
    assert.doesNotMatch(out.stderr, /at .*\.ts:\d+/, "no stack trace");
  }
  const unknownFlag = await runServerToExit(goodEnv(dir), ["--colour", "red"]);
  assert.notEqual(unknownFlag.code, 0);
  assert.match(oneLine(unknownFlag.stderr), /--colour/);
});

Deno.test("a broken module file is refused at start naming the module and the field", async () => {
  const dir = Deno.makeTempDirSync();
  const path = join(dir, "broken.json");
  const cases: [unknown, RegExp][] = [
    [{
      modules: [{ id: "a", name: "A", description: "", category: "", script_path: "a.py" }, {
        id: "a",
        name: "B",
        description: "",
        category: "",
        script_path: "b.py",
      }],
    }, /"a".*id.*duplicate/],
    [{
      modules: [{
        id: "b",
        name: "B",
        description: "",
        category: "",
        script_path: "b.py",
        parameters: [{ name: "x", type: "slider" }],
      }],
    }, /"b".*parameters\[0\]\.type/],
    [{ modules: [{ id: "c", name: "C", description: "", category: "" }] }, /"c".*script_path/],
    ["not json at all", /not valid JSON/],
  ];
  for (const [content, pattern] of cases) {
    Deno.writeTextFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    const out = await runServerToExit({ ...goodEnv(dir), PRISMQ_MODULES: path });
    assert.notEqual(out.code, 0);
    assert.match(oneLine(out.stderr), pattern);
  }
});

Deno.test("listening line shows the real port; a port in use is named; CLI flags override the environment", async () => {
  const dir = Deno.makeTempDirSync();
  const server = await spawnServer(goodEnv(dir));
  try {
    const port = Number(new URL(server.url).port);
    assert.ok(port > 0);
    assert.match(server.output(), new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`));
    const res = await fetch(`${server.url}/api/health`);
    assert.equal((await res.json()).status, "healthy");
    // A second server on the same port and another data dir is refused before it does anything.
    const taken = await runServerToExit({
      ...goodEnv(Deno.makeTempDirSync()),
      PRISMQ_PORT: String(port),
    });
    assert.notEqual(taken.code, 0);
    assert.match(oneLine(taken.stderr), /PRISMQ_PORT.*in use/);
    const viaFlag = await runServerToExit(
      { ...goodEnv(Deno.makeTempDirSync()), PRISMQ_PORT: "0" },
      [
        "--port",
        String(port),
      ],
    );
    assert.match(oneLine(viaFlag.stderr), new RegExp(`PRISMQ_PORT=${port}`));
  } finally {
    assert.equal((await server.stop("SIGTERM")).code, 0);
  }
});

Deno.test("with narrowed permission flags the server names the flag that is missing", async () => {
  const dir = Deno.makeTempDirSync();
  const env = goodEnv(dir);
  const out = await runServerToExit(env, [], [
    "--allow-net",
    "--allow-env",
    "--allow-run",
    "--allow-sys=hostname",
    `--allow-read`,
    `--allow-write=${join(dir, "elsewhere")}`,
  ]);
  assert.notEqual(out.code, 0);
  assert.match(oneLine(out.stderr), /--allow-write=.*data/);
  const noRun = await runServerToExit(env, [], [
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    "--allow-sys=hostname",
    "--allow-run=/bin/true",
  ]);
  assert.notEqual(noRun.code, 0);
  assert.match(oneLine(noRun.stderr), /--allow-run=.*python/);
  // The interpreter alone is not enough: runs start through setsid (their own process group).
  const onlyPython = await runServerToExit(env, [], [
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    "--allow-sys=hostname",
    `--allow-run=${python()}`,
  ]);
  assert.notEqual(onlyPython.code, 0);
  assert.match(oneLine(onlyPython.stderr), /--allow-run=\/\S*setsid/);
});

Deno.test({
  name: "the newcomer's command: `deno task start` serves the bundled example modules",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const root = new URL("..", import.meta.url).pathname;
    const dataDir = Deno.makeTempDirSync();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "start"],
      cwd: root,
      env: { PRISMQ_PORT: "0", PRISMQ_DATA_DIR: dataDir, PRISMQ_PYTHON: python() },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      detached: true,
    }).spawn();
    try {
      let text = "";
      let url: string | null = null;
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      while (url === null) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`deno task start ended early:\n${text}`);
        text += value;
        url = /listening on (http:\/\/\S+)/.exec(text)?.[1] ?? null;
      }
      const modules = await (await fetch(`${url}/api/modules`)).json();
      const byId = Object.fromEntries(modules.modules.map((m: { id: string }) => [m.id, m]));
      assert.deepEqual(Object.keys(byId).sort(), ["archived", "countdown", "flaky", "hello"]);
      assert.equal(byId.hello.available, true);
      assert.equal(byId.archived.available, false);
      const run = await (await fetch(`${url}/api/modules/hello/run`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ parameters: { name: "Ada", count: 2 } }),
      })).json();
      const final = await waitFor(async () => {
        const r = await (await fetch(`${url}/api/runs/${run.run_id}`)).json();
        return r.status === "completed" ? r : null;
      });
      assert.equal(final.exit_code, 0);
      await reader.cancel();
    } finally {
      Deno.kill(-child.pid, "SIGTERM");
      await child.status;
    }
  },
});
