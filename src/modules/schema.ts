import { z } from "zod";
import { compilePattern } from "./pattern.ts";
import { hostLabelsSchema, usesSchema } from "../pools/schema.ts";
import { isKnownEncoding } from "../logs/transcode.ts";
import { checkRealModuleKeys } from "./real_module_checks.ts";

export const PARAMETER_TYPES = ["text", "number", "select", "checkbox", "password"] as const;
export const MODULE_STATUSES = ["active", "inactive", "maintenance"] as const;

/** A parameter value: given to a run, stored with it, passed to its script. Declared once here. */
export const paramValueSchema = z.union([z.string(), z.number(), z.boolean()]);

/** A parameter value after validation. */
export type ParamValue = z.infer<typeof paramValueSchema>;

/** One parameter of a module, as written in the module file (unknown keys dropped). */
export const parameterSchema = z.object({
  name: z.string().regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/,
    "must be letters, digits, '_', '-' or '.', not starting with '-'",
  ),
  type: z.enum(PARAMETER_TYPES),
  default: paramValueSchema.nullable().optional(),
  required: z.boolean().default(false),
  description: z.string().optional(),
  label: z.string().optional(),
  placeholder: z.string().optional(),
  options: z.array(z.union([z.string(), z.number()])).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  validation: z.object({ pattern: z.string(), message: z.string().optional() }).optional(),
  conditional_display: z.object({ field: z.string(), value: paramValueSchema }).optional(),
  warning: z.string().optional(),
  /** How the value is written: a flag instead of `--NAME`, `positional`, or `none`. */
  arg: z.union([
    z.enum(["positional", "none"]),
    z.string().regex(
      /^--?[A-Za-z0-9][A-Za-z0-9_.-]*$/,
      'must be a flag such as "--max-results" or "-n", "positional" or "none"',
    ),
  ]).optional(),
});

export type ParameterDef = z.infer<typeof parameterSchema>;

/** One module of the module file (PrismQ's format plus this runner's additions). */
export const moduleSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, '-' or '_'"),
  name: z.string().min(1),
  description: z.string(),
  category: z.string(),
  script_path: z.string().min(1),
  version: z.string().default("1.0.0"),
  parameters: z.array(parameterSchema).default([]),
  tags: z.array(z.string()).default([]),
  status: z.enum(MODULE_STATUSES).default("active"),
  enabled: z.boolean().default(true),
  interpreter: z.string().min(1).optional(),
  timeout_seconds: z.number().positive().max(2_147_483, "must be at most 2147483 (about 24 days)")
    .optional(),
  max_concurrent_runs: z.number().int().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  /** Failed runs (not cancelled ones) are tried again this many times. */
  retries: z.number().int().min(0).max(10).default(0),
  retry_delay_seconds: z.number().min(0).max(86_400).default(10),
  /** Where this module's final runs are POSTed, besides PRISMQ_WEBHOOK_URL. */
  webhook_url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .optional(),
  /** Pools whose slots each run holds (pools/): names (one slot each) or name -> slots. */
  uses: usesSchema.optional(),
  /** Its runs start only on a server carrying every one of these labels. */
  host_labels: hostLabelsSchema.optional(),
  /** How the child's stdout and stderr are encoded (a TextDecoder label; default UTF-8). */
  output_encoding: z.string().refine(
    isKnownEncoding,
    "is not an encoding TextDecoder knows (e.g. utf-8, windows-1252, ibm866, shift_jis) nor ibm437 or ibm850",
  ).optional(),
  /** The argv with placeholders (command_template.ts), replacing the default command. */
  command: z.array(z.string()).min(1).optional(),
  /** The child's working directory, against the module file's folder (default: the script's). */
  working_dir: z.string().min(1).optional(),
  /** A virtual environment folder whose interpreter runs the module. */
  venv: z.string().min(1).optional(),
  /** A dotenv file read at each run start. */
  env_file: z.string().min(1).optional(),
  /** `input`: the run's input is written to the child's stdin. */
  stdin: z.enum(["none", "input"]).default("none"),
}).superRefine((module, ctx) => {
  checkRealModuleKeys(module, ctx);
  const names = new Set<string>();
  module.parameters.forEach((p, i) => {
    const at = (field: string) => ["parameters", i, field];
    if (names.has(p.name)) {
      ctx.addIssue({
        code: "custom",
        path: at("name"),
        message: `duplicate parameter "${p.name}"`,
      });
    }
    names.add(p.name);
    if (p.type === "select" && (!p.options || p.options.length === 0)) {
      ctx.addIssue({
        code: "custom",
        path: at("options"),
        message: "a select needs a non-empty options list",
      });
    }
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) {
      ctx.addIssue({ code: "custom", path: at("min"), message: "min is greater than max" });
    }
    if (p.validation) {
      try {
        compilePattern(p.validation.pattern);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        ctx.addIssue({
          code: "custom",
          path: at("validation"),
          message:
            `pattern is not a regular expression that can be matched in linear time (${why})`,
        });
      }
    }
    if (p.default !== undefined && p.default !== null && !defaultFits(p)) {
      ctx.addIssue({
        code: "custom",
        path: at("default"),
        message: `default does not fit a ${p.type} parameter`,
      });
    }
  });
  module.parameters.forEach((p, i) => {
    const cond = p.conditional_display;
    if (cond && (cond.field === p.name || !names.has(cond.field))) {
      ctx.addIssue({
        code: "custom",
        path: ["parameters", i, "conditional_display"],
        message: `refers to unknown parameter "${cond.field}"`,
      });
    }
  });
});

function defaultFits(p: ParameterDef): boolean {
  const d = p.default;
  switch (p.type) {
    case "number":
      return typeof d === "number";
    case "checkbox":
      return typeof d === "boolean";
    case "select":
      return d === "" || (p.options ?? []).some((o) => String(o) === String(d));
    default:
      return typeof d === "string";
  }
}

export type ModuleDef = z.infer<typeof moduleSchema>;

/** The module file: `{"modules": [...]}`. */
export const moduleFileSchema = z.object({
  modules: z.array(z.unknown()),
  /** Resource pools: name -> slots (checked in pools/catalog_pools.ts). */
  pools: z.unknown().optional(),
});
