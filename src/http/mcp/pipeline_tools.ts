import { z } from "@hono/zod-openapi";
import { isPipelineFinal } from "../../pipelines/model.ts";
import type { Services } from "../../services.ts";
import { PipelineIdParam, PipelineRun, PipelineRunBody } from "../routes/pipeline_schemas.ts";
import { MAX_WAIT_SECONDS } from "./schemas.ts";

/** run_pipeline: the pipeline run route's path and body, and how long to wait for its end. */
export const RunPipelineArgs = PipelineRunBody.extend({
  pipeline_id: PipelineIdParam.shape.id,
  wait_seconds: z.number().min(0).max(MAX_WAIT_SECONDS).default(0).describe(
    "Wait up to this long for the pipeline run to end (0: answer at once)",
  ),
});

/** get_pipeline_run: the pipeline run's id, as its routes take it in their path. */
export const PipelineRunIdArgs = z.object({ pipeline_run_id: z.string() });

/** Waits (polling; any server may advance it) until the pipeline run is final or time is up. */
export async function waitPipeline(
  s: Services,
  id: string,
  ms: number,
  signal: AbortSignal,
) {
  const deadline = Date.now() + ms;
  let view = await s.pipelines.get(id);
  while (!isPipelineFinal(view.status) && Date.now() < deadline && !signal.aborted) {
    await new Promise((r) => setTimeout(r, 200));
    view = await s.pipelines.get(id);
  }
  return view;
}

/** The pipeline tools' specs (joined to TOOLS in tools.ts). */
export const PIPELINE_TOOL_SPECS = [
  {
    name: "run_pipeline",
    title: "Run a pipeline",
    description: "Starts a pipeline run and answers it; with wait_seconds, waits up to that " +
      "long for it to end.",
    input: RunPipelineArgs,
    output: PipelineRun,
    readOnly: false,
    async call(s: Services, args: z.output<typeof RunPipelineArgs>, signal: AbortSignal) {
      const run = await s.pipelines.start({
        pipelineId: args.pipeline_id,
        parameters: args.parameters,
      });
      if (args.wait_seconds === 0) return run;
      return await waitPipeline(s, run.pipeline_run_id, args.wait_seconds * 1000, signal);
    },
  },
  {
    name: "get_pipeline_run",
    title: "Get a pipeline run",
    description: "One pipeline run with each step's status and run id.",
    input: PipelineRunIdArgs,
    output: PipelineRun,
    readOnly: true,
    call: (s: Services, args: z.output<typeof PipelineRunIdArgs>) =>
      s.pipelines.get(args.pipeline_run_id),
  },
] as const;
