import { dirname, join } from "node:path";
import type { CatalogModule } from "../modules/catalog.ts";
import { readDotenv } from "../modules/dotenv.ts";
import { runSteps } from "./builder.ts";
import { environmentKey, type InterpreterIdentity, type Requirements } from "./key.ts";
import { requirementLines } from "./key.ts";
import { interpreterIdentity } from "./key.ts";
import { type EnvLayout, removeDir, writeMarker } from "./layout.ts";
import type { LastBuilds } from "./last_build.ts";
import { installedPackages } from "./packages.ts";
import { buildSteps, type EnvTool } from "./tool.ts";

/** A module's environment, named: its id, the interpreter and lines it is made of. */
export interface ResolvedEnv {
  envId: string;
  identity: InterpreterIdentity;
  lines: string[];
  requirements: Requirements;
}

/** Names a module's environment now (reads its requirements file and asks the interpreter). */
export function resolveEnv(module: CatalogModule, requirements: Requirements): ResolvedEnv {
  const lines = requirementLines(requirements);
  const identity = interpreterIdentity(module.python);
  return { envId: environmentKey(identity, lines), identity, lines, requirements };
}

/** How a build ended: the complete build folder, or why not. */
export type BuildResult = { ok: true; dir: string } | { ok: false; reason: string };

/** One build under way. */
export interface Build {
  dir: string;
  /** Everything it said so far (for a follower that comes late and the last-build log). */
  lines: string[];
  /** Who hears each new line (the run that builds, runs waiting for it). */
  followers: Set<(line: string) => void>;
  controller: AbortController;
  result: Promise<BuildResult>;
}

/** What a build needs besides the module. */
export interface BuildContext {
  layout: EnvLayout;
  lastBuilds: LastBuilds;
  tool: EnvTool | { error: string };
}

/**
 * Starts building an environment into a fresh build folder of its own: the venv, then the
 * requirements installed, then the package list and, last, the marker that makes it usable. A
 * build that fails or is stopped leaves no folder; one killed with the server leaves a folder
 * without marker, which is never used (and is swept).
 */
export function startBuild(module: CatalogModule, env: ResolvedEnv, ctx: BuildContext): Build {
  const dir = ctx.layout.newBuildDir(env.envId);
  const started = Date.now();
  const build: Build = {
    dir,
    lines: [],
    followers: new Set(),
    controller: new AbortController(),
    result: Promise.resolve({ ok: false, reason: "not started" }),
  };
  const say = (line: string) => {
    build.lines.push(line);
    for (const follower of build.followers) follower(line);
  };
  build.result = runBuild(module, env, ctx, { dir, say, signal: build.controller.signal })
    .catch((err) => ({ ok: false as const, reason: (err as Error).message ?? String(err) }))
    .then(async (result) => {
      if (!result.ok) await removeDir(dir).catch(() => {});
      if (!build.controller.signal.aborted) {
        ctx.lastBuilds.write(ctx.layout.envDir(env.envId), {
          status: result.ok ? "ready" : "failed",
          error: result.ok ? null : result.reason,
          started_at: started,
          ended_at: Date.now(),
        }, build.lines);
      }
      return result;
    });
  return build;
}

async function runBuild(
  module: CatalogModule,
  env: ResolvedEnv,
  ctx: BuildContext,
  run: { dir: string; say: (line: string) => void; signal: AbortSignal },
): Promise<BuildResult> {
  const started = performance.now();
  if ("error" in ctx.tool) {
    run.say(ctx.tool.error);
    return { ok: false, reason: ctx.tool.error };
  }
  const envDir = ctx.layout.envDir(env.envId);
  await Deno.mkdir(envDir, { recursive: true });
  const { file, cwd } = requirementsFile(env, envDir);
  run.say(
    `building environment ${env.envId} (Python ${env.identity.version}, ` +
      `${env.lines.length} requirement${env.lines.length === 1 ? "" : "s"}) with ${ctx.tool.kind}`,
  );
  const steps = buildSteps(ctx.tool, {
    python: env.identity.program,
    target: run.dir,
    requirementsFile: file,
  });
  const outcome = await runSteps(steps, {
    cwd,
    env: buildEnvironment(module),
    say: run.say,
    signal: run.signal,
  });
  if (!outcome.ok) return outcome;
  const seconds = Math.round((performance.now() - started) / 10) / 100;
  writeMarker(run.dir, {
    env_id: env.envId,
    python: env.identity.resolved,
    python_version: env.identity.version,
    requirements: env.lines,
    built_at: Date.now(),
    build_seconds: seconds,
    packages: installedPackages(run.dir),
  });
  run.say(`environment ${env.envId} built in ${seconds} s`);
  return { ok: true, dir: run.dir };
}

/**
 * The file pip reads and the folder it runs in: a requirements file as it is, in its own folder
 * (so its `-r` and relative paths work); a list written to `requirements.txt` of the environment,
 * run from the module file's folder.
 */
function requirementsFile(env: ResolvedEnv, envDir: string): { file: string; cwd: string } {
  if (env.requirements.kind === "file") {
    return { file: env.requirements.path, cwd: dirname(env.requirements.path) };
  }
  const file = join(envDir, "requirements.txt");
  Deno.writeTextFileSync(file, env.lines.join("\n") + "\n");
  return { file, cwd: env.requirements.baseDir };
}

/** The module's `env_file` then `env`: a build reads them too (`PIP_INDEX_URL`, `UV_*`). */
function buildEnvironment(module: CatalogModule): Record<string, string> {
  let fileValues: Record<string, string> = {};
  if (module.envFile !== null) {
    try {
      fileValues = readDotenv(module.envFile).values;
    } catch {
      // The run's start says the file is missing.
    }
  }
  return { ...fileValues, ...module.def.env };
}
