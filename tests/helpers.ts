// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import { isAbsolute, join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createHttpApp } from "../src/http/app.ts";
import { createRunner, type Runner, type RunnerOptions } from "../src/runner.ts";
import { parseSettings, type Settings } from "../src/settings.ts";

export const FIXTURES = resolve(import.meta.dirname!, "fixtures");

let realPython: string | null = null;

/** The Python command of this platform: `python` on Windows (as the server's default), else `python3`. */
export function pythonCommand(os: typeof Deno.build.os = Deno.build.os): string {
  return os === "windows" ? "python" : "python3";
}

/** The real interpreter behind `python3` (a pyenv shim costs ~80 ms a spawn). */
export function python(): string {
  if (realPython === null) {
    const command = pythonCommand();
    try {
      const out = new Deno.Command(command, {
        args: ["-c", "import sys; print(sys.executable)"],
      }).outputSync();
      realPython = new TextDecoder().decode(out.stdout).trim() || command;
    } catch {
      // No Python here (the Windows lane under Wine has none): callers check hasPython().
      realPython = command;
    }
  }
  return realPython;
}

/** True when a Python interpreter can be started here. */
export function hasPython(): boolean {
  try {
    return new Deno.Command(python(), { args: ["-c", "pass"] }).outputSync().success;
  } catch {
    return false;
  }
}

/** True in the Windows lane (Windows Deno under Wine), where timings and some details differ. */
export function underWine(): boolean {
  return Deno.env.get("PRISMQ_TEST_WINE") === "1";
}

/** A module of a test's own module file. */
export interface TestModule {
  id: string;
  script: string;
  parameters?: unknown[];
  [key: string]: unknown;
}

/**
 * Writes a module file whose scripts live in tests/fixtures; returns its path. `top` adds
 * top-level keys (`pools`).
 */
export function writeModuleFile(
  dir: string,
  modules: TestModule[],
  top: Record<string, unknown> = {},
): string {
  const path = join(dir, "modules.json");
  const body = {
    ...top,
    modules: modules.map(({ script, ...m }) => ({
      name: m.id,
      description: `test module ${m.id}`,
      category: "Tests",
      script_path: isAbsolute(script) ? script : join(FIXTURES, script),
      ...m,
    })),
  };
  Deno.writeTextFileSync(path, JSON.stringify(body, null, 2));
  return path;
}

/** A running test server: real KV file, real HTTP on port 0. */
export interface TestServer {
  url: string;
  runner: Runner;
  /** The HTTP app built on the runner, as main.ts builds it. */
  app: OpenAPIHono;
  dir: string;
  settings: Settings;
  request(path: string, init?: RequestInit): Promise<Response>;
  json<T = any>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  post<T = any>(path: string, body: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** Starts the service with test modules; `env` adds settings, `dir` reuses a data folder. */
export async function startServer(
  modules: TestModule[],
  env: Record<string, string> = {},
  options: { dir?: string; runner?: RunnerOptions; top?: Record<string, unknown> } = {},
): Promise<TestServer> {
  const dir = options.dir ?? Deno.makeTempDirSync({ prefix: "prismq-test-" });
  const modulesPath = writeModuleFile(dir, modules, options.top);
  const settings = parseSettings({
    PRISMQ_PORT: "0",
    PRISMQ_MODULES: modulesPath,
    PRISMQ_DATA_DIR: join(dir, "data"),
    PRISMQ_PYTHON: python(),
    PRISMQ_KILL_GRACE_SECONDS: "1",
    ...env,
  });
  const runner = await createRunner(settings, options.runner);
  const app = createHttpApp(runner.services);
  await runner.start();
  const ready = Promise.withResolvers<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: ({ port }) => ready.resolve(port) },
    app.fetch,
  );
  const url = `http://127.0.0.1:${await ready.promise}`;
  const request = (path: string, init?: RequestInit) => fetch(url + path, init);
  const json = async (path: string, init?: RequestInit) => {
    const res = await request(path, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    url,
    runner,
    app,
    dir,
    settings,
    request,
    json,
    post: (path, body) =>
      json(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    async close() {
      await runner.shutdown(() => server.shutdown());
    },
  };
}

/** Polls `check` until it returns a truthy value; fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await delay(20);
  }
}

/** Waits until the run reaches a final status and returns it. */
export async function waitFinal(
  server: TestServer,
  runId: string,
  timeoutMs = 15_000,
): Promise<any> {
  return await waitFor(
    async () => {
      const { body } = await server.json(`/api/runs/${runId}`);
      return ["completed", "failed", "cancelled"].includes(body.status) ? body : null;
    },
    timeoutMs,
    `run ${runId} to finish`,
  );
}

/** True while a process with this pid exists. */
export function pidAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** The ticker fixture as a module: prints `lines` lines, pausing 100 × `pause` s every 100. */
export function tickerModule(lines: number, pause: number): TestModule {
  return {
    id: "ticker",
    script: "ticker.py",
    parameters: [
      { name: "lines", type: "number", default: lines },
      { name: "pause", type: "number", default: pause },
    ],
  };
}

/** Largest number of runs whose [started_at, completed_at] intervals overlap at one instant. */
export function maxOverlap(runs: { started_at: string; completed_at: string }[]): number {
  const events = runs.flatMap((r) => [
    [Date.parse(r.started_at), 1],
    [Date.parse(r.completed_at), -1],
  ]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, now += d);
  return max;
}
