// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { pidAlive, startServer, waitFinal, waitFor } from "./helpers.ts";

const MODULES = [
  {
    id: "echo",
    script: "echo_args.py",
    env: { EXTRA_VAR: "extra" },
    parameters: [
      { name: "word", type: "text", default: "hi" },
      { name: "n", type: "number", default: 2 },
      { name: "flag", type: "checkbox", default: false },
    ],
  },
  {
    id: "exit",
    script: "exit_code.py",
    parameters: [{ name: "code", type: "number", default: 0 }],
  },
  {
    id: "chatty",
    script: "chatty.py",
    parameters: [{ name: "lines", type: "number", default: 5000 }],
  },
  { id: "odd", script: "odd_output.py" },
  {
    id: "sleeper",
    script: "sleeper.py",
    parameters: [{ name: "seconds", type: "number", default: 5 }],
  },
  { id: "stubborn", script: "stubborn.py" },
  { id: "tree", script: "tree.py", parameters: [{ name: "mode", type: "text", default: "wait" }] },
  // 3 s, not 1: a loaded machine may take over a second to start the three-process tree, which
  // then timed out before it had printed its process ids.
  { id: "slow-timeout", script: "tree.py", timeout_seconds: 3 },
];

Deno.test("a run completes with exit code 0, its arguments, cwd and environment", async () => {
  const server = await startServer(MODULES);
  try {
    const { status, body } = await server.post("/api/modules/echo/run", {
      parameters: { word: "-x", flag: true },
    });
    assert.equal(status, 202);
    assert.ok(["queued", "running"].includes(body.status));
    const run = await waitFinal(server, body.run_id);
    assert.equal(run.status, "completed");
    assert.equal(run.exit_code, 0);
    assert.equal(run.error_message, null);
    assert.deepEqual(run.parameters, { word: "-x", n: 2, flag: true });
    for (const field of ["created_at", "started_at", "completed_at"]) {
      assert.match(run[field], /Z$/);
    }
    assert.ok(run.created_at <= run.started_at && run.started_at <= run.completed_at);
    assert.equal(typeof run.duration_seconds, "number");
    const logs = await server.json(`/api/runs/${run.run_id}/logs`);
    const stdout = logs.body.logs.filter((l: any) => l.stream === "stdout");
    const seen = JSON.parse(stdout[0].message);
    assert.deepEqual(seen.argv, ["--word=-x", "--n", "2", "--flag"]);
    assert.ok(seen.cwd.endsWith("fixtures"));
    assert.equal(seen.run_id, run.run_id);
    assert.equal(seen.module_id, "echo");
    assert.equal(seen.extra, "extra");
    assert.equal(seen.unbuffered, "1");
    assert.equal(seen.encoding, "utf-8");
    assert.equal(logs.body.logs[0].stream, "system");
  } finally {
    await server.close();
  }
});

Deno.test("a non-zero exit fails the run with its code; a script that cannot start fails with the reason", async () => {
  const dir = Deno.makeTempDirSync();
  const notExecutable = join(dir, "not-executable.sh");
  Deno.writeTextFileSync(notExecutable, "#!/bin/sh\necho hi\n");
  Deno.chmodSync(notExecutable, 0o644);
  const server = await startServer([...MODULES, { id: "noexec", script: notExecutable }]);
  try {
    const failed = await server.post("/api/modules/exit/run", { parameters: { code: 3 } });
    const run = await waitFinal(server, failed.body.run_id);
    assert.equal(run.status, "failed");
    assert.equal(run.exit_code, 3);
    assert.match(run.error_message, /code 3/);
    const noexec = await server.post("/api/modules/noexec/run", {});
    assert.equal(noexec.status, 202);
    const run2 = await waitFinal(server, noexec.body.run_id);
    assert.equal(run2.status, "failed");
    assert.match(run2.error_message, /could not be started/);
  } finally {
    await server.close();
  }
});

