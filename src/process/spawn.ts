import { findExecutable } from "./interpreter.ts";

/** What to start for a run. */
export interface SpawnSpec {
  program: string;
  args: string[];
  cwd: string;
  /** Added to the server's own environment. */
  env: Record<string, string>;
}

/** How a run's process is started so that it leads its own process group on POSIX. */
export interface LaunchPlan {
  program: string;
  args: string[];
  detached: boolean;
}

/**
 * On POSIX the run must lead a new process group (and session) so its whole tree can be
 * signalled at once. `setsid PROGRAM` does that with one exec and keeps the pid; Deno's own
 * `detached` does it too but forks the whole server (measured: 1.7 ms against 0.56 ms a spawn at
 * 200 MB RSS, and growing with the heap), so it is only the fallback where `setsid` is missing
 * (macOS). Windows has no process groups to lead: taskkill /T finds the tree.
 */
export function launchPlan(
  spec: SpawnSpec,
  os: typeof Deno.build.os,
  setsid: string | null,
): LaunchPlan {
  if (os === "windows") return { program: spec.program, args: spec.args, detached: false };
  if (setsid !== null) {
    return { program: setsid, args: [spec.program, ...spec.args], detached: false };
  }
  return { program: spec.program, args: spec.args, detached: true };
}

let setsidPath: string | null | undefined;

/** Starts a process with no shell, stdout and stderr piped, leading its own process group. */
export function spawnProcess(
  spec: SpawnSpec,
  os: typeof Deno.build.os = Deno.build.os,
): Deno.ChildProcess {
  setsidPath ??= os === "windows" ? null : findExecutable("setsid", os);
  const plan = launchPlan(spec, os, setsidPath);
  // Through setsid a missing program would only show as setsid's exit code; say it plainly.
  if (plan.program === setsidPath && findExecutable(spec.program, os) === null) {
    throw new Deno.errors.NotFound(`${spec.program} was not found or is not executable`);
  }
  return new Deno.Command(plan.program, {
    args: plan.args,
    cwd: spec.cwd,
    env: spec.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: plan.detached,
  }).spawn();
}

/** A reader of one pipe that hands each chunk on and can be abandoned while blocked. */
export class PipeReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Resolves when the pipe reached its end or was abandoned. */
  readonly finished: Promise<void>;

  constructor(
    stream: ReadableStream<Uint8Array>,
    onChunk: (chunk: Uint8Array) => void,
    ready: () => Promise<void>,
  ) {
    this.reader = stream.getReader();
    this.finished = this.loop(onChunk, ready);
  }

  /** Stops reading, for a pipe that a surviving grandchild keeps open. */
  async abandon(): Promise<void> {
    await this.reader.cancel().catch(() => {});
    await this.finished;
  }

  /**
   * A read of at least this many bytes means the process writes faster than we read; waiting a
   * moment before the next read lets the pipe fill, so both sides make far fewer syscalls and
   * wake-ups (measured: 1M lines of 60 B read in 147,000 reads of 414 B and 3.5 s, against 1,300
   * reads and 2.65 s with a 1 ms pause). Small reads, i.e. interactive output, never wait.
   */
  private static readonly BURST_BYTES = 4 * 1024;

  private async loop(
    onChunk: (chunk: Uint8Array) => void,
    ready: () => Promise<void>,
  ): Promise<void> {
    try {
      for (;;) {
        await ready();
        const { value, done } = await this.reader.read();
        if (done) return;
        onChunk(value);
        if (value.length >= PipeReader.BURST_BYTES) await new Promise((r) => setTimeout(r, 1));
      }
    } catch {
      // A cancelled or broken pipe simply ends the output.
    }
  }
}
