/** What to start for a run. */
export interface SpawnSpec {
  program: string;
  args: string[];
  cwd: string;
  /** Added to the server's own environment. */
  env: Record<string, string>;
}

/**
 * Starts a process with no shell, stdout and stderr piped. On POSIX it is detached, which makes
 * it the leader of a new process group (and session), so its whole tree can be signalled at once.
 */
export function spawnProcess(
  spec: SpawnSpec,
  os: typeof Deno.build.os = Deno.build.os,
): Deno.ChildProcess {
  return new Deno.Command(spec.program, {
    args: spec.args,
    cwd: spec.cwd,
    env: spec.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: os !== "windows",
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
      }
    } catch {
      // A cancelled or broken pipe simply ends the output.
    }
  }
}
