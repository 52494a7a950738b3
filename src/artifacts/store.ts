import { isAbsolute, join, relative, sep } from "node:path";
import { AppError, quoteClipped } from "../errors.ts";

/** One file a run wrote into its output folder. */
export interface Artifact {
  /** Relative to the run's folder, `/`-separated. */
  name: string;
  size: number;
  modified_at: string | null;
}

/** An artifact opened for download. */
export interface OpenArtifact {
  name: string;
  size: number;
  file: Deno.FsFile;
}

/**
 * Each run's output folder, `<data dir>/artifacts/<run id>`, handed to the child as
 * PRISMQ_OUTPUT_DIR. Files are streamed from disk, never held in memory, and a name that leaves
 * the folder (`..`, an absolute path, a link pointing out) is answered as not found.
 */
export class ArtifactStore {
  constructor(private readonly root: string) {}

  /** The absolute folder of a run. */
  folder(runId: string): string {
    return join(this.root, runId);
  }

  /** Creates the run's folder (owner only) before the run starts; answers its path. */
  async prepare(runId: string): Promise<string> {
    const dir = this.folder(runId);
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Every file below the run's folder, sorted by name; empty when there is no folder. */
  async list(runId: string): Promise<Artifact[]> {
    const base = this.folder(runId);
    const baseReal = await realPathOrNull(base);
    if (baseReal === null) return [];
    const out: Artifact[] = [];
    const walk = async (dir: string): Promise<void> => {
      for await (const entry of Deno.readDir(dir)) {
        const path = join(dir, entry.name);
        if (entry.isDirectory) {
          await walk(path);
          continue;
        }
        const inside = await resolveInside(baseReal, path);
        if (inside === null) continue;
        const info = await Deno.stat(inside).catch(() => null);
        if (info === null || !info.isFile) continue;
        out.push({
          name: relative(base, path).split(sep).join("/"),
          size: info.size,
          modified_at: info.mtime?.toISOString() ?? null,
        });
      }
    };
    await walk(base);
    return out.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  /** How many files the run left. */
  async count(runId: string): Promise<number> {
    return (await this.list(runId)).length;
  }

  /** Opens one file for reading; ARTIFACT_NOT_FOUND for anything outside the folder or missing. */
  async open(runId: string, name: string): Promise<OpenArtifact> {
    const notFound = () =>
      new AppError(
        "ARTIFACT_NOT_FOUND",
        `Run "${runId}" has no artifact ${quoteClipped(name)}.`,
      );
    if (!isSafeName(name)) throw notFound();
    const baseReal = await realPathOrNull(this.folder(runId));
    if (baseReal === null) throw notFound();
    const inside = await resolveInside(baseReal, join(this.folder(runId), ...name.split("/")));
    if (inside === null) throw notFound();
    // Only regular files: opening a FIFO someone left there would wait forever.
    const before = await Deno.stat(inside).catch(() => null);
    if (before === null || !before.isFile) throw notFound();
    let file: Deno.FsFile;
    try {
      file = await Deno.open(inside, { read: true });
    } catch {
      throw notFound();
    }
    const info = await file.stat();
    if (!info.isFile) {
      file.close();
      throw notFound();
    }
    return { name, size: info.size, file };
  }

  /** Deletes the run's folder (retention); a missing folder is fine. */
  /** Ids of the runs that have a folder here. */
  async runIds(): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.root)) {
        if (entry.isDirectory) ids.push(entry.name);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return ids;
  }

  async remove(runId: string): Promise<void> {
    await Deno.remove(this.folder(runId), { recursive: true }).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
  }
}

/** A relative, `/`-separated name with no `.`, `..` or empty part, no `\`, no NUL. */
export function isSafeName(name: string): boolean {
  if (name === "" || name.length > 4096 || isAbsolute(name) || /[\\\0]|^[A-Za-z]:/.test(name)) {
    return false;
  }
  return name.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

async function realPathOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.realPath(path);
  } catch {
    return null;
  }
}

/** The real path of `path` when it lies inside `baseReal` (links followed), else null. */
async function resolveInside(baseReal: string, path: string): Promise<string | null> {
  const real = await realPathOrNull(path);
  if (real === null) return null;
  return real.startsWith(baseReal + sep) ? real : null;
}
