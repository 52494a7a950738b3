// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
/**
 * The Windows lane's harness: run by Windows Deno under Wine (`deno-win test`), it starts the
 * server as a Windows program (Deno.execPath() is the Windows deno.exe), drives it over HTTP
 * with `.cmd` modules, and looks at the Linux side (ps, signals) through linux.sh, since
 * Wine's `tasklist` prints nothing and Windows Deno cannot send SIGINT.
 */
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { type ServerProcess, spawnServer, startTaskFlags } from "../server_process.ts";

const HERE = resolve(import.meta.dirname!);

/** `deno task start`'s flags, with the --allow-ffi for kernel32.dll (Job Objects). */
export const START_FLAGS = startTaskFlags();
/** The same without --allow-ffi: no Job Objects, stopping relies on taskkill alone. */
export const NO_FFI_FLAGS = START_FLAGS.filter((f) => !f.startsWith("--allow-ffi"));

/** A fresh folder for one case. */
export function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "prismq-win-" });
}

/** Writes a batch file (CRLF, `@echo off` first) and returns its path. */
export function writeCmd(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  Deno.writeTextFileSync(path, ["@echo off", ...lines, ""].join("\r\n"));
  return path;
}

/** A long-running tree for case `tag`: a ping orphaned by its cmd.exe, and cmd.exe > ping. */
export function writeTree(dir: string, tag: number): string {
  return writeCmd(dir, `tree${tag}.cmd`, [
    `echo tree ${tag} started`,
    // The inner cmd.exe starts the ping and exits: the ping's parent is gone (the case a
    // `taskkill /T` walk from the run's pid cannot reach).
    `cmd /c start "" /b ping -n 121 127.0.0.${tag} ^>nul`,
    `cmd /c ping -n 122 127.0.0.${tag} ^>nul`,
  ]);
}

/** Writes a module file (`modules.json`) into `dir`. */
export function writeModules(dir: string, modules: Record<string, unknown>[]): string {
  const path = join(dir, "modules.json");
  const full = modules.map((m) => ({
    name: m.id,
    description: `Windows lane module ${m.id}`,
    category: "Windows",
    ...m,
  }));
  Deno.writeTextFileSync(path, JSON.stringify({ modules: full }, null, 2));
  return path;
}

/** A server started as a Windows program, with HTTP helpers. */
export interface WinServer {
  process: ServerProcess;
  url: string;
  dir: string;
  json(path: string, init?: RequestInit): Promise<{ status: number; body: any }>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  /** Ends it hard (TerminateProcess). */
  kill(): Promise<void>;
}

/** Starts main.ts under Windows Deno with `dir`'s module file and data dir. */
export async function startWin(
  dir: string,
  env: Record<string, string> = {},
  flags: string[] = START_FLAGS,
): Promise<WinServer> {
  const process = await spawnServer(
    {
      PRISMQ_KILL_GRACE_SECONDS: "1",
      PRISMQ_PYTHON: "",
      ...env,
    },
    // The data dir on the command line also marks the process in Linux `ps` (see linuxPid).
    ["--modules", join(dir, "modules.json"), "--data-dir", join(dir, "data")],
    { flags, timeoutMs: 120_000 },
  );
  const url = process.url;
  const json = async (path: string, init?: RequestInit) => {
    const res = await fetch(url + path, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    process,
    url,
    dir,
    json,
    post: (path, body) =>
      json(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    async kill() {
      await process.stop("SIGKILL");
    },
  };
}

/** Runs main.ts under Windows Deno expecting it to refuse to start (Wine starts slowly). */
export async function startToExit(dir: string, flags: string[] = START_FLAGS) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, resolve(HERE, "..", "..", "main.ts")],
    env: {
      PRISMQ_PORT: "0",
      PRISMQ_MODULES: join(dir, "modules.json"),
      PRISMQ_DATA_DIR: join(dir, "data"),
    },
    stdin: "null",
    signal: AbortSignal.timeout(120_000),
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** Polls `check` until it returns a truthy value; fails after `ms`. */
export async function waitFor<T>(check: () => T | Promise<T>, ms: number, what: string) {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await delay(100);
  }
}

