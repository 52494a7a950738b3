import { z } from "zod";
import { parameterSchema, paramValueSchema } from "../modules/schema.ts";

/** What a step's needs must have ended as for it to run. */
export const STEP_WHEN = ["success", "failure", "always"] as const;
export type StepWhen = (typeof STEP_WHEN)[number];

/** One step of a pipeline as written in the module file. */
export const stepSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, '-' or '_'")
    .describe("the step's id, unique in its pipeline"),
  module: z.string().min(1).describe("the module the step runs"),
  parameters: z.record(z.string(), z.unknown()).default({})
    .describe("the step run's parameters: constants or `{{ ... }}` templates"),
  input: z.unknown().optional()
    .describe(
      'the step run\'s stdin input (a template or constant; modules with `stdin: "input"`)',
    ),
  needs: z.array(z.string()).optional()
    .describe("step ids that must end first (default: the step before it, none for the first)"),
  when: z.enum(STEP_WHEN).default("success")
    .describe("`success`: all needs completed; `failure`: some need failed; `always`: all final"),
});
export type StepDef = z.infer<typeof stepSchema>;

/** A pipeline as written in the module file. */
export const pipelineSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, '-' or '_'")
    .describe("the pipeline's id, unique among pipelines"),
  name: z.string().min(1).describe("shown in the web UI"),
  description: z.string().default("").describe("shown in the web UI"),
  parameters: z.array(parameterSchema).default([]).describe("the pipeline run's inputs"),
  steps: z.array(stepSchema).min(1).describe("the steps, each an ordinary run of a module"),
});

/** A checked pipeline: every step's `needs` filled in. */
export interface PipelineDef extends z.infer<typeof pipelineSchema> {
  steps: (StepDef & { needs: string[] })[];
}

/** Values a template may be filled with (a step's parameter). */
export const stepParamValueSchema = paramValueSchema;
