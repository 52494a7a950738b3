import { join } from "node:path";

/** The file written last into a build folder: its presence means the environment is complete. */
export const MARKER = "prismq-env.json";
/** Per environment: how its last build went, and that build's output. */
export const LAST_BUILD = "last-build.json";
export const LAST_BUILD_LOG = "last-build.log";
/** Build folders are named `b-<time>-<random>`: sorted by name, the newest is last. */
const BUILD_PREFIX = "b-";

/** What a complete build folder's marker holds. */
export interface EnvironmentMarker {
  env_id: string;
  python: string;
  python_version: string;
  requirements: string[];
  built_at: number;
  build_seconds: number;
  packages: { name: string; version: string }[];
}

/**
 * Where environments live: `<data dir>/envs/<env_id>/b-.../` (one folder per build, used only
 * once its marker is written; older builds go once no run uses them).
 */
export class EnvLayout {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, "envs");
  }

  /** The folder of one environment's builds and last-build files. */
  envDir(envId: string): string {
    return join(this.root, envId);
  }

  /** A fresh build folder's path (not created). */
  newBuildDir(envId: string): string {
    const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
    const time = Date.now().toString(36).padStart(10, "0");
    return join(this.envDir(envId), `${BUILD_PREFIX}${time}-${random}`);
  }

  /** The build folders of an environment, oldest first. */
  buildDirs(envId: string): string[] {
    try {
      return [...Deno.readDirSync(this.envDir(envId))]
        .filter((e) => e.isDirectory && e.name.startsWith(BUILD_PREFIX))
        .map((e) => e.name).sort().map((name) => join(this.envDir(envId), name));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
  }

  /** The newest complete build of an environment, or null. */
  readyBuild(envId: string): string | null {
    const complete = this.buildDirs(envId).filter((dir) => isComplete(dir));
    return complete.at(-1) ?? null;
  }

  /** The environment ids that have a folder. */
  envIds(): string[] {
    try {
      return [...Deno.readDirSync(this.root)].filter((e) => e.isDirectory).map((e) => e.name);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
  }
}

/** True when the build folder's marker was written (the build finished). */
export function isComplete(buildDir: string): boolean {
  try {
    return Deno.statSync(join(buildDir, MARKER)).isFile;
  } catch {
    return false;
  }
}

/** The marker of a complete build, or null. */
export function readMarker(buildDir: string): EnvironmentMarker | null {
  try {
    return JSON.parse(Deno.readTextFileSync(join(buildDir, MARKER)));
  } catch {
    return null;
  }
}

/** Writes the marker last and atomically (a temp file renamed), so it is whole or absent. */
export function writeMarker(buildDir: string, marker: EnvironmentMarker): void {
  const tmp = join(buildDir, `${MARKER}.tmp`);
  Deno.writeTextFileSync(tmp, JSON.stringify(marker, null, 2));
  Deno.renameSync(tmp, join(buildDir, MARKER));
}

/** Removes a folder and what it holds; a folder already gone is fine. */
export async function removeDir(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}
