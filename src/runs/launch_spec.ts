import { buildArgs, valueText } from "../modules/args.ts";
import { expandTemplate } from "../modules/command_template.ts";
import { readDotenv } from "../modules/dotenv.ts";
import { maskSecrets, secretNames } from "../modules/secrets.ts";
import type { CatalogModule } from "../modules/catalog.ts";
import type { ParamValue } from "../modules/schema.ts";
import { scriptCommand } from "../process/interpreter.ts";
import type { SpawnSpec } from "../process/spawn.ts";
import { venvEnvironment } from "../process/venv.ts";
import type { RunRecord } from "./model.ts";

/** A run that cannot be started as its module says (a missing `env_file`): the run fails. */
export class LaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LaunchError";
  }
}

/** What to start, the command line to log, and `system` lines to write before it. */
export interface Launch {
  spec: SpawnSpec;
  display: string;
  notices: string[];
}

/**
 * What to start for a run (no shell: argv from the module's `command` or the default
 * `[interpreter,] script, --NAME VALUE...`, cwd = `working_dir` or the script's folder, the
 * contract's environment: venv, then `env_file`, then `env`, then the runner's own variables)
 * and the command line to log, passwords masked. Reads the module's `env_file` now.
 */
export function launchSpec(
  module: CatalogModule,
  record: RunRecord,
  outputDir: string,
): Launch {
  const { parameters } = module.def;
  const shown = maskSecrets(record.parameters, secretNames(parameters, record.parameters));
  const argv = commandLine(module, record, record.parameters);
  const { values: fileEnv, notices } = envFileValues(module);
  return {
    spec: {
      program: argv[0],
      args: argv.slice(1),
      cwd: module.workingDir,
      env: {
        ...(module.venv === null ? {} : venvEnvironment(module.venv, Deno.env.get("PATH"))),
        ...fileEnv,
        ...module.def.env,
        PYTHONUNBUFFERED: "1",
        PYTHONIOENCODING: "utf-8",
        PRISMQ_RUN_ID: record.run_id,
        PRISMQ_MODULE_ID: record.module_id,
        PRISMQ_OUTPUT_DIR: outputDir,
        ...(record.replica === null ? {} : {
          PRISMQ_REPLICA: String(record.replica),
          PRISMQ_REPLICAS: String(module.def.service?.replicas ?? 1),
        }),
      },
    },
    display: commandLine(module, record, shown).map(escapeControls).join(" "),
    notices,
  };
}

/** The argv for the given values (the real ones, or masked ones for the log). */
function commandLine(
  module: CatalogModule,
  record: RunRecord,
  values: Readonly<Record<string, ParamValue>>,
): string[] {
  const { parameters } = module.def;
  if (module.command === null) {
    const { program, leadingArgs } = scriptCommand(module.interpreter ?? "", module.scriptPath);
    return [program, ...leadingArgs, ...buildArgs(parameters, values)];
  }
  const param = new Map<string, string>();
  for (const name of module.templateParams) {
    const value = values[name];
    if (value !== undefined && typeof value !== "boolean") param.set(name, valueText(value));
  }
  return expandTemplate(module.command, {
    python: module.python,
    script: module.scriptPath,
    params: buildArgs(parameters, values),
    param,
    runId: record.run_id,
    replica: record.replica ?? 1,
  });
}

/** The module's dotenv values, read now; a missing file is a LaunchError naming it. */
function envFileValues(
  module: CatalogModule,
): { values: Record<string, string>; notices: string[] } {
  if (module.envFile === null) return { values: {}, notices: [] };
  try {
    const { values, badLines } = readDotenv(module.envFile);
    const notices = badLines.map((n) =>
      `env_file ${module.envFile}: line ${n} is not KEY=VALUE, skipped`
    );
    return { values, notices };
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "file not found"
      : err instanceof Error
      ? err.message
      : String(err);
    throw new LaunchError(`env_file ${module.envFile} could not be read: ${why}`);
  }
}

/**
 * A value as it may stand inside a `system` line: control characters escaped (`\n`, `\x1b`),
 * so a parameter value cannot end the line and forge another one in the downloaded log.
 */
export function escapeControls(text: string): string {
  // deno-lint-ignore no-control-regex -- control characters are exactly what is looked for
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}
