import { LineSplitter } from "../logs/line_splitter.ts";
import { type Transcoder, transcoderFor } from "../logs/transcode.ts";
import { stripAnsi } from "../logs/ansi.ts";
import { isProgressBarLine } from "../logs/markers.ts";
import type { LogStore } from "../logs/store.ts";
import { RunLogWriter, WARNING } from "../logs/writer.ts";
import { PipeReader, spawnProcess, type SpawnSpec } from "../process/spawn.ts";
import { stopLeftovers } from "../process/leftovers.ts";
import { DEFAULT_TASKKILL } from "../process/tree_kill.ts";
import { stopTree } from "../process/tree_stop.ts";
import { WindowsJob } from "../process/windows_job.ts";
import { feedStdin } from "../process/stdin_feed.ts";
import { settlesWithin } from "../timing.ts";
import { type ReporterHooks, RunReporter } from "./reporter.ts";
import type { Ending } from "./transitions.ts";

/** How long pipes are still read after the process exited (a grandchild may hold them). */
const DRAIN_MS = 500;
/** The stored code of level INFO (logs/level.ts). */
const INFO = 2;

/** Why the runner stops a process early. */
export type StopReason = "cancelled" | "timeout" | "shutdown";

/** What an execution starts, where its lines go, and its limits. */
export interface ExecutionOptions {
  runId: string;
  spec: SpawnSpec;
  /** The command line as logged (passwords masked). */
  displayCommand: string;
  /** `system` lines written before the start line (an `env_file`'s skipped lines). */
  notices?: string[];
  logs: LogStore;
  killGraceSeconds: number;
  /** 0 for no limit. */
  timeoutSeconds: number;
  logMaxBytes: number;
  /** Keep the newest output past the limit (service runs), deleting the oldest chunks. */
  rollingLog?: boolean;
  /** Where the run's progress and result go (see reporter.ts). */
  report?: Pick<ReporterHooks, "progress" | "result">;
  os?: typeof Deno.build.os;
  /** The taskkill program that stops trees on Windows (PRISMQ_TASKKILL). */
  taskkill?: string;
  /** The module's `output_encoding` (a TextDecoder label); UTF-8 when not given. */
  outputEncoding?: string;
  /** The run's log writer when the run already wrote lines (its environment's build). */
  writer?: RunLogWriter;
  /** Time the run already spent before the spawn (its build): taken off the timeout. */
  spentMs?: number;
}

/** What an execution learned, for the run's final record. */
export interface ExecutionResult {
  ending: Ending;
  exitCode: number | null;
  pid: number | null;
  logLines: number;
  logTruncated: boolean;
  finishedAt: number;
}

/**
 * One run's process from spawn to exit: captures its output into the log writer, enforces the
 * timeout, and stops its tree on request. The run is over when the process exits, not when its
 * pipes close; pipes are drained for a bounded time after that.
 */
export class RunExecution {
  readonly runId: string;
  readonly writer: RunLogWriter;
  /** Reads progress and results off the output; its `progress` is the live one. */
  readonly reporter: RunReporter;
  /** Resolves once the process is gone, its tree stopped if asked, and every line stored. */
  readonly result: Promise<ExecutionResult>;
  pid: number | null = null;

  private stopReason: StopReason | null = null;
  private stopping: Promise<void> | null = null;
  private exited = false;
  private child: Deno.ChildProcess | null = null;
  private timeoutTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly os: typeof Deno.build.os;
  /** The run's Job Object (Windows with --allow-ffi), which holds every process it starts. */
  private job: WindowsJob | null = null;
  /** Resolves when a stop ended with the main process still there (it could not be killed). */
  private readonly givenUp = Promise.withResolvers<null>();

  /** Spawns the process at once (so `pid` is known when this returns) and starts capturing. */
  constructor(private readonly options: ExecutionOptions) {
    this.runId = options.runId;
    this.os = options.os ?? Deno.build.os;
    this.writer = options.writer ??
      new RunLogWriter(options.runId, options.logs, {
        maxBytes: options.logMaxBytes,
        rolling: options.rollingLog,
      });
    this.reporter = new RunReporter({
      progress: (p) => options.report?.progress(p),
      result: (json) => options.report?.result(json),
      rejected: (why) => this.writer.notice(why),
    });
    this.result = this.run(options.spec, options.displayCommand);
  }

  /** Asks the tree to stop; ignored once the process has exited. Resolves with the result. */
  stop(reason: StopReason): Promise<ExecutionResult> {
    if (!this.exited && this.stopReason === null && this.child !== null) {
      this.stopReason = reason;
      this.stopping = this.stopTree(reason).catch((err) => {
        console.error(`run ${this.runId}: stopping its tree failed:`, err);
      }).finally(() => {
        if (!this.exited) this.givenUp.resolve(null);
      });
    }
    return this.result;
  }