Deno.test("5,000 lines on both streams are stored once, in order; tail, paging and download agree", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/modules/chatty/run", { parameters: { lines: 5000 } });
    const run = await waitFinal(server, body.run_id);
    assert.equal(run.status, "completed");
    const all: any[] = [];
    let after = 0;
    for (;;) {
      const page = await server.json(`/api/runs/${run.run_id}/logs?after=${after}&limit=700`);
      assert.equal(page.status, 200);
      if (page.body.logs.length === 0) break;
      all.push(...page.body.logs);
      after = page.body.next_after;
    }
    assert.equal(all.length, run.log_lines);
    assert.deepEqual(all.map((l) => l.seq), all.map((_, i) => i + 1));
    const output = all.filter((l) => l.stream !== "system");
    assert.equal(output.length, 5000);
    // Each stream keeps its own order; each line is stored exactly once with its stream.
    const outs = output.filter((l) => l.stream === "stdout").map((l) =>
      Number(l.message.split(" ")[1])
    );
    const errs = output.filter((l) => l.stream === "stderr").map((l) =>
      Number(l.message.split(" ")[1])
    );
    assert.deepEqual(outs, Array.from({ length: 2500 }, (_, i) => 2 * i + 1));
    assert.deepEqual(errs, Array.from({ length: 2500 }, (_, i) => 2 * i + 2));
    assert.ok(output.every((l) => l.message.startsWith(l.stream === "stdout" ? "out" : "err")));
    const tail = await server.json(`/api/runs/${run.run_id}/logs?tail=100`);
    assert.deepEqual(tail.body.logs, all.slice(-100));
    assert.equal(tail.body.total_lines, all.length);
    const download = await server.request(`/api/runs/${run.run_id}/logs/download`);
    assert.equal(download.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.match(download.headers.get("content-disposition")!, new RegExp(`${run.run_id}\\.log`));
    const text = (await download.text()).split("\n");
    assert.equal(text.pop(), "");
    assert.equal(text.length, all.length);
    text.forEach((line, i) => assert.ok(line.endsWith(` ${all[i].message}`), line));
  } finally {
    await server.close();
  }
});

Deno.test("invalid UTF-8, emoji, CRLF, a 200 KB line, a 2 MiB line cut at 1 MiB and a last line without newline are all stored", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/modules/odd/run", {});
    await waitFinal(server, body.run_id);
    const logs = (await server.json(`/api/runs/${body.run_id}/logs?limit=100`)).body.logs
      .filter((l: any) => l.stream === "stdout").map((l: any) => l.message);
    assert.equal(logs[0], "valid line");
    assert.equal(logs[1], "bad \ufffd\ufffd bytes");
    assert.equal(logs[2], "emoji \u{1F680} and \u00e9");
    assert.equal(logs[3], "crlf line");
    assert.equal(logs[4], "x".repeat(200_000), "a 200 KB line is one line");
    assert.equal(logs[5].length, 1024 * 1024, "a longer line keeps its first 1 MiB");
    assert.equal(logs.at(-1), "no newline at end");
    assert.equal(logs.length, 7);
    const all = (await server.json(`/api/runs/${body.run_id}/logs?limit=100`)).body.logs;
    const cutLine = all.findIndex((l: any) => /1048576 bytes of it were cut/.test(l.message));
    assert.ok(cutLine > 0, "a system line says how much was cut");
    assert.equal(all[cutLine].stream, "system");
    assert.equal(all[cutLine].level, "WARNING");
    assert.equal(all[cutLine - 1].message.length, 1024 * 1024, "right after the cut line");
  } finally {
    await server.close();
  }
});

Deno.test("a line printed before a 5 s sleep is readable within 1 s", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/modules/sleeper/run", { parameters: { seconds: 5 } });
    const t0 = performance.now();
    await waitFor(
      async () => {
        const logs = (await server.json(`/api/runs/${body.run_id}/logs`)).body.logs;
        return logs.some((l: any) => l.message === "before sleep");
      },
      1000,
      "the line before the sleep",
    );
    assert.ok(performance.now() - t0 < 1000);
    const cancelled = await server.json(`/api/runs/${body.run_id}`, { method: "DELETE" });
    assert.equal(cancelled.body.status, "cancelled");
  } finally {
    await server.close();
  }
});

function pidsFrom(logs: any[]): number[] {
  return logs.flatMap((l) => {
    const m = /^(?:leader|child|grandchild|pid) (\d+)/.exec(l.message);
    return m ? [Number(m[1])] : [];
  });
}

