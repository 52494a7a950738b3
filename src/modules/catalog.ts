import { dirname, resolve } from "node:path";
import { ConfigError, moduleNotFound } from "../errors.ts";
import { findExecutable, isExecutableFile, scriptCommand } from "../process/interpreter.ts";
import { runsThroughCmd } from "../process/batch_args.ts";
import { venvInterpreter } from "../process/venv.ts";
import { type CommandTemplate, expandTemplate, parseCommandTemplate } from "./command_template.ts";
import { readDotenv } from "./dotenv.ts";
import { ParameterValidator } from "./params.ts";
import { type ModuleDef, moduleFileSchema, moduleSchema } from "./schema.ts";
import { moduleUses, parsePools } from "../pools/catalog_pools.ts";
import type { PoolUse } from "../pools/schema.ts";
import { type CatalogPipeline, parsePipelines } from "../pipelines/catalog.ts";
import type { Requirements } from "../envs/key.ts";

/** A module of the catalog, with its paths resolved and its parameters compiled. */
export interface CatalogModule {
  def: ModuleDef;
  /** Absolute path of the script. */
  scriptPath: string;
  /** The interpreter name or path for `.py` scripts, null when the script runs directly. */
  interpreter: string | null;
  validator: ParameterValidator;
  /** The pools each run holds slots of, in `uses` order (empty when none). */
  uses: PoolUse[];
  /** The module's `{python}`: its venv's interpreter, `interpreter`, or PRISMQ_PYTHON. */
  python: string;
  /** The parsed `command`, or null for the default command line. */
  command: CommandTemplate | null;
  /** Parameters written through `{param:NAME}` (never with a flag). */
  templateParams: ReadonlySet<string>;
  /** Absolute folder the child starts in. */
  workingDir: string;
  /** Absolute venv folder, or null. */
  venv: string | null;
  /** Its `requirements` (a file resolved), or null: then it runs without a built environment. */
  requirements: Requirements | null;
  /** Absolute dotenv file, or null. */
  envFile: string | null;
  /** Keys the dotenv file had at start (shown masked); empty when it had none or was missing. */
  envFileKeys: string[];
}

/** Whether a module can run now, and why not. */
export interface Availability {
  available: boolean;
  reason: string | null;
}

/** The modules of the module file, loaded once at start. */
export class ModuleCatalog {
  private readonly byId: Map<string, CatalogModule>;
  /**
   * Where each interpreter was last found on PATH. Looking again costs a failed stat per PATH
   * folder before it (0.3 ms of each run's submission here, with 9 folders); the one path found
   * is checked instead, and PATH searched again only once it is gone.
   */
  private readonly interpreters = new Map<string, string>();

  constructor(
    readonly modules: readonly CatalogModule[],
    /** The module file's `pools`: name -> slots. */
    readonly pools: Readonly<Record<string, number>> = {},
    /** The module file's `pipelines`, checked (src/pipelines/). */
    readonly pipelines: readonly CatalogPipeline[] = [],
  ) {
    this.byId = new Map(modules.map((m) => [m.def.id, m]));
  }

  /** The module with this id, or undefined. */
  get(id: string): CatalogModule | undefined {
    return this.byId.get(id);
  }

  /** The module with this id; 404 MODULE_NOT_FOUND when there is none. */
  require(id: string): CatalogModule {
    const module = this.byId.get(id);
    if (!module) throw moduleNotFound(id);
    return module;
  }

  /** Checks status, enabled flag, script and interpreter; cheap enough to call per request. */
  availability(module: CatalogModule): Availability {
    const { def } = module;
    if (!def.enabled) return { available: false, reason: "the module is disabled" };
    if (def.status !== "active") {
      return {
        available: false,
        reason: def.status === "maintenance"
          ? "the module is in maintenance"
          : "the module is inactive",
      };
    }
    try {
      if (!Deno.statSync(module.scriptPath).isFile) {
        return { available: false, reason: `script is not a file: ${module.scriptPath}` };
      }
    } catch {
      return { available: false, reason: `script not found: ${module.scriptPath}` };
    }
    if (module.venv !== null && !isFile(module.python)) {
      return { available: false, reason: `venv not found: ${module.venv} has no ${module.python}` };
    }
    const needsPython = module.interpreter !== null || module.command?.usesPython === true;
    if (needsPython && !this.interpreterFound(module.python)) {
      return { available: false, reason: `interpreter not found: ${module.python}` };
    }
    return { available: true, reason: null };
  }

  private interpreterFound(command: string): boolean {
    const known = this.interpreters.get(command);
    if (known !== undefined && isExecutableFile(known)) return true;
    const found = findExecutable(command);
    if (found === null) this.interpreters.delete(command);
    else this.interpreters.set(command, found);
    return found !== null;
  }
}

