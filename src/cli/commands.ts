import type { LogLine } from "../logs/line.ts";
import type { ModuleView } from "../modules/views.ts";
import type { RunView } from "../runs/mod.ts";
import { intOption, type ParsedArgs, UsageError } from "./args.ts";
import { seg } from "./client.ts";
import { logLine, modulesTable, runsTable, runSummary } from "./format.ts";
import { readInput, typedParameters } from "./params.ts";
import type { CommandContext, CommandSpec, OptionSpec } from "./spec.ts";
import { watchRun } from "./watch.ts";
import { PIPELINE_COMMANDS } from "./pipeline_commands.ts";
import { SERVICE_COMMANDS } from "./service_commands.ts";

const LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
const STATUSES = ["queued", "running", "completed", "failed", "cancelled"];

const PARAM: OptionSpec = {
  type: "string",
  short: "p",
  multiple: true,
  value: "NAME=VALUE",
  help: "A parameter value (repeat for more); numbers and checkboxes are typed by the " +
    "module's parameters, and -p NAME alone sets a checkbox",
};
const FOLLOW: OptionSpec = {
  type: "boolean",
  short: "f",
  help: "Print the log live until the run ends, then exit with the run's exit code",
};
const CANCEL_ON_INTERRUPT: OptionSpec = {
  type: "boolean",
  help: "With --follow: Ctrl+C cancels the run without asking",
};

type Values = ParsedArgs["values"];

function printRun(ctx: CommandContext, run: RunView, json: boolean): void {
  ctx.term.out(json ? JSON.stringify(run, null, 2) + "\n" : runSummary(ctx.term, run));
}

/** Prints a run just submitted, then follows it when asked. */
async function submitted(ctx: CommandContext, run: RunView, values: Values): Promise<number> {
  const json = values.json === true;
  if (!values.follow) {
    printRun(ctx, run, json);
    return 0;
  }
  if (json) ctx.term.out(JSON.stringify({ event: "submitted", run }) + "\n");
  else ctx.term.err(runSummary(ctx.term, run));
  return await watchRun(ctx, run, {
    after: 0,
    json,
    cancelOnInterrupt: values["cancel-on-interrupt"] === true,
  });
}

/** `-p` values typed by the parameters of a module, read from the server. */
async function parametersFor(ctx: CommandContext, moduleId: string, values: Values) {
  const given = (values.param as string[] | undefined) ?? [];
  if (given.length === 0) return {};
  const module = await ctx.client.get<ModuleView>(`/api/modules/${seg(moduleId)}`);
  return typedParameters(given, module.parameters);
}

/** The levels at and above `--level`. */
function levelsFrom(values: Values): Set<string> | undefined {
  const level = values.level as string | undefined;
  if (level === undefined) return undefined;
  const at = LEVELS.indexOf(level.toUpperCase());
  if (at === -1) throw new UsageError(`--level must be one of: ${LEVELS.join(", ")}`);
  return new Set(LEVELS.slice(at));
}

interface LogPage {
  logs: LogLine[];
  next_after: number;
  total_lines: number;
}

/** Prints the stored lines (the last `tail`, or all, page by page). */
async function printStoredLogs(ctx: CommandContext, runId: string, values: Values) {
  const tail = intOption(values, "tail", 1, 10_000);
  const level = levelsFrom(values) ? `&level=${(values.level as string).toUpperCase()}` : "";
  const base = `/api/runs/${seg(runId)}/logs?`;
  const lines: LogLine[] = [];
  const print = (page: LogPage) => {
    if (values.json) lines.push(...page.logs);
    else for (const line of page.logs) ctx.term.out(logLine(ctx.term, line));
  };
  if (tail !== undefined) {
    print(await ctx.client.get<LogPage>(`${base}tail=${tail}${level}`));
  } else {
    for (let after = 0;;) {
      const page = await ctx.client.get<LogPage>(`${base}after=${after}&limit=10000${level}`);
      print(page);
      if (page.next_after <= after || page.next_after >= page.total_lines) break;
      after = page.next_after;
    }
  }
  if (values.json) ctx.term.out(JSON.stringify({ run_id: runId, logs: lines }, null, 2) + "\n");
}

