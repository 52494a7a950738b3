// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, spawnCli } from "./cli_client.ts";
import { startServer, type TestServer, waitFinal, waitFor } from "./helpers.ts";
import { COMMANDS } from "../src/cli/commands.ts";

const MODULES = [
  {
    id: "exit",
    script: "exit_code.py",
    parameters: [{ name: "code", type: "number", default: 0 }],
  },
  {
    id: "chatty",
    script: "chatty.py",
    parameters: [{ name: "lines", type: "number", default: 200 }],
  },
  {
    id: "sleeper",
    script: "sleeper.py",
    parameters: [{ name: "seconds", type: "number", default: 30 }],
  },
  {
    id: "steps",
    script: "steps.py",
    parameters: [{ name: "code", type: "number", default: 0 }],
  },
  {
    id: "echo",
    script: "echo_args.py",
    parameters: [
      { name: "count", type: "number", default: 1 },
      { name: "loud", type: "checkbox", default: false },
      { name: "code", type: "text", default: "" },
    ],
  },
];

async function withServer(fn: (s: TestServer) => Promise<void>, env: Record<string, string> = {}) {
  const server = await startServer(MODULES, env);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

Deno.test("--help: the program's and each command's, generated from the command table", async () => {
  const top = await cli("http://127.0.0.1:9", ["--help"]);
  assert.equal(top.code, 0);
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  for (const c of COMMANDS) {
    assert.ok(top.stdout.includes(`\n  ${c.name.padEnd(width)}  ${c.summary}\n`), c.name);
  }
  for (const c of COMMANDS) {
    const r = await cli("http://127.0.0.1:9", [c.name, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: prismq-runner ${c.name}\\b`));
    for (const name of Object.keys(c.options)) assert.ok(r.stdout.includes(`--${name}`), name);
    if (c.name !== "serve") assert.ok(r.stdout.includes("--json"));
  }
  const bad = await cli("http://127.0.0.1:9", ["run"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /missing MODULE/);
  const unknown = await cli("http://127.0.0.1:9", ["run", "x", "--nope"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--nope/);
});

Deno.test("modules, runs, logs, cancel, rerun: text and --json against a real server", async () => {
  await withServer(async (server) => {
    const modules = await cli(server.url, ["modules", "--json"]);
    assert.equal(modules.code, 0, modules.stderr);
    assert.deepEqual(JSON.parse(modules.stdout).map((m: any) => m.id), MODULES.map((m) => m.id));
    const text = await cli(server.url, ["modules"]);
    assert.match(text.stdout, /^ID +STATUS/);
    assert.match(text.stdout, /^sleeper +active/m);

    const started = await cli(server.url, ["run", "exit", "-p", "code=4", "--json"]);
    assert.equal(started.code, 0, started.stderr);
    const run = JSON.parse(started.stdout);
    assert.equal(run.module_id, "exit");
    assert.equal((await waitFinal(server, run.run_id)).exit_code, 4);

    const runs = await cli(server.url, [
      "runs",
      "--module",
      "exit",
      "--status",
      "failed",
      "--json",
    ]);
    assert.equal(runs.code, 0, runs.stderr);
    assert.deepEqual(JSON.parse(runs.stdout).runs.map((r: any) => r.run_id), [run.run_id]);
    const runsText = await cli(server.url, ["runs"]);
    assert.match(runsText.stdout, new RegExp(`^${run.run_id} +exit +failed +4 `, "m"));

    const logs = await cli(server.url, ["logs", run.run_id, "--json"]);
    const messages = JSON.parse(logs.stdout).logs.map((l: any) => l.message);
    assert.ok(messages.includes("exiting with 4") && messages.includes("to stderr"), logs.stdout);
    const tail = await cli(server.url, ["logs", run.run_id, "--tail", "1"]);
    assert.equal(tail.stdout.trim().split("\n").length, 1);
    assert.match(tail.stdout, /system +INFO/);
    const errors = await cli(server.url, ["logs", run.run_id, "--level", "ERROR"]);
    assert.match(errors.stdout, /stderr +ERROR +to stderr/);
    assert.doesNotMatch(errors.stdout, /exiting with/);

    const again = await cli(server.url, ["rerun", run.run_id, "-p", "code=0", "--json"]);
    assert.equal(again.code, 0, again.stderr);
    const rerun = JSON.parse(again.stdout);
    assert.equal(rerun.trigger, "rerun");
    assert.equal((await waitFinal(server, rerun.run_id)).exit_code, 0);

    const sleeping = JSON.parse((await cli(server.url, ["run", "sleeper", "--json"])).stdout);
    const cancel = await cli(server.url, ["cancel", sleeping.run_id, "--json"]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal(JSON.parse(cancel.stdout).status, "cancelled");
    const twice = await cli(server.url, ["cancel", sleeping.run_id]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /^error: .*already/);
  });
});

Deno.test("errors print the server's detail and exit 2", async () => {
  await withServer(async (server) => {
    const unknown = await cli(server.url, ["run", "nope"]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'error: Module "nope" was not found.\n');
    const invalid = await cli(server.url, ["run", "echo", "-p", "count=many"]);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /^error: /);
    const noRun = await cli(server.url, ["logs", "missing"]);
    assert.equal(noRun.stderr, 'error: Run "missing" was not found.\n');
    const down = await cli("http://127.0.0.1:9", ["modules"]);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /cannot reach the server at http:\/\/127\.0\.0\.1:9/);
  });
});

Deno.test("the token: PRISMQ_API_TOKEN is sent as a bearer token; without it the server's 401 detail", async () => {
  await withServer(async (server) => {
    const refused = await cli(server.url, ["modules"]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /bearer token is required/);
    const ok = await cli(server.url, ["modules", "--json"], {
      env: { PRISMQ_API_TOKEN: "s3cret" },
    });
    assert.equal(ok.code, 0, ok.stderr);
  }, { PRISMQ_API_TOKEN: "s3cret" });
});

Deno.test("run --follow prints every line in order with stream and level and exits with the script's code", async () => {
  await withServer(async (server) => {
    const r = await cli(server.url, ["run", "chatty", "-p", "lines=300", "--follow"]);
    assert.equal(r.code, 0, r.stderr);
    const runId = /^run (\S+)/.exec(r.stderr)![1];
    const stored = (await server.json(`/api/runs/${runId}/logs?limit=10000`)).body.logs;
    const printed = r.stdout.trim().split("\n");
    assert.equal(printed.length, stored.length);
    printed.forEach((line, i) => {
      const { stream, level, message } = stored[i];
      assert.ok(line.endsWith(`${stream.padEnd(6)} ${level.padEnd(8)} ${message}`), line);
    });
    const own = printed.filter((l) => !/ system /.test(l)).map((l) =>
      Number(/ (\d+)$/.exec(l)![1])
    );
    assert.deepEqual(own.toSorted((a, b) => a - b), Array.from({ length: 300 }, (_, i) => i + 1));
    assert.ok(printed.some((l) => l.endsWith("stdout INFO     out 299")));
    assert.ok(printed.some((l) => l.endsWith("stderr ERROR    err 300")));
    assert.match(r.stderr, /completed/);

    const failed = await cli(server.url, ["run", "exit", "-p", "code=7", "--follow"]);
    assert.equal(failed.code, 7);
    assert.match(failed.stdout, /stdout INFO +exiting with 7/);

    const json = await cli(server.url, ["run", "exit", "-p", "code=3", "--follow", "--json"]);
    assert.equal(json.code, 3);
    const events = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(events[0].event, "submitted");
    assert.equal(events.at(-1).event, "end");
    assert.equal(events.at(-1).run.exit_code, 3);
    const seqs = events.filter((e) => e.event === "line").map((e) => e.line.seq);
    assert.deepEqual(seqs, seqs.map((_: number, i: number) => i + 1));
  });
});

const hasScript = Deno.build.os === "linux" &&
  new Deno.Command("sh", { args: ["-c", "command -v script"], stdout: "null" }).outputSync()
    .success;

Deno.test({
  name:
    "run --follow on a terminal: coloured levels and one updating progress line; piped: neither",
  ignore: !hasScript,
  async fn() {
    await withServer(async (server) => {
      const main = new URL("../main.ts", import.meta.url).pathname;
      const command = `${Deno.execPath()} run --allow-net --allow-read --allow-env ${main} ` +
        "run steps -p code=6 --follow";
      // `script` gives the client a pseudo-terminal, as a person's shell would.
      const tty = await new Deno.Command("script", {
        args: ["-qec", command, "/dev/null"],
        env: { PRISMQ_URL: server.url, NO_COLOR: "" },
        stdin: "null",
        stdout: "piped",
      }).output();
      const out = new TextDecoder().decode(tty.stdout);
      assert.equal(tty.code, 6, out);
      assert.ok(out.includes("\x1b[33mWARNING  WARNING: half way\x1b[0m"), out);
      assert.ok(out.includes("\x1b[31mERROR    ERROR: pretend failure\x1b[0m"), out);
      const progressLines = out.split("\r\x1b[2K").filter((p) =>
        /^\[ *\d+%\] \d+\/10 step/.test(p)
      );
      assert.ok(progressLines.length >= 2, out);

      const piped = await cli(server.url, ["run", "steps", "-p", "code=6", "--follow"]);
      assert.equal(piped.code, 6);
      assert.ok(!piped.stdout.includes("\x1b"));
      assert.ok(piped.stdout.includes("stderr WARNING  WARNING: half way"));
    });
  },
});

Deno.test("run --follow exits 130 when the run is cancelled; Ctrl+C with --cancel-on-interrupt cancels it", async () => {
  await withServer(async (server) => {
    const child = spawnCli(server.url, ["run", "sleeper", "--follow", "--json"]);
    const output = child.output();
    const runs = await waitFor(async () => {
      const { body } = await server.json("/api/runs?status=running");
      return body.runs.length > 0 ? body.runs : null;
    });
    await server.request(`/api/runs/${runs[0].run_id}`, { method: "DELETE" }).then((r) =>
      r.body?.cancel()
    );
    const out = await output;
    assert.equal(out.code, 130);
    const last = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
    assert.equal(last.run.status, "cancelled");

    const interrupted = spawnCli(server.url, [
      "run",
      "sleeper",
      "--follow",
      "--cancel-on-interrupt",
    ]);
    const done = interrupted.output();
    const running = await waitFor(async () => {
      const { body } = await server.json("/api/runs?status=running");
      return body.runs.length > 0 && body.runs[0].log_lines > 0 ? body.runs[0] : null;
    });
    // The first line printed means the client follows (its signal listener is in place).
    interrupted.kill("SIGINT");
    const result = await done;
    assert.equal(result.code, 130, new TextDecoder().decode(result.stderr));
    assert.equal((await waitFinal(server, running.run_id)).status, "cancelled");
  });
});

Deno.test("logs --follow from a tail: the last lines, then live ones, then the run's exit code", async () => {
  await withServer(async (server) => {
    const { body: run } = await server.post("/api/modules/exit/run", { parameters: { code: 5 } });
    await waitFinal(server, run.run_id);
    const r = await cli(server.url, ["logs", run.run_id, "--follow", "--tail", "2"]);
    assert.equal(r.code, 5);
    assert.equal(r.stdout.trim().split("\n").length, 2);
    assert.match(r.stdout, /process exited with code 5/);
  });
});

/** A stand-in server that records what the client sends (the run route's body, here). */
async function captureServer(fn: (url: string, bodies: any[]) => Promise<void>) {
  const bodies: any[] = [];
  const module = {
    id: "m",
    parameters: [
      { name: "count", type: "number", required: false },
      { name: "loud", type: "checkbox", required: false },
      { name: "code", type: "text", required: false },
    ],
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/api/modules/m") return Response.json(module);
    if (path === "/api/modules/m/run" && req.method === "POST") {
      bodies.push(await req.json());
      return Response.json({
        run_id: "r1",
        module_id: "m",
        status: "queued",
        queue_position: 1,
        exit_code: null,
        duration_seconds: null,
        error_message: null,
      }, { status: 202 });
    }
    return Response.json({ detail: "no", error_code: "NOT_FOUND" }, { status: 404 });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, bodies);
  } finally {
    await server.shutdown();
  }
}

Deno.test("-p values are typed by the module's parameters: numbers, checkboxes, text kept as text", async () => {
  await captureServer(async (url, bodies) => {
    const r = await cli(url, ["run", "m", "-p", "count=3", "-p", "loud", "-p", "code=007"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(bodies[0].parameters, { count: 3, loud: true, code: "007" });
    await cli(url, ["run", "m", "-p", "loud=no", "-p", "count=1.5e2", "-p", "other=x"]);
    assert.deepEqual(bodies[1].parameters, { loud: false, count: 150, other: "x" });
    const bare = await cli(url, ["run", "m", "-p", "count"]);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /-p count needs a value/);
  });
});

Deno.test("--input - reads stdin (JSON as its value, else text); --input FILE reads the file", async () => {
  await captureServer(async (url, bodies) => {
    await cli(url, ["run", "m", "--input", "-"], { stdin: '[{"id": 1}, {"id": 2}]' });
    assert.deepEqual(bodies[0].input, [{ id: 1 }, { id: 2 }]);
    await cli(url, ["run", "m", "--input", "-"], { stdin: "plain text\nline 2\n" });
    assert.equal(bodies[1].input, "plain text\nline 2\n");
    const dir = Deno.makeTempDirSync();
    const file = join(dir, "in.json");
    Deno.writeTextFileSync(file, '{"a": true}');
    await cli(url, ["run", "m", "--input", file]);
    assert.deepEqual(bodies[2].input, { a: true });
    // `deno task` runs in the runner's folder: a relative path is the caller's (INIT_CWD).
    await cli(url, ["run", "m", "--input", "in.json"], { env: { INIT_CWD: dir } });
    assert.deepEqual(bodies[3].input, { a: true });
    const missing = await cli(url, ["run", "m", "--input", join(dir, "none")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read --input/);
    assert.equal(bodies.length, 4);
    Deno.removeSync(dir, { recursive: true });
  });
});