Deno.test("cancel stops a run, one that ignores SIGTERM, and a whole tree; no process survives", async () => {
  const server = await startServer(MODULES);
  try {
    // A tree: leader, child, grandchild.
    const tree = (await server.post("/api/modules/tree/run", {})).body;
    const pids = await waitFor(
      async () => {
        const p = pidsFrom((await server.json(`/api/runs/${tree.run_id}/logs`)).body.logs);
        return p.length === 3 ? p : null;
      },
      10_000,
      "three pids",
    );
    // A script that ignores SIGTERM.
    const stubborn = (await server.post("/api/modules/stubborn/run", {})).body;
    const stubbornPid = (await waitFor(async () =>
      pidsFrom((await server.json(`/api/runs/${stubborn.run_id}/logs`)).body.logs)[0]
    ))!;
    const [a, b] = await Promise.all([
      server.json(`/api/runs/${tree.run_id}`, { method: "DELETE" }),
      server.json(`/api/runs/${stubborn.run_id}`, { method: "DELETE" }),
    ]);
    assert.equal(a.status, 200);
    assert.equal(a.body.status, "cancelled");
    assert.equal(b.status, 200);
    assert.equal(b.body.status, "cancelled");
    for (const pid of [...pids, stubbornPid]) {
      assert.equal(pidAlive(pid), false, `pid ${pid} survived`);
    }
    const log = (await server.json(`/api/runs/${stubborn.run_id}/logs`)).body.logs;
    const system = log.filter((l: any) =>
      l.stream === "system"
    ).map((l: any) => l.message).join("\n");
    assert.match(system, /SIGTERM/);
    assert.match(system, /SIGKILL/);
    const again = await server.json(`/api/runs/${tree.run_id}`, { method: "DELETE" });
    assert.equal(again.status, 409);
    assert.equal(again.body.error_code, "RUN_ALREADY_FINISHED");
  } finally {
    await server.close();
  }
});

Deno.test("two cancels at once both answer with the one cancelled run", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/modules/sleeper/run", { parameters: { seconds: 30 } });
    await waitFor(async () =>
      (await server.json(`/api/runs/${body.run_id}/logs`)).body.logs.length > 1
    );
    const answers = await Promise.all(
      [1, 2].map(() => server.json(`/api/runs/${body.run_id}`, { method: "DELETE" })),
    );
    for (const a of answers) {
      assert.equal(a.status, 200);
      assert.equal(a.body.status, "cancelled");
    }
    assert.equal(answers[0].body.completed_at, answers[1].body.completed_at);
    const stopLines = (await server.json(`/api/runs/${body.run_id}/logs`)).body.logs
      .filter((l: any) => /cancel requested/.test(l.message));
    assert.equal(stopLines.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("a run whose grandchild holds the pipes completes within 2 s of its own exit", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/modules/tree/run", { parameters: { mode: "orphan" } });
    const run = await waitFinal(server, body.run_id, 5000);
    assert.equal(run.status, "completed");
    const logs = (await server.json(`/api/runs/${body.run_id}/logs`)).body.logs;
    const exitLine = logs.find((l: any) => /leader \d+ exits/.test(l.message));
    const gap = Date.parse(run.completed_at) - Date.parse(exitLine.timestamp);
    assert.ok(gap < 2000, `completed ${gap} ms after the leader's last line`);
    // The grandchild stayed in the run's process group: it was stopped with the run.
    const grandchild = pidsFrom(logs).find((p) => !exitLine.message.includes(String(p)))!;
    await waitFor(() => !pidAlive(grandchild), 3000, "the grandchild to be gone");
  } finally {
    await server.close();
  }
});

Deno.test("a timeout fails the run, says so, and leaves no process behind", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/modules/slow-timeout/run", {});
    const pids = await waitFor(async () => {
      const p = pidsFrom((await server.json(`/api/runs/${body.run_id}/logs`)).body.logs);
      return p.length === 3 ? p : null;
    });
    const run = await waitFinal(server, body.run_id);
    assert.equal(run.status, "failed");
    assert.match(run.error_message, /timed out/);
    for (const pid of pids) assert.equal(pidAlive(pid), false, `pid ${pid} survived`);
  } finally {
    await server.close();
  }
});

Deno.test("output past PRISMQ_LOG_MAX_BYTES is dropped with one marker line; the run goes on", async () => {
  const server = await startServer(MODULES, { PRISMQ_LOG_MAX_BYTES: "20000" });
  try {
    const { body } = await server.post("/api/modules/chatty/run", { parameters: { lines: 2000 } });
    const run = await waitFinal(server, body.run_id);
    assert.equal(run.status, "completed");
    const page = (await server.json(`/api/runs/${body.run_id}/logs?limit=5000`)).body;
    assert.equal(page.truncated, true);
    const output = page.logs.filter((l: any) => l.stream !== "system");
    // As stored: each line's bytes plus its 13-byte header, the runner's own lines included.
    const stored = page.logs.reduce(
      (n: number, l: any) => n + 13 + new TextEncoder().encode(l.message).length,
      0,
    );
    assert.ok(stored <= 20_000, `${stored} bytes stored`);
    assert.ok(output.length > 50 && output.length < 2000);
    const markers = page.logs.filter((l: any) => /log limit of 20000 bytes/.test(l.message));
    assert.equal(markers.length, 1);
    assert.match(page.logs.at(-1).message, /exited with code 0/);
  } finally {
    await server.close();
  }
});