/** The client's commands, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "serve",
    summary: "Start the server (what the program does with no command)",
    description: "Every setting may be given as an option: PRISMQ_PORT as --port 8000, " +
      "PRISMQ_HOST as --host 0.0.0.0, and so on; the environment gives the rest.",
    positionals: [],
    options: {},
    run: () => Promise.resolve(0), // main.ts serves before the client is loaded
  },
  {
    name: "modules",
    summary: "List the modules",
    positionals: [],
    options: {},
    async run(ctx, { values }) {
      const { modules } = await ctx.client.get<{ modules: ModuleView[] }>("/api/modules");
      ctx.term.out(values.json ? JSON.stringify(modules, null, 2) + "\n" : modulesTable(modules));
      return 0;
    },
  },
  {
    name: "run",
    summary: "Start a run of a module",
    description: "Without --follow it prints the run (running or queued) and exits 0. With " +
      "--follow it prints the log live and exits with the run's exit code: 1 when it failed " +
      "without one, 130 when it was cancelled. With --json and --follow, each event is one " +
      'JSON line ({"event": "line", "line": ...}, ..., {"event": "end", "run": ...}).',
    positionals: [{ name: "MODULE", help: "The module's id" }],
    options: {
      param: PARAM,
      input: {
        type: "string",
        value: "FILE|-",
        help: "The run's input (its stdin): a file, or - for this program's stdin; sent as " +
          "JSON when it parses as JSON, else as text",
      },
      follow: FOLLOW,
      "cancel-on-interrupt": CANCEL_ON_INTERRUPT,
    },
    async run(ctx, { positionals: [moduleId], values }) {
      const parameters = await parametersFor(ctx, moduleId, values);
      const body: Record<string, unknown> = { parameters };
      if (values.input !== undefined) body.input = await readInput(values.input as string);
      const path = `/api/modules/${seg(moduleId)}/run`;
      return await submitted(ctx, await ctx.client.json<RunView>("POST", path, body), values);
    },
  },
  {
    name: "runs",
    summary: "List runs, newest first",
    positionals: [],
    options: {
      module: { type: "string", value: "MODULE", help: "Only runs of this module" },
      status: { type: "string", value: "STATUS", help: `Only runs in: ${STATUSES.join(", ")}` },
      limit: { type: "string", value: "N", help: "At most N runs (1..100, default 50)" },
    },
    async run(ctx, { values }) {
      const query = new URLSearchParams();
      if (values.module) query.set("module_id", values.module as string);
      if (values.status) query.set("status", values.status as string);
      const limit = intOption(values, "limit", 1, 100);
      if (limit !== undefined) query.set("limit", String(limit));
      const page = await ctx.client.get<{ runs: RunView[] }>(`/api/runs?${query}`);
      ctx.term.out(values.json ? JSON.stringify(page, null, 2) + "\n" : runsTable(page.runs));
      return 0;
    },
  },
  {
    name: "logs",
    summary: "Print a run's log",
    description: "With --follow it goes on printing live lines until the run ends and exits " +
      "like run --follow.",
    positionals: [{ name: "RUN_ID", help: "The run's id" }],
    options: {
      follow: FOLLOW,
      tail: { type: "string", value: "N", help: "Only the last N lines (1..10000)" },
      level: { type: "string", value: "LEVEL", help: `Only lines of LEVEL and above` },
      "cancel-on-interrupt": CANCEL_ON_INTERRUPT,
    },
    async run(ctx, { positionals: [runId], values }) {
      const levels = levelsFrom(values);
      if (!values.follow) {
        await printStoredLogs(ctx, runId, values);
        return 0;
      }
      const run = await ctx.client.get<RunView>(`/api/runs/${seg(runId)}`);
      const tail = intOption(values, "tail", 1, 10_000);
      const after = tail === undefined ? 0 : Math.max(0, run.log_lines - tail);
      return await watchRun(ctx, run, {
        after,
        json: values.json === true,
        cancelOnInterrupt: values["cancel-on-interrupt"] === true,
        levels,
      });
    },
  },
  {
    name: "cancel",
    summary: "Cancel a queued or running run",
    positionals: [{ name: "RUN_ID", help: "The run's id" }],
    options: {},
    async run(ctx, { positionals: [runId], values }) {
      const run = await ctx.client.json<RunView>("DELETE", `/api/runs/${seg(runId)}`);
      printRun(ctx, run, values.json === true);
      return 0;
    },
  },
  {
    name: "rerun",
    summary: "Run a run's module again with its values (-p replaces some)",
    positionals: [{ name: "RUN_ID", help: "The run to repeat" }],
    options: { param: PARAM, follow: FOLLOW, "cancel-on-interrupt": CANCEL_ON_INTERRUPT },
    async run(ctx, { positionals: [runId], values }) {
      const old = await ctx.client.get<RunView>(`/api/runs/${seg(runId)}`);
      const parameters = await parametersFor(ctx, old.module_id, values);
      const path = `/api/runs/${seg(runId)}/rerun`;
      return await submitted(
        ctx,
        await ctx.client.json<RunView>("POST", path, { parameters }),
        values,
      );
    },
  },
  ...PIPELINE_COMMANDS,
  ...SERVICE_COMMANDS,
];
