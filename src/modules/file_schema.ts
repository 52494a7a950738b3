import { z } from "zod";
import { moduleSchema } from "./schema.ts";
import { pipelineSchema } from "../pipelines/schema.ts";

let cached: Record<string, unknown> | null = null;

/**
 * The module file's JSON Schema, generated from the zod schema the server checks it with (as
 * written: defaults are optional keys), so an editor can check a module file before a start.
 * Checks that span fields (duplicate names, `command` placeholders) are only made at start.
 */
export function moduleFileJsonSchema(): Record<string, unknown> {
  cached ??= {
    ...z.toJSONSchema(
      z.object({ modules: z.array(moduleSchema), pipelines: z.array(pipelineSchema).optional() }),
      {
        io: "input",
        unrepresentable: "any",
      },
    ),
    title: "PrismQ module file",
  };
  return cached;
}
