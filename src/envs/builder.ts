import { LineSplitter } from "../logs/line_splitter.ts";
import { stripAnsi } from "../logs/ansi.ts";
import type { BuildStep } from "./tool.ts";
import { spawnProcess } from "../process/spawn.ts";
import { canSignalDirectly, runStopAction, stopAction } from "../process/tree_kill.ts";
import { settlesWithin } from "../timing.ts";

/** How many of the last stderr lines are kept to say why a step failed. */
const TAIL_LINES = 20;
/** How long output is still read after a step exited. */
const DRAIN_MS = 1000;

/** Where a build runs and what it tells. */
export interface StepOptions {
  cwd: string;
  /** Added to the server's environment (the module's `env_file` and `env`). */
  env: Record<string, string>;
  say(line: string): void;
  signal: AbortSignal;
}

/** How a build went. */
export type StepsOutcome = { ok: true } | { ok: false; reason: string };

/** Runs the steps one after the other, each line of their output said; stops at the first failure. */
export async function runSteps(steps: BuildStep[], options: StepOptions): Promise<StepsOutcome> {
  for (const step of steps) {
    if (options.signal.aborted) return { ok: false, reason: "stopped" };
    options.say(`$ ${[step.program, ...step.args].join(" ")}`);
    const outcome = await runStep(step, options);
    if (outcome.ok) continue;
    if (step.fallback === undefined || !step.fallback.when.test(outcome.output)) return outcome;
    options.say("trying the older way instead");
    const second = await runSteps(step.fallback.steps, options);
    if (!second.ok) return second;
  }
  return { ok: true };
}

async function runStep(
  step: BuildStep,
  options: StepOptions,
): Promise<StepsOutcome & { output: string }> {
  let child: Deno.ChildProcess;
  try {
    // Its own process group, as a run's: pip starts pip again (`--python`), and a stop must end both.
    child = spawnProcess({
      program: step.program,
      args: step.args,
      cwd: options.cwd,
      env: { ...options.env, PYTHONUNBUFFERED: "1", PYTHONIOENCODING: "utf-8" },
    });
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? `${step.program} was not found`
      : (err as Error).message;
    options.say(why);
    return { ok: false, reason: why, output: why };
  }
  const pid = child.pid;
  const kill = () =>
    void runStopAction(stopAction(Deno.build.os, pid, "kill", !canSignalDirectly()));
  options.signal.addEventListener("abort", kill, { once: true });
  const tail: string[] = [];
  try {
    const readers = Promise.all([
      readLines(child.stdout, options.say),
      readLines(child.stderr, (line) => {
        options.say(line);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }),
    ]);
    const status = await child.status;
    // A process it left holding the pipes is not waited for long.
    await settlesWithin(readers, DRAIN_MS);
    const output = tail.join("\n");
    if (status.success) return { ok: true, output };
    if (options.signal.aborted) return { ok: false, reason: "stopped", output };
    return { ok: false, reason: failureReason(tail, step, status.code), output };
  } finally {
    options.signal.removeEventListener("abort", kill);
  }
}

/**
 * Why a step failed in its own words: pip's `ERROR:` lines when it wrote some, else the last
 * lines of its stderr, else its exit code.
 */
export function failureReason(tail: string[], step: BuildStep, code: number): string {
  const lines = tail.map((l) => l.trim()).filter((l) => l !== "");
  const errors = lines.filter((l) => /^error\b/i.test(l));
  const chosen = errors.length > 0 ? errors.slice(-3) : lines.slice(-3);
  if (chosen.length > 0) return chosen.join(" ");
  return `${step.program} ${step.args[0] ?? ""} exited with code ${code}`.replace("  ", " ");
}

async function readLines(
  stream: ReadableStream<Uint8Array>,
  line: (text: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  const splitter = new LineSplitter({
    line: (raw) => line(decoder.decode(stripAnsi(raw)).replace(/\r$/, "")),
    update: () => {},
    cut: () => {},
  });
  for await (const chunk of stream) splitter.push(chunk);
  splitter.end();
}