/** Reads and checks the module file; throws ConfigError naming the module and field at fault. */
export function loadCatalog(modulesPath: string, defaultPython: string): ModuleCatalog {
  let text: string;
  try {
    text = Deno.readTextFileSync(modulesPath);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "file not found" : (err as Error).message;
    throw new ConfigError(`invalid setting PRISMQ_MODULES=${JSON.stringify(modulesPath)}: ${why}`);
  }
  return parseCatalog(text, modulesPath, defaultPython);
}

/** Parses module file text; `modulesPath` anchors relative script paths. */
export function parseCatalog(
  text: string,
  modulesPath: string,
  defaultPython: string,
  os: typeof Deno.build.os = Deno.build.os,
): ModuleCatalog {
  const where = `module file ${modulesPath}`;
  let json: unknown;
  try {
    // Windows editors (Notepad) start UTF-8 files with a byte order mark.
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    throw new ConfigError(
      `${where}: not valid JSON (${(err as Error).message.replaceAll(/\s+/g, " ")})`,
    );
  }
  const file = moduleFileSchema.safeParse(json);
  if (!file.success) throw new ConfigError(`${where}: expected {"modules": [...]}`);
  const pools = parsePools(file.data.pools, where);
  const baseDir = dirname(modulesPath);
  const seen = new Set<string>();
  const modules = file.data.modules.map((raw, index) => {
    const parsed = moduleSchema.safeParse(raw);
    const label = moduleLabel(raw, index);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`${where}: ${label}, field ${fieldPath(issue.path)}: ${issue.message}`);
    }
    const def = parsed.data;
    if (seen.has(def.id)) {
      throw new ConfigError(`${where}: ${label}, field id: duplicate module id`);
    }
    seen.add(def.id);
    const scriptPath = resolve(baseDir, def.script_path);
    const venv = def.venv === undefined ? null : resolve(baseDir, def.venv);
    const python = venv === null ? def.interpreter ?? defaultPython : venvInterpreter(venv);
    const { program, leadingArgs } = scriptCommand(python, scriptPath);
    const command = def.command === undefined ? null : templateOf(def.command, def.parameters);
    const envFile = def.env_file === undefined ? null : resolve(baseDir, def.env_file);
    return {
      def,
      scriptPath,
      // With a command the template says where the interpreter goes.
      interpreter: command === null && leadingArgs.length > 0 ? python : null,
      uses: moduleUses(def.uses, pools, { where, label }),
      validator: new ParameterValidator(def.parameters, {
        batchArguments: runsThroughCmd(
          command === null ? program : templateProgram(command, python, scriptPath),
          os,
        ),
      }),
      python,
      command,
      templateParams: new Set(
        command?.parts.flatMap((p) => p.kind === "param" ? [p.name] : []) ?? [],
      ),
      workingDir: def.working_dir === undefined
        ? dirname(scriptPath)
        : resolve(baseDir, def.working_dir),
      venv,
      requirements: typeof def.requirements === "string"
        ? { kind: "file" as const, path: resolve(baseDir, def.requirements) }
        : def.requirements === undefined
        ? null
        : { kind: "list" as const, lines: def.requirements, baseDir },
      envFile,
      envFileKeys: envFile === null ? [] : keysAtStart(envFile),
    };
  });
  const pipelines = parsePipelines(file.data.pipelines, modules.map((m) => m.def), where);
  return new ModuleCatalog(modules, pools, pipelines);
}

function moduleLabel(raw: unknown, index: number): string {
  const id = typeof raw === "object" && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === "string" ? `module "${id}"` : `module #${index + 1}`;
}

function fieldPath(path: PropertyKey[]): string {
  return path.map((p, i) =>
    typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`
  )
    .join("") || "(module)";
}

/** The template of a `command` the schema has already checked. */
/** The program a `command` starts: its first element (`{python}`, `{script}` or a path). */
function templateProgram(command: CommandTemplate, python: string, script: string): string {
  const values = { python, script, params: [], param: new Map(), runId: "", replica: 1 };
  return expandTemplate(command, values)[0] ?? python;
}

function templateOf(command: string[], parameters: ModuleDef["parameters"]): CommandTemplate {
  const parsed = parseCommandTemplate(command, new Map(parameters.map((p) => [p.name, p.type])));
  if (!parsed.ok) throw new ConfigError(`command: ${parsed.error.message}`);
  return parsed.template;
}

/** The keys a dotenv file has now (none when it cannot be read: each run start says why). */
function keysAtStart(path: string): string[] {
  try {
    return Object.keys(readDotenv(path).values);
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