/** Submits a run and waits until its first output line is stored. */
export async function startRun(server: WinServer, moduleId: string, parameters = {}) {
  const { status, body } = await server.post(`/api/modules/${moduleId}/run`, { parameters });
  if (status !== 202) throw new Error(`run of ${moduleId}: ${status} ${JSON.stringify(body)}`);
  await waitFor(
    async () => (await logs(server, body.run_id)).some((l: any) => l.stream === "stdout"),
    60_000,
    `first output of ${moduleId}`,
  );
  return body.run_id as string;
}

/** Waits until a run is final and answers it. */
export function waitFinal(server: WinServer, runId: string, ms = 60_000) {
  return waitFor(
    async () => {
      const { body } = await server.json(`/api/runs/${runId}`);
      return ["completed", "failed", "cancelled"].includes(body.status) ? body : null;
    },
    ms,
    `run ${runId} to be final`,
  );
}

/** Every stored line of a run. */
export async function logs(server: WinServer, runId: string): Promise<any[]> {
  return (await server.json(`/api/runs/${runId}/logs?limit=5000`)).body.logs;
}

/** A Windows path of the Z: drive (Linux `/`) as Linux sees it. */
export function linuxPath(windowsPath: string): string {
  return windowsPath.replace(/^[Zz]:/, "").replaceAll("\\", "/");
}

/** Runs a Linux command through Wine's `start /unix` and answers its output and exit code. */
export async function linux(args: string[]): Promise<{ code: number; output: string }> {
  // On the Z: drive (Linux `/`), so that both sides name the same file.
  const dir = Deno.makeTempDirSync({ dir: "Z:\\tmp", prefix: "prismq-linux-" });
  const out = join(dir, "out.txt");
  await new Deno.Command("cmd.exe", {
    args: [
      "/c",
      "start",
      "/wait",
      "/unix",
      linuxPath(join(HERE, "linux.sh")),
      linuxPath(out),
      ...args,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  const text = await waitFor(
    () => {
      try {
        const t = Deno.readTextFileSync(out);
        return /exit \d+\n$/.test(t) ? t : null;
      } catch {
        return null;
      }
    },
    30_000,
    `linux ${args.join(" ")}`,
  );
  const m = /exit (\d+)\n$/.exec(text)!;
  Deno.removeSync(dir, { recursive: true });
  return { code: Number(m[1]), output: text.slice(0, m.index) };
}

/** Live (not zombie) Linux processes whose command line contains `marker`. */
export async function liveProcesses(marker: string): Promise<{ pid: number; args: string }[]> {
  const { output } = await linux(["ps", "-eo", "pid=,stat=,args="]);
  return output.split("\n").flatMap((line) => {
    const m = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!m || m[2].startsWith("Z") || !m[3].includes(marker)) return [];
    // The bridge's own shell and ps name the marker in their arguments.
    if (m[3].includes("linux.sh") || m[3].startsWith("ps ")) return [];
    return [{ pid: Number(m[1]), args: m[3] }];
  });
}

/** The Linux pid of the Wine process of the server whose data dir is under `dir`. */
export async function linuxPid(dir: string): Promise<number> {
  const found = (await liveProcesses(join(dir, "data"))).filter((p) => /deno\.exe/i.test(p.args));
  if (found.length !== 1) throw new Error(`server process of ${dir}: ${JSON.stringify(found)}`);
  return found[0].pid;
}

/** Ends what a case left behind (its own processes, found by their unique marker). */
export async function cleanUp(marker: string): Promise<void> {
  const left = await liveProcesses(marker);
  if (left.length > 0) await linux(["kill", "-9", ...left.map((p) => String(p.pid))]);
}
