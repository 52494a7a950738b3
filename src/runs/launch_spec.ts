import { dirname } from "node:path";
import { buildArgs } from "../modules/args.ts";
import { maskSecrets, secretNames } from "../modules/secrets.ts";
import type { CatalogModule } from "../modules/catalog.ts";
import { scriptCommand } from "../process/interpreter.ts";
import type { SpawnSpec } from "../process/spawn.ts";
import type { RunRecord } from "./model.ts";

/**
 * What to start for a run (no shell: argv straight from the argument builder, cwd = the
 * script's folder, the contract's environment) and the command line to log, passwords masked.
 */
export function launchSpec(
  module: CatalogModule,
  record: RunRecord,
  outputDir: string,
): { spec: SpawnSpec; display: string } {
  const { program, leadingArgs } = scriptCommand(module.interpreter ?? "", module.scriptPath);
  const { parameters } = module.def;
  const shown = maskSecrets(record.parameters, secretNames(parameters, record.parameters));
  return {
    spec: {
      program,
      args: [...leadingArgs, ...buildArgs(parameters, record.parameters)],
      cwd: dirname(module.scriptPath),
      env: {
        ...module.def.env,
        PYTHONUNBUFFERED: "1",
        PYTHONIOENCODING: "utf-8",
        PRISMQ_RUN_ID: record.run_id,
        PRISMQ_MODULE_ID: record.module_id,
        PRISMQ_OUTPUT_DIR: outputDir,
      },
    },
    display: [program, ...leadingArgs, ...buildArgs(parameters, shown)].map(escapeControls)
      .join(" "),
  };
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