  private async run(spec: SpawnSpec, displayCommand: string): Promise<ExecutionResult> {
    for (const notice of this.options.notices ?? []) this.writer.system(notice, WARNING);
    try {
      this.child = spawnProcess(spec, this.os);
    } catch (err) {
      const reason = startFailure(err, spec.program);
      this.writer.system(`could not start ${displayCommand}: ${reason}`);
      return await this.finish({ kind: "start_failed", reason }, null);
    }
    const child = this.child;
    this.pid = child.pid;
    this.job = WindowsJob.adopt(child.pid, this.os);
    this.writer.system(`started ${displayCommand} (pid ${child.pid})`);
    const feed = spec.stdin ? feedStdin(child.stdin, spec.stdin) : null;
    spec.stdin = null; // the feed holds the input until it is written, not the run

    const mayNap = () => feed === null || !feed.writing;
    const readers = [
      this.capture(child.stdout, "stdout", mayNap),
      this.capture(child.stderr, "stderr", mayNap),
    ];
    if (this.options.timeoutSeconds > 0) {
      this.timeoutTimer = setTimeout(
        () => this.stop("timeout"),
        Math.max(0, this.options.timeoutSeconds * 1000 - (this.options.spentMs ?? 0)),
      );
    }
    // Bounded even when the process cannot be killed: a stop that gave up ends the run.
    const status = await Promise.race([child.status, this.givenUp.promise]) ??
      { code: null, signal: null, success: false };
    this.exited = true;
    // What the child did not read of its input is not needed any more.
    await feed?.stop();
    if (this.timeoutTimer !== null) clearTimeout(this.timeoutTimer);
    await this.drain(readers);
    if (this.stopping) await this.stopping;
    const ending: Ending = this.stopReason === "timeout"
      ? { kind: "timeout", seconds: this.options.timeoutSeconds }
      : this.stopReason === "cancelled"
      ? { kind: "cancelled" }
      : this.stopReason === "shutdown"
      ? { kind: "shutdown" }
      : { kind: "exit", code: status.code ?? 1, signal: status.signal };
    this.writer.system(
      status.signal
        ? `process ended by ${status.signal}`
        : status.code === null
        ? "the process did not exit after it was killed: the run ends without it"
        : `process exited with code ${status.code}`,
    );
    // A child it started and did not wait for would run on unwatched, holding what it holds.
    await stopLeftovers(child.pid, {
      os: this.os,
      graceSeconds: this.options.killGraceSeconds,
      job: this.job,
      taskkill: this.options.taskkill ?? DEFAULT_TASKKILL,
      say: (message) => this.writer.system(message, WARNING),
    });
    this.job?.close();
    return await this.finish(ending, status.code);
  }

  private capture(
    stream: ReadableStream<Uint8Array>,
    name: "stdout" | "stderr",
    mayNap: () => boolean,
  ) {
    const splitter = new LineSplitter({
      // Colours and cursor moves go before anything reads the line.
      line: (raw) => {
        const line = stripAnsi(raw);
        this.writer.output(name, line, isProgressBarLine(line) ? INFO : undefined);
        this.reporter.line(name, line);
      },
      update: (bytes) => this.reporter.update(stripAnsi(bytes)),
      cut: (dropped) =>
        this.writer.notice(
          `the ${name} line above was longer than 1 MiB: ${dropped} bytes of it were cut`,
          WARNING,
        ),
    });
    const transcoder = transcoderFor(this.options.outputEncoding);
    const reader = new PipeReader(
      stream,
      (chunk) => splitter.push(transcoder === null ? chunk : transcoder.push(chunk)),
      () => this.writer.ready(),
      mayNap,
    );
    return { reader, splitter, transcoder };
  }

  private async drain(
    readers: { reader: PipeReader; splitter: LineSplitter; transcoder: Transcoder | null }[],
  ): Promise<void> {
    const all = Promise.all(readers.map((r) => r.reader.finished));
    if (!await settlesWithin(all, DRAIN_MS)) {
      this.writer.system(
        "output pipes still held open by another process after exit: stopped reading",
      );
      await Promise.all(readers.map((r) => r.reader.abandon()));
    }
    for (const r of readers) {
      if (r.transcoder !== null) r.splitter.push(r.transcoder.end());
      r.splitter.end();
    }
  }

  private async stopTree(reason: StopReason): Promise<void> {
    const child = this.child!;
    const why = reason === "timeout"
      ? `timed out after ${this.options.timeoutSeconds} s`
      : reason === "shutdown"
      ? "server shutting down"
      : "cancel requested";
    await stopTree(why, {
      os: this.os,
      pid: child.pid,
      graceSeconds: this.options.killGraceSeconds,
      taskkill: this.options.taskkill ?? DEFAULT_TASKKILL,
      job: this.job,
      exited: () => this.exited,
      killMain: () => child.kill("SIGKILL"),
      signalMain: (signal) => child.kill(signal),
      say: (message) => this.writer.system(message, WARNING),
    });
  }

  private async finish(ending: Ending, exitCode: number | null): Promise<ExecutionResult> {
    await this.writer.close();
    return {
      ending,
      exitCode,
      pid: this.pid,
      logLines: this.writer.lastSeq,
      logTruncated: this.writer.truncated || this.writer.lost.count > 0,
      finishedAt: Date.now(),
    };
  }
}

function startFailure(err: unknown, program: string): string {
  if (err instanceof Deno.errors.NotFound) return err.message || `${program} was not found`;
  if (err instanceof Deno.errors.PermissionDenied) return `permission denied for ${program}`;
  return err instanceof Error ? err.message : String(err);
}
