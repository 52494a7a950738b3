import { setTimeout as delay } from "node:timers/promises";
import { LineSplitter } from "../logs/line_splitter.ts";
import { stripAnsi } from "../logs/ansi.ts";
import { isProgressBarLine } from "../logs/markers.ts";
import type { LogStore } from "../logs/store.ts";
import { RunLogWriter, WARNING } from "../logs/writer.ts";
import { PipeReader, spawnProcess, type SpawnSpec } from "../process/spawn.ts";
import { stopLeftovers } from "../process/leftovers.ts";
import { feedStdin } from "../process/stdin_feed.ts";
import {
  canSignalDirectly,
  processGroupAlive,
  runStopAction,
  stopAction,
} from "../process/tree_kill.ts";
import { settlesWithin } from "../timing.ts";
import { type ReporterHooks, RunReporter } from "./reporter.ts";
import type { Ending } from "./transitions.ts";

/** How long pipes are still read after the process exited (a grandchild may hold them). */
const DRAIN_MS = 500;
/** The stored code of level INFO (logs/level.ts). */
const INFO = 2;
const POLL_MS = 20;

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
  /** Where the run's progress and result go (see reporter.ts). */
  report?: Pick<ReporterHooks, "progress" | "result">;
  os?: typeof Deno.build.os;
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

  /** Spawns the process at once (so `pid` is known when this returns) and starts capturing. */
  constructor(private readonly options: ExecutionOptions) {
    this.runId = options.runId;
    this.os = options.os ?? Deno.build.os;
    this.writer = new RunLogWriter(options.runId, options.logs, { maxBytes: options.logMaxBytes });
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
    this.writer.system(`started ${displayCommand} (pid ${child.pid})`);
    const feed = spec.stdin ? feedStdin(child.stdin, spec.stdin) : null;
    spec.stdin = null; // the feed holds the input until it is written, not the run

    const readers = [
      this.capture(child.stdout, "stdout"),
      this.capture(child.stderr, "stderr"),
    ];
    if (this.options.timeoutSeconds > 0) {
      this.timeoutTimer = setTimeout(
        () => this.stop("timeout"),
        this.options.timeoutSeconds * 1000,
      );
    }
    const status = await child.status;
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
      : { kind: "exit", code: status.code, signal: status.signal };
    this.writer.system(
      status.signal
        ? `process ended by ${status.signal}`
        : `process exited with code ${status.code}`,
    );
    // A child it started and did not wait for would run on unwatched, holding what it holds.
    await stopLeftovers(child.pid, {
      os: this.os,
      graceSeconds: this.options.killGraceSeconds,
      say: (message) => this.writer.system(message, WARNING),
    });
    return await this.finish(ending, status.code);
  }

  private capture(stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr") {
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
    const reader = new PipeReader(
      stream,
      (chunk) => splitter.push(chunk),
      () => this.writer.ready(),
    );
    return { reader, splitter };
  }

  private async drain(readers: { reader: PipeReader; splitter: LineSplitter }[]): Promise<void> {
    const all = Promise.all(readers.map((r) => r.reader.finished));
    if (!await settlesWithin(all, DRAIN_MS)) {
      this.writer.system(
        "output pipes still held open by another process after exit: stopped reading",
      );
      await Promise.all(readers.map((r) => r.reader.abandon()));
    }
    for (const r of readers) r.splitter.end();
  }

  private async stopTree(reason: StopReason): Promise<void> {
    const pid = this.child!.pid;
    const useKillCommand = this.os !== "windows" && !canSignalDirectly();
    const why = reason === "timeout"
      ? `timed out after ${this.options.timeoutSeconds} s`
      : reason === "shutdown"
      ? "server shutting down"
      : "cancel requested";
    const graceful = stopAction(this.os, pid, "graceful", useKillCommand);
    this.writer.system(`${why}: ${describe(graceful)}`, WARNING);
    await runStopAction(graceful);
    const graceMs = this.options.killGraceSeconds * 1000;
    if (await this.waitFor(() => this.treeGone(pid), graceMs)) return;
    const kill = stopAction(this.os, pid, "kill", useKillCommand);
    this.writer.system(
      `still running after ${this.options.killGraceSeconds} s grace: ${describe(kill)}`,
      WARNING,
    );
    await runStopAction(kill);
    await this.waitFor(() => this.treeGone(pid), 5000);
  }

  private treeGone(pid: number): boolean {
    return this.exited && !processGroupAlive(pid, this.os);
  }

  private async waitFor(condition: () => boolean, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!condition()) {
      if (performance.now() >= deadline) return false;
      await delay(POLL_MS);
    }
    return true;
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

function describe(action: ReturnType<typeof stopAction>): string {
  return action.kind === "signal-group"
    ? `sending ${action.signal} to process group ${action.pgid}`
    : `running ${action.program} ${action.args.join(" ")}`;
}

function startFailure(err: unknown, program: string): string {
  if (err instanceof Deno.errors.NotFound) return err.message || `${program} was not found`;
  if (err instanceof Deno.errors.PermissionDenied) return `permission denied for ${program}`;
  return err instanceof Error ? err.message : String(err);
}
