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

/**
 * One parameter of a module, as written in the module file (unknown keys dropped). The fields'
 * descriptions are the documentation: `deno task docs` writes docs/module-file.md from them.
 */
export const parameterSchema = z.object({
  name: z.string().regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/,
    "must be letters, digits, '_', '-' or '.', not starting with '-'",
  ).describe("passed to the script as `--NAME`; unique within the module"),
  type: z.enum(PARAMETER_TYPES).describe("the kind of value, and of form control"),
  default: paramValueSchema.nullable().optional()
    .describe("the value when none is given; must fit the type (a select: one of its options)"),
  required: z.boolean().default(false).describe("a run without a value is refused"),
  description: z.string().optional().describe("help text under the form control"),
  label: z.string().optional().describe("the form control's label (the name when missing)"),
  placeholder: z.string().optional().describe("shown in an empty text or number field"),
  options: z.array(z.union([z.string(), z.number()])).optional()
    .describe("a select's choices (required for a select)"),
  min: z.number().optional().describe("a number's smallest value"),
  max: z.number().optional().describe("a number's largest value"),
  validation: z.object({ pattern: z.string(), message: z.string().optional() }).optional()
    .describe("text, password: a value must match `pattern` (RE2 syntax); `message` says why not"),
  conditional_display: z.object({ field: z.string(), value: paramValueSchema }).optional()
    .describe("applies only while parameter `field` has `value`; otherwise not checked nor passed"),
  warning: z.string().optional().describe("a warning shown next to the form control"),
  arg: z.union([
    z.enum(["positional", "none"]),
    z.string().regex(
      /^--?[A-Za-z0-9][A-Za-z0-9_.-]*$/,
      'must be a flag such as "--max-results" or "-n", "positional" or "none"',
    ),
  ]).optional().describe(
    "how the value is written: this flag instead of `--NAME`, `positional` (the value alone) " +
      "or `none` (never written; for `{param:NAME}` in `command`)",
  ),
}).meta({ title: "PARAMETER" });

export type ParameterDef = z.infer<typeof parameterSchema>;

/** A module's `service`: how many copies run, and how they are restarted. */
export const serviceSchema = z.object({
  replicas: z.number().int().min(1).max(32).default(1)
    .describe("copies run side by side (1..32); each gets `PRISMQ_REPLICA` and `{replica}`"),
  restart: z.enum(["always", "on-failure", "never"]).default("always")
    .describe("when a replica whose run ended is started again"),
  restart_delay_seconds: z.number().min(0).max(300).default(1).describe(
    "wait before a restart; doubles after each restart in a row up to 300 s, back to this " +
      "after a replica stayed up 60 s",
  ),
  autostart: z.boolean().default(false)
    .describe("`running` when the store holds no desired state for the service yet"),
});
export type ServiceDef = z.infer<typeof serviceSchema>;

/**
 * One module of the module file (PrismQ's format plus this runner's additions). The fields'
 * descriptions are the documentation: `deno task docs` writes docs/module-file.md from them.
 */
export const moduleSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, '-' or '_'")
    .describe("unique; in URLs (`/api/modules/{id}`)"),
  name: z.string().min(1).describe("shown in the web UI"),
  description: z.string().describe("shown in the web UI"),
  category: z.string().describe("the web UI groups modules by it"),
  script_path: z.string().min(1)
    .describe("the script, relative to the module file's folder; it runs in its own folder"),
  version: z.string().default("1.0.0").describe("shown in module views"),
  parameters: z.array(parameterSchema).default([]).describe("the run's inputs, in this order"),
  tags: z.array(z.string()).default([]).describe("searched by the web UI"),
  status: z.enum(MODULE_STATUSES).default("active").describe(
    "a module that is not `active` is listed but cannot run",
  ),
  enabled: z.boolean().default(true).describe("a disabled module is listed but cannot run"),
  interpreter: z.string().min(1).optional()
    .describe("runs a `.py` script in place of `PRISMQ_PYTHON`; other scripts run directly"),
  timeout_seconds: z.number().positive().max(2_147_483, "must be at most 2147483 (about 24 days)")
    .optional().describe("wall-clock limit of a run (else `PRISMQ_RUN_TIMEOUT_SECONDS`)"),
  max_concurrent_runs: z.number().int().min(1).optional()
    .describe("this module's runs `running` at once, across all servers"),
  env: z.record(z.string(), z.string()).optional()
    .describe("extra environment variables of the script (values never shown by the API)"),
  /** Failed runs (not cancelled ones) are tried again this many times. */
  retries: z.number().int().min(0).max(10).default(0)
    .describe("a failed run (not a cancelled one) is tried again this many times"),
  retry_delay_seconds: z.number().min(0).max(86_400).default(10)
    .describe("wait before each retry"),
  /** Where this module's final runs are POSTed, besides PRISMQ_WEBHOOK_URL. */
  webhook_url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .optional().describe("this module's final runs are POSTed here, besides `PRISMQ_WEBHOOK_URL`"),
  uses: usesSchema.optional().describe(
    "pools whose slots each run holds: names (one slot each) or name -> slots (see pools.md)",
  ),
  host_labels: hostLabelsSchema.optional().describe(
    "runs start only on a server carrying every one of these labels (`PRISMQ_HOST_LABELS`)",
  ),
  output_encoding: z.string().refine(
    isKnownEncoding,
    "is not an encoding TextDecoder knows (e.g. utf-8, windows-1252, ibm866, shift_jis) nor ibm437 or ibm850",
  ).optional().describe(
    "how the child's stdout and stderr are encoded: a TextDecoder label (default `utf-8`)",
  ),
  command: z.array(z.string()).min(1).optional().describe(
    "the argv with placeholders `{python}`, `{script}`, `{params}`, `{param:NAME}`, `{run_id}`, " +
      "`{replica}`, replacing the default command line (see real-modules.md)",
  ),
  working_dir: z.string().min(1).optional().describe(
    "the child's working directory, against the module file's folder (default: the script's)",
  ),
  venv: z.string().min(1).optional().describe(
    "a virtual environment folder whose interpreter is `{python}` (not with `interpreter`)",
  ),
  requirements: z.union([z.string().min(1), z.array(z.string())]).optional().describe(
    "a requirements file (against the module file's folder) or a list of requirement lines: " +
      "the module runs in an environment the server builds (see environments.md; not with `venv`)",
  ),
  env_file: z.string().min(1).optional().describe(
    "a dotenv file read at each run start; its values are never shown",
  ),
  stdin: z.enum(["none", "input"]).default("none").describe(
    "`input`: the run's `input` is written to the child's stdin, then closed",
  ),
  service: serviceSchema.optional().describe(
    "makes the module a service: replicas kept running until stopped (see services.md)",
  ),
}).superRefine((module, ctx) => {
  checkRealModuleKeys(module, ctx);
  if (module.service !== undefined) {
    module.parameters.forEach((p, i) => {
      if (p.type !== "password") return;
      ctx.addIssue({
        code: "custom",
        path: ["parameters", i, "type"],
        message:
          "a service module may not have a password parameter (restarts would need its value kept)",
      });
    });
  }
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
  /** Pipelines: chains of steps (checked in pipelines/catalog.ts). */
  pipelines: z.unknown().optional(),
});
