import { z } from "@hono/zod-openapi";
import { parametersJsonSchema } from "../../modules/json_schema.ts";
import { encodeInput, isFinal, waitForFinal } from "../../runs/mod.ts";
import type { Services } from "../../services.ts";
import { ArtifactList, LogPage, Run, RunList } from "../schemas.ts";
import {
  GetLogsArgs,
  ListArtifactsArgs,
  ListRunsArgs,
  RunIdArgs,
  RunModuleArgs,
} from "./schemas.ts";
import { artifactPage } from "../routes/artifacts.ts";
import { runPage } from "../routes/runs.ts";
import { PIPELINE_TOOL_SPECS } from "./pipeline_tools.ts";

/** One MCP tool: its arguments are a route's own schemas, its work the services' operations. */
export interface ToolSpec<A extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: A;
  /** The structured result's schema, when it is one of the API's components. */
  output?: z.ZodObject;
  /** The tool changes nothing (a hint for clients that ask before calling). */
  readOnly: boolean;
  /** `signal` aborts when the client leaves or the server shuts down. */
  call(s: Services, args: z.output<A>, signal: AbortSignal): Promise<object>;
}

/** A tool with its argument type checked against its schema. */
function tool<A extends z.ZodObject>(spec: ToolSpec<A>): ToolSpec {
  return spec as unknown as ToolSpec;
}

/** The tools of the MCP server. */
export const TOOLS: readonly ToolSpec[] = [
  tool({
    name: "list_modules",
    title: "List modules",
    description: "Every module with its availability; `parameters` is a JSON Schema of the " +
      "values run_module takes for it.",
    input: z.object({}),
    readOnly: true,
    async call(s) {
      const views = await s.moduleViews.list();
      const modules = views.map((view) => ({
        ...view,
        parameters: parametersJsonSchema(s.catalog.get(view.id)?.def.parameters ?? []),
      }));
      return { modules, total: modules.length };
    },
  }),
  tool({
    name: "run_module",
    title: "Run a module",
    description: "Starts a run of a module (queued when no slot is free) and answers the run; " +
      "with wait_seconds, waits up to that long for it to end.",
    input: RunModuleArgs,
    output: Run,
    readOnly: false,
    async call(s, args, signal) {
      const { module_id, wait_seconds, parameters, save_config, input, ...rest } = args;
      // A field the run route's body gains must be passed on here as the route passes it.
      rest satisfies Record<string, never>;
      const encoded = encodeInput(input, s.settings.maxInputBytes);
      const run = await s.runs.submit({
        moduleId: module_id,
        parameters,
        saveConfig: save_config,
        input: encoded,
      });
      if (wait_seconds === 0 || isFinal(run.status)) return run;
      const record = await waitForFinal(
        { record: (id) => s.runs.record(id), events: s.events },
        run.run_id,
        { ms: wait_seconds * 1000, signal },
      );
      return record === null ? run : await s.runs.view(record);
    },
  }),
  tool({
    name: "get_run",
    title: "Get a run",
    description: "One run: status, exit code, progress, result.",
    input: RunIdArgs,
    output: Run,
    readOnly: true,
    call: (s, args) => s.runs.get(args.run_id),
  }),
  tool({
    name: "get_logs",
    title: "Get a run's log",
    description: "Stored lines of a run: the last `tail`, or those after `after` (at most " +
      "`limit`), only those of `level` and above when given.",
    input: GetLogsArgs,
    output: LogPage,
    readOnly: true,
    call: ({ logReader }, { run_id, ...query }) => logReader.page(run_id, query),
  }),
  tool({
    name: "cancel_run",
    title: "Cancel a run",
    description: "Cancels a queued or running run and answers it once it is cancelled.",
    input: RunIdArgs,
    output: Run,
    readOnly: false,
    call: (s, args) => s.runs.cancel(args.run_id),
  }),
  tool({
    name: "list_runs",
    title: "List runs",
    description: "Runs, newest first, filtered by module, status and trigger, paged by cursor.",
    input: ListRunsArgs,
    output: RunList,
    readOnly: true,
    call: (s, q) => runPage(s, q),
  }),
  tool({
    name: "list_artifacts",
    title: "List a run's files",
    description: "The files a run wrote into its output folder (download them over HTTP at " +
      "/api/runs/{run_id}/artifacts/{name}).",
    input: ListArtifactsArgs,
    output: ArtifactList,
    readOnly: true,
    call: (s, { run_id, ...query }) => artifactPage(s, run_id, query),
  }),
  ...PIPELINE_TOOL_SPECS.map((spec) => tool(spec as never)),
];
