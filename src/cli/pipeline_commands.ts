import type { ParameterDef } from "../modules/schema.ts";
import type { PipelineRunView } from "../pipelines/model.ts";
import { seg } from "./client.ts";
import { typedParameters } from "./params.ts";
import type { CommandContext, CommandSpec } from "./spec.ts";

const FINAL = ["completed", "failed", "cancelled"];

interface PipelineSummary {
  id: string;
  name: string;
  parameters: ParameterDef[];
  steps: { id: string }[];
  total_runs: number;
}

/** One line per step: its id, status and run id. */
function stepLines(run: PipelineRunView): string {
  return run.steps.map((s) =>
    `  ${s.step_id.padEnd(20)} ${s.status.padEnd(10)} ${s.run_id ?? ""}` +
    (s.error_message ? `  ${s.error_message}` : "") + "\n"
  ).join("");
}

function summary(run: PipelineRunView): string {
  return `pipeline run ${run.pipeline_run_id} (${run.pipeline_id}): ${run.status}` +
    (run.error_message ? ` (${run.error_message})` : "") + "\n" + stepLines(run);
}

/** Prints each change of the pipeline run until it is final; exits 0, 1 (failed) or 130. */
async function follow(ctx: CommandContext, run: PipelineRunView, json: boolean) {
  let last = "";
  for (;;) {
    const text = JSON.stringify(run.steps.map((s) => [s.status, s.run_id]).concat([run.status]));
    if (text !== last) {
      ctx.term.out(json ? JSON.stringify(run) + "\n" : summary(run));
      last = text;
    }
    if (FINAL.includes(run.status)) break;
    await new Promise((r) => setTimeout(r, 500));
    run = await ctx.client.get<PipelineRunView>(`/api/pipeline-runs/${seg(run.pipeline_run_id)}`);
  }
  return run.status === "completed" ? 0 : run.status === "cancelled" ? 130 : 1;
}

/** The pipeline commands of the client (joined to COMMANDS in commands.ts). */
export const PIPELINE_COMMANDS: readonly CommandSpec[] = [
  {
    name: "pipelines",
    summary: "List the pipelines",
    positionals: [],
    options: {},
    async run(ctx, { values }) {
      const { pipelines } = await ctx.client.get<{ pipelines: PipelineSummary[] }>(
        "/api/pipelines",
      );
      ctx.term.out(
        values.json
          ? JSON.stringify(pipelines, null, 2) + "\n"
          : pipelines.map((p) =>
            `${p.id.padEnd(24)} ${p.name}  (${p.steps.map((s) => s.id).join(" -> ")}; ` +
            `${p.total_runs} runs)\n`
          ).join(""),
      );
      return 0;
    },
  },
  {
    name: "pipeline-run",
    summary: "Start a pipeline run",
    positionals: [{ name: "PIPELINE", help: "The pipeline's id" }],
    options: {
      param: {
        type: "string",
        short: "p",
        multiple: true,
        value: "NAME=VALUE",
        help: "A pipeline parameter value (repeat for more)",
      },
      follow: {
        type: "boolean",
        short: "f",
        help: "Print each step's status until the pipeline run ends; exit 0 when completed",
      },
    },
    async run(ctx, { values, positionals }) {
      const id = positionals[0];
      const given = (values.param as string[] | undefined) ?? [];
      const pipeline = await ctx.client.get<PipelineSummary>(`/api/pipelines/${seg(id)}`);
      const parameters = typedParameters(given, pipeline.parameters);
      const run = await ctx.client.json<PipelineRunView>(
        "POST",
        `/api/pipelines/${seg(id)}/run`,
        { parameters },
      );
      if (values.follow) return await follow(ctx, run, values.json === true);
      ctx.term.out(values.json ? JSON.stringify(run, null, 2) + "\n" : summary(run));
      return 0;
    },
  },
];
